import type { TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

/** A new array of the same type as `like`, with `n` elements. */
export function alike<T extends TypedArray>(like: T, n: number): T {
  const ctor = like.constructor as new (n: number) => T;
  return new ctor(n);
}

/**
 * Strides that read an array of `shape` as if it had `outShape` (NumPy
 * broadcasting): a stride of 0 repeats a size-1 or missing dimension.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const nd = outShape.length;
  const out = new Array<number>(nd).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    out[nd - shape.length + i] = d === 1 ? 0 : s;
    s *= d;
  }
  return out;
}

/**
 * Copies into a new contiguous array of `outShape` the elements of `src`
 * found at `offset + Σ index[d] * strides[d]`. Permute, expand and slice are
 * all this one walk with different strides.
 */
export function stridedRead<T extends TypedArray>(
  src: T,
  offset: number,
  strides: readonly number[],
  outShape: Shape,
): T {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = alike(src, n);
  if (n === 0) return out;
  const nd = outShape.length;
  if (nd === 0) {
    out[0] = src[offset]!;
    return out;
  }
  const last = nd - 1;
  const rowLen = outShape[last]!;
  const rowStride = strides[last]!;
  const idx = new Array<number>(nd).fill(0);
  let src0 = offset;
  for (let o = 0; o < n; o += rowLen) {
    if (rowStride === 1) out.set(src.subarray(src0, src0 + rowLen), o);
    else for (let j = 0, s = src0; j < rowLen; j++, s += rowStride) out[o + j] = src[s]!;
    // Advance the multi-index over every axis but the last.
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      src0 += strides[d]!;
      if (idx[d]! < outShape[d]!) break;
      src0 -= strides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Writes contiguous `src` of `shape` into `dst` at `offset + Σ index[d] * strides[d]`. */
export function stridedWrite(
  src: TypedArray,
  shape: Shape,
  dst: TypedArray,
  offset: number,
  strides: readonly number[],
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) {
    dst[offset] = src[0]!;
    return;
  }
  const last = nd - 1;
  const rowLen = shape[last]!;
  const rowStride = strides[last]!;
  const idx = new Array<number>(nd).fill(0);
  let d0 = offset;
  for (let o = 0; o < n; o += rowLen) {
    if (rowStride === 1) dst.set(src.subarray(o, o + rowLen), d0);
    else for (let j = 0, s = d0; j < rowLen; j++, s += rowStride) dst[s] = src[o + j]!;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      d0 += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      d0 -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
