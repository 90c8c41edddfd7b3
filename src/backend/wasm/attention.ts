/**
 * The WASM backend's masked softmax of attention scores and its gradient
 * (`asm/attention.ts`), and the fused causal attention and its gradient
 * (`asm/causal-attention.ts`). Float32 only; float64 and inconsistent lengths
 * are declined (the reference backend takes them).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { CausalAttentionGrads, CausalAttentionResult, CausalAttentionSpec, MaskedSoftmaxSpec } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, PARTS_PER_THREAD, elementParts, gemmParts, threadCount } from './jobs.js';

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

// fused causal attention

/** Whether `x` is a float32 array of `n` elements. */
function f32Of(x: FloatArray, n: number): x is Float32Array {
  return x instanceof Float32Array && x.length === n;
}

/**
 * Parts a causal attention job is cut into: by whole problems, when the matmul's rule would
 * split products of this size (the half triangle's multiply-adds of its two products).
 */
function problemParts(s: CausalAttentionSpec): number {
  const flops = s.batch * s.seq * (s.seq + 1) * (s.dim + s.valueDim);
  if (gemmParts(flops, s.batch, s.seq, s.seq) <= 1) return 1;
  return Math.max(1, Math.min(s.batch, PARTS_PER_THREAD * threadCount()));
}

/** Causal attention; see `Backend.causalAttention`. */
export function causalAttention(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  spec: CausalAttentionSpec,
): CausalAttentionResult | Declined {
  const { batch, seq, dim, valueDim, scale } = spec;
  const qk = batch * seq * dim;
  const vs = batch * seq * valueDim;
  if (!f32Of(q, qk) || !f32Of(k, qk) || !f32Of(v, vs) || qk === 0 || vs === 0) return DECLINE;
  const [out, probs] = callJob(
    'causalAttention',
    [q, k, v, vs, batch * seq * seq, batch, seq, dim, valueDim, scale],
    problemParts(spec),
  );
  return { out, probs };
}

/** The gradients of causal attention; see `Backend.causalAttentionGrad`. */
export function causalAttentionGrad(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  probs: FloatArray,
  g: FloatArray,
  spec: CausalAttentionSpec,
): CausalAttentionGrads | Declined {
  const { batch, seq, dim, valueDim, scale } = spec;
  const qk = batch * seq * dim;
  const vs = batch * seq * valueDim;
  if (!f32Of(q, qk) || !f32Of(k, qk) || !f32Of(v, vs) || !f32Of(probs, batch * seq * seq) || !f32Of(g, vs)) return DECLINE;
  if (qk === 0 || vs === 0) return DECLINE;
  const parts = problemParts(spec);
  const work = (parts > 1 ? threadCount() : 1) * seq * seq;
  const [dq, dk, dv] = callJob(
    'causalAttentionGrad',
    [q, k, v, probs, g, qk, qk, vs, work, batch, seq, dim, valueDim, scale],
    parts,
  );
  return { dq, dk, dv };
}
