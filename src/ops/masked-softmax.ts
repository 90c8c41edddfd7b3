/**
 * The masked softmax of attention scores as one primitive:
 * `softmax(scale·x + mask)` along the last axis with the causal triangle left
 * out, forward and backward each one kernel pass (`maskedSoftmax`,
 * `maskedSoftmaxGrad`), so attention needs no scaled copy of the scores, no
 * added mask tensor and no causal mask at all.
 * @module
 */
import { type OpDef, make, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import type { MaskedSoftmaxSpec } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { broadcastShapes, fmt } from '../tensor/shape.js';
import { backend, floats, sumToShape } from './util.js';

/** Options of {@link maskedSoftmax}. */
export interface MaskedSoftmaxOptions {
  /** Float mask broadcastable to `x`, added after scaling. */
  mask?: Tensor | null;
  /** Row `i` of each `[L, S]` matrix sees only columns `j ≤ i`. */
  causal?: boolean;
  /** Factor on `x` (default 1). */
  scale?: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * The mask laid out for the kernel: a tensor whose contiguous data is
 * `[maskBatch, L, S]`, and how score matrices map onto it. Leading dimensions
 * where the mask varies must form one run (say the batch of `[B, 1, L, S]`
 * against `[B, H, L, S]`); other patterns are expanded to the full batch.
 */
function layoutMask(mask: Tensor, shape: readonly number[]): { m: Tensor; maskBatch: number; maskRepeat: number } {
  const nd = shape.length;
  const lead = shape.slice(0, -2);
  const [rows, cols] = [shape[nd - 2]!, shape[nd - 1]!];
  let padded = [...new Array<number>(nd - mask.ndim).fill(1), ...mask.shape];
  let m = mask.reshape(padded);
  if (padded[nd - 2] !== rows || padded[nd - 1] !== cols) {
    padded = [...padded.slice(0, -2), rows, cols];
    m = m.expand(padded);
  }
  const used = lead.flatMap((d, i) => (d !== 1 && padded[i] !== 1 ? [i] : []));
  if (used.length === 0) return { m, maskBatch: 1, maskRepeat: 1 };
  const first = used[0]!;
  const last = used[used.length - 1]!;
  const oneRun = lead.every((d, i) => i < first || i > last || d === 1 || padded[i] !== 1);
  if (oneRun) return { m, maskBatch: prod(lead.slice(first, last + 1)), maskRepeat: prod(lead.slice(last + 1)) };
  return { m: m.expand([...lead, rows, cols]), maskBatch: prod(lead), maskRepeat: 1 };
}

/**
 * `scale · y ⊙ (g − Σ g⊙y)` as an op, differentiable again for `createGraph` (the fused causal
 * attention's gradients under `createGraph` use it too).
 */
export function maskedSoftmaxGrad(y: Tensor, g: Tensor, spec: MaskedSoftmaxSpec): Tensor {
  const out = make(backend().maskedSoftmaxGrad(valuesOf(y) as FloatArray, valuesOf(g) as FloatArray, spec), y.shape);
  if (!recording(y, g)) return out;
  const def: OpDef = {
    name: 'maskedSoftmaxGrad',
    backward: (u, node) => {
      const [yi, gi] = node.inputs as [Tensor, Tensor];
      // out = s·y ⊙ (g − Σ g⊙y): d/dy = s·(u ⊙ (g − Σ g⊙y) − g Σ u⊙y); d/dg is this op on u.
      return [
        yi.requiresGrad ? u.mul(gi.sub(gi.mul(yi).sum(-1, true))).sub(gi.mul(u.mul(yi).sum(-1, true))).mul(spec.scale) : null,
        gi.requiresGrad ? maskedSoftmaxGrad(yi, u, spec) : null,
      ];
    },
  };
  return record(def, [y, g], out);
}

/**
 * `softmax(scale·x + mask)` along the last axis of `x` `[..., L, S]`, with
 * columns `j > i` of row `i` given probability 0 when `causal`. A row with
 * nothing left to attend to is all zeros (PyTorch 2.5's math backend), not NaN.
 */
export function maskedSoftmax(x: Tensor, opts: MaskedSoftmaxOptions = {}): Tensor {
  const name = 'maskedSoftmax';
  const data = floats(name, x);
  if (x.ndim < 2) throw new ShapeError(`${name}: scores must be [..., L, S], got ${fmt(x.shape)}`);
  const shape = x.shape;
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  const spec: MaskedSoftmaxSpec = {
    batch: prod(shape.slice(0, -2)),
    rows,
    cols,
    scale: opts.scale ?? 1,
    causal: opts.causal === true,
    maskBatch: 1,
    maskRepeat: 1,
  };
  let m: Tensor | null = null;
  if (opts.mask !== undefined && opts.mask !== null) {
    const b = broadcastShapes(name, opts.mask.shape, shape);
    if (b.length !== shape.length || b.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${name}: mask ${fmt(opts.mask.shape)} does not broadcast to the scores ${fmt(shape)}`);
    }
    const laid = layoutMask(opts.mask.dtype === x.dtype ? opts.mask : opts.mask.astype(x.dtype), shape);
    m = laid.m;
    spec.maskBatch = laid.maskBatch;
    spec.maskRepeat = laid.maskRepeat;
  }
  const out = make(backend().maskedSoftmax(data, spec, m === null ? null : (valuesOf(m) as FloatArray)), shape);
  if (!recording(x, m ?? undefined)) return out;
  const def: OpDef = {
    name,
    backward: (g, node) => {
      const y = node.output;
      const [xi, mi] = node.inputs as [Tensor, Tensor | undefined];
      return [
        xi.requiresGrad ? ownedGradient(maskedSoftmaxGrad(y, g, spec)) : null,
        mi?.requiresGrad === true ? sumToShape(maskedSoftmaxGrad(y, g, { ...spec, scale: 1 }), mi.shape) : null,
      ];
    },
  };
  return record(def, m === null ? [x] : [x, m], out);
}
