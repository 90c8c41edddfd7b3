/**
 * The WASM backend's masked softmax of attention scores and its gradient
 * (`asm/attention.ts`). Float32 only; float64 and inconsistent lengths are
 * declined (the reference backend takes them).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { MaskedSoftmaxSpec } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, elementParts } from './jobs.js';

const NO_MASK = new Float32Array(0);

/** `softmax(scale·x + mask)` per row; see `Backend.maskedSoftmax`. */
export function maskedSoftmax(x: FloatArray, spec: MaskedSoftmaxSpec, mask: FloatArray | null): FloatArray | Declined {
  const { batch, rows, cols, maskBatch, maskRepeat } = spec;
  const size = batch * rows * cols;
  if (!(x instanceof Float32Array) || x.length !== size) return DECLINE;
  if (mask !== null && (!(mask instanceof Float32Array) || mask.length !== maskBatch * rows * cols || maskRepeat < 1)) return DECLINE;
  if (size === 0) return new Float32Array(0);
  const m = mask ?? NO_MASK;
  const args = [x, m, size, batch, rows, cols, spec.causal ? 1 : 0, mask === null ? 0 : 1, maskBatch, maskRepeat, spec.scale] as const;
  // exp-bound like softmax: split from the element cut-off when there is more than one row.
  return callJob('maskedSoftmax', [...args], elementParts(batch * rows > 1 ? size : CHEAP));
}

/** `scale · y ⊙ (g − Σ g⊙y)` per row; see `Backend.maskedSoftmaxGrad`. */
export function maskedSoftmaxGrad(y: FloatArray, g: FloatArray, spec: MaskedSoftmaxSpec): FloatArray | Declined {
  const { batch, rows, cols } = spec;
  const size = batch * rows * cols;
  if (!(y instanceof Float32Array) || !(g instanceof Float32Array) || y.length !== size || g.length !== size) return DECLINE;
  if (size === 0) return new Float32Array(0);
  return callJob('maskedSoftmaxGrad', [y, g, size, batch, rows, cols, spec.causal ? 1 : 0, spec.scale], elementParts(CHEAP));
}
