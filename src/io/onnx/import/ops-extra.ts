/**
 * Less common ops of the ONNX importer: Mod, GatherElements, Trilu, Hardmax, EyeLike,
 * IsInf/IsNaN, CastLike and the L1 and log-sum reductions.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { tensor, where } from '../../../ops/index.js';
import { OnnxDataType } from '../proto.js';
import type { OpImpl } from './graph.js';
import { castValue, floatInput, normAxis, reduce } from './ops-math.js';
import { floatValue, intValue, isFloatType, numbers } from './values.js';

/** `f` of each element as a constant tensor of `like`'s dtype and shape (no gradient). */
function hostMap(like: Tensor, f: (v: number) => number): Tensor {
  const src = like.dataSync();
  const out = like.dtype === 'float32' ? new Float32Array(src.length) : new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return tensor(out, { shape: [...like.shape] });
}

/**
 * Mod: a − b·⌊a/b⌋ (the sign of the divisor, as Python's %), or with fmod = 1
 * a − b·trunc(a/b) (the sign of the dividend, as C's fmod). The quotient's rounding is a
 * constant, so the gradient is 1 for a and −round(a/b) for b.
 */
const mod: OpImpl = (ctx) => {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const fmod = ctx.int('fmod', 0) !== 0;
  const float = isFloatType(a.type) || isFloatType(b.type);
  if (float && !fmod) throw ctx.error('floating-point Mod needs fmod = 1');
  const dt = float ? (a.t.dtype === 'float64' || b.t.dtype === 'float64' ? 'float64' : 'float32') : 'float64';
  const x = a.t.astype(dt);
  const y = b.t.astype(dt);
  const q = hostMap(x.detach().div(y.detach()), fmod ? Math.trunc : Math.floor);
  const r = x.sub(y.mul(q));
  return [float ? floatValue(r) : { t: r, type: a.type }];
};

/** GatherElements: PyTorch's gather (`out[i][j] = x[i][index[i][j]]` for axis 1), negative indices from the end. */
const gatherElements: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const idx = ctx.input(1);
  const axis = normAxis(ctx, ctx.int('axis', 0), x.t.ndim);
  return [{ t: x.t.gather(axis, idx.t), type: x.type }];
};

/** Trilu: the upper (default) or lower triangle of the last two axes, from diagonal k (input 1). */
const trilu: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const kv = ctx.optional(1);
  const k = kv ? (numbers(kv)[0] ?? 0) : 0;
  const upper = ctx.int('upper', 1) !== 0;
  if (x.t.ndim < 2) throw ctx.error(`the input must have at least 2 dimensions, got [${x.t.shape}]`);
  const [n, m] = x.t.shape.slice(-2) as [number, number];
  const mask = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mask[i * m + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
  return [{ t: where(tensor(mask, { shape: [n, m] }), x.t, 0), type: x.type }];
};

/** Hardmax: 1 at the first maximum along `axis` (opset 13; earlier opsets flatten to 2-D at `axis`), else 0. */
const hardmax: OpImpl = (ctx) => {
  const x = floatInput(ctx, 0);
  const rank = Math.max(x.ndim, 1);
  const axis = normAxis(ctx, ctx.int('axis', ctx.opset >= 13 ? -1 : 1), rank);
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const n = ctx.opset >= 13 ? x.shape[axis]! : x.shape.slice(axis).reduce((p, d) => p * d, 1);
  const inner = ctx.opset >= 13 ? x.shape.slice(axis + 1).reduce((p, d) => p * d, 1) : 1;
  const src = x.dataSync();
  const out = x.dtype === 'float32' ? new Float32Array(src.length) : new Float64Array(src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let j = 1; j < n; j++) if (src[(o * n + j) * inner + i]! > src[(o * n + best) * inner + i]!) best = j;
      out[(o * n + best) * inner + i] = 1;
    }
  }
  return [floatValue(tensor(out, { shape: [...x.shape] }))];
};

/** EyeLike: ones on diagonal k of a 2-d tensor shaped like the input, of `dtype` (default the input's). */
const eyeLike: OpImpl = (ctx) => {
  const x = ctx.input(0);
  if (x.t.ndim !== 2) throw ctx.error(`the input must be 2-d, got [${x.t.shape}]`);
  const [n, m] = x.t.shape as [number, number];
  const k = ctx.int('k', 0);
  const type = ctx.int('dtype', x.type);
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) data[i * m + i + k] = 1;
  if (type === OnnxDataType.FLOAT) return [{ t: tensor(Float32Array.from(data), { shape: [n, m] }), type }];
  return [intValue(data, [n, m], type)];
};

/** IsInf (positive and/or negative, by detect_positive/detect_negative) and IsNaN, as bools. */
function isSpecial(nan: boolean): OpImpl {
  return (ctx) => {
    const x = ctx.input(0);
    const pos = ctx.int('detect_positive', 1) !== 0;
    const neg = ctx.int('detect_negative', 1) !== 0;
    const test = nan ? Number.isNaN : (v: number) => (v === Number.POSITIVE_INFINITY && pos) || (v === Number.NEGATIVE_INFINITY && neg);
    return [{ t: hostMap(x.t.detach().astype('float64'), (v) => (test(v) ? 1 : 0)), type: OnnxDataType.BOOL }];
  };
}

/** The less common ops, by ONNX op type. */
export const EXTRA_OPS: Record<string, OpImpl> = {
  Mod: mod,
  GatherElements: gatherElements,
  Trilu: trilu,
  Hardmax: hardmax,
  EyeLike: eyeLike,
  IsInf: isSpecial(false),
  IsNaN: isSpecial(true),
  CastLike: (ctx) => [castValue(ctx, ctx.input(0), ctx.input(1).type)],
  ReduceL1: reduce((x, a, k) => x.abs().sum(a, k)),
  ReduceLogSum: reduce((x, a, k) => x.sum(a, k).log()),
};
