/**
 * Less common ops of the ONNX importer: Mod, GatherElements, Trilu, Hardmax, EyeLike,
 * IsInf/IsNaN, CastLike, CumSum, TopK, OneHot and the L1, log-sum and product reductions.
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

/** CumSum along input 1's axis (exclusive and reverse as attributes), as a product with a triangular matrix. */
const cumSum: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const axis = normAxis(ctx, numbers(ctx.input(1))[0] ?? 0, x.t.ndim);
  const exclusive = ctx.int('exclusive', 0) !== 0;
  const reverse = ctx.int('reverse', 0) !== 0;
  const n = x.t.shape[axis]!;
  const tri = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const reaches = reverse ? i >= j : i <= j;
      tri[i * n + j] = reaches && !(exclusive && i === j) ? 1 : 0;
    }
  }
  const float = isFloatType(x.type);
  const t = float ? x.t : x.t.astype('float64');
  const last = t.ndim - 1;
  const moved = axis === last ? t : t.transpose(axis, last);
  const summed = moved.matmul(tensor(tri, { shape: [n, n] }).astype(t.dtype));
  const y = axis === last ? summed : summed.transpose(axis, last);
  return [float ? floatValue(y) : { t: y.contiguous(), type: x.type }];
};

/** TopK: the k largest (or smallest) along `axis`, sorted, ties to the lower index; values gather (differentiable), indices as int64. */
const topK: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const k = numbers(ctx.input(1))[0] ?? 0;
  const axis = normAxis(ctx, ctx.int('axis', -1), x.t.ndim);
  const largest = ctx.int('largest', 1) !== 0;
  const n = x.t.shape[axis]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw ctx.error(`k = ${k} is out of range for axis ${axis} of size ${n}`);
  const outer = x.t.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.t.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const src = x.t.dataSync();
  const idx = new Float64Array(outer * k * inner);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => src[(o * n + j) * inner + i]!;
      const sorted = [...order].sort((a, b) => (largest ? at(b) - at(a) : at(a) - at(b)) || a - b);
      for (let j = 0; j < k; j++) idx[(o * k + j) * inner + i] = sorted[j]!;
    }
  }
  const shape = x.t.shape.map((d, i) => (i === axis ? k : d));
  const index = tensor(idx, { shape });
  return [{ t: x.t.gather(axis, index), type: x.type }, { t: index, type: OnnxDataType.INT64 }];
};

/** OneHot(indices, depth, [off, on]): a new axis of size depth (negative indices count from the end). */
const oneHot: OpImpl = (ctx) => {
  const indices = ctx.input(0);
  const depth = numbers(ctx.input(1))[0] ?? 0;
  const values = ctx.input(2);
  const [off, on] = numbers(values) as [number, number];
  const rank = indices.t.ndim + 1;
  const axis = normAxis(ctx, ctx.int('axis', -1), rank);
  const idx = numbers(indices);
  const outer = indices.t.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = indices.t.shape.slice(axis).reduce((p, d) => p * d, 1);
  const out = new Float64Array(outer * depth * inner).fill(off);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let c = Math.trunc(idx[o * inner + i]!);
      if (c < 0) c += depth;
      if (c >= 0 && c < depth) out[(o * depth + c) * inner + i] = on;
    }
  }
  const shape = [...indices.t.shape.slice(0, axis), depth, ...indices.t.shape.slice(axis)];
  const t = tensor(out, { shape });
  return [values.type === OnnxDataType.FLOAT ? { t: t.astype('float32'), type: values.type } : { t, type: values.type }];
};

/** ReduceProd: products of slices along each axis (differentiable, also through zeros). */
const reduceProd = reduce((x, axes, keep) => {
  let t = x;
  for (const a of axes) {
    let p = t.narrow(a, 0, 1);
    for (let j = 1; j < t.shape[a]!; j++) p = p.mul(t.narrow(a, j, 1));
    t = p;
  }
  return keep ? t : t.squeeze(axes);
});

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
  ReduceProd: reduceProd,
  CumSum: cumSum,
  TopK: topK,
  OneHot: oneHot,
};
