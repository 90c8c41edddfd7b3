import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import { type Shape, around, sizeOf, stridesOf } from '../../tensor/shape.js';
import { reusableFloat32 } from '../../tensor/slab.js';
import { alike, broadcastStrides, stridedRead, stridedWrite } from './strided.js';

export function permute<T extends TypedArray>(x: T, shape: Shape, perm: readonly number[]): T {
  const strides = stridesOf(shape);
  return stridedRead(
    x,
    0,
    perm.map((p) => strides[p]!),
    perm.map((p) => shape[p]!),
  );
}

export function expand<T extends TypedArray>(x: T, shape: Shape, outShape: Shape): T {
  return stridedRead(x, 0, broadcastStrides(shape, outShape), outShape);
}

export function slice<T extends TypedArray>(x: T, shape: Shape, begin: readonly number[], size: readonly number[]): T {
  const strides = stridesOf(shape);
  let offset = 0;
  for (let i = 0; i < shape.length; i++) offset += begin[i]! * strides[i]!;
  return stridedRead(x, offset, strides, size);
}

export function pad<T extends TypedArray>(
  x: T,
  shape: Shape,
  before: readonly number[],
  after: readonly number[],
  value: number,
): T {
  const outShape = shape.map((d, i) => d + before[i]! + after[i]!);
  const n = sizeOf(outShape);
  // A float32 result may be a given-back array of unspecified contents (reusableFloat32): filled first.
  const f32 = x instanceof Float32Array;
  const out = f32 ? (reusableFloat32(n) as unknown as T) : alike(x, n);
  if (value !== 0 || f32) out.fill(value);
  const strides = stridesOf(outShape);
  let offset = 0;
  for (let i = 0; i < shape.length; i++) offset += before[i]! * strides[i]!;
  stridedWrite(x, shape, out, offset, strides);
  return out;
}

export function concat<T extends TypedArray>(xs: readonly T[], shapes: readonly Shape[], axis: number): T {
  const first = shapes[0]!;
  const [outer, , inner] = around(first, axis);
  let total = 0;
  for (const s of shapes) total += s[axis]!;
  const out = alike(xs[0]!, outer * total * inner);
  let at = 0;
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t]!;
    const block = shapes[t]![axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * block, (o + 1) * block), o * total * inner + at);
    at += block;
  }
  return out;
}

export function indexSelect<T extends TypedArray>(x: T, shape: Shape, axis: number, indices: Int32Array): T {
  const [outer, n, inner] = around(shape, axis);
  const m = indices.length;
  const out = alike(x, outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + indices[j]!) * inner;
      out.set(x.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
  return out;
}

export function indexAdd(g: FloatArray, outShape: Shape, axis: number, indices: Int32Array): FloatArray {
  const [outer, n, inner] = around(outShape, axis);
  const m = indices.length;
  const out = alike(g, outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + indices[j]!) * inner;
      const src = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = out[dst + i]! + g[src + i]!;
    }
  }
  return out;
}

/**
 * Walks `indexShape`, calling `visit(flat, xOffset)` where xOffset is the offset in
 * the source (of `shape`) with the `axis` coordinate taken from `index[flat]`.
 */
function walkGather(
  shape: Shape,
  axis: number,
  index: Int32Array,
  indexShape: Shape,
  visit: (flat: number, xOffset: number) => void,
): void {
  const strides = stridesOf(shape);
  const nd = indexShape.length;
  const idx = new Array<number>(nd).fill(0);
  const n = index.length;
  let base = 0;
  for (let f = 0; f < n; f++) {
    visit(f, base + index[f]! * strides[axis]!);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      if (d !== axis) base += strides[d]!;
      if (idx[d]! < indexShape[d]!) break;
      if (d !== axis) base -= strides[d]! * indexShape[d]!;
      idx[d] = 0;
    }
  }
}

export function gather<T extends TypedArray>(x: T, shape: Shape, axis: number, index: Int32Array, indexShape: Shape): T {
  const out = alike(x, index.length);
  walkGather(shape, axis, index, indexShape, (f, off) => {
    out[f] = x[off]!;
  });
  return out;
}

export function scatterAdd(
  g: FloatArray,
  outShape: Shape,
  axis: number,
  index: Int32Array,
  indexShape: Shape,
): FloatArray {
  const out = alike(g, sizeOf(outShape));
  walkGather(outShape, axis, index, indexShape, (f, off) => {
    out[off] = out[off]! + g[f]!;
  });
  return out;
}
