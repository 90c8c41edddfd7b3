import { type TypedArray, dtypeOf } from '../../tensor/dtype.js';
import { reusableFloat32, slabAllocate } from '../../tensor/slab.js';
import type { Shape } from '../../tensor/shape.js';

/** A new array of the same type as `like`, with `n` elements. */
export function alike<T extends TypedArray>(like: T, n: number): T {
  return slabAllocate(dtypeOf(like), n) as T;
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
 * The same walk over fewer axes: size-1 axes dropped and neighbours merged
 * where one steps over the other exactly (a row-major run), so the innermost
 * loop is as long as it can be. `[100, 1]` with strides `[0, 1]` becomes
 * `[100]` with `[0]`, and a contiguous `[4, 5, 6]` becomes `[120]`.
 */
function coalesce(shape: Shape, strides: readonly number[]): { shape: number[]; strides: number[] } {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const st = strides[d]!;
    const k = outShape.length - 1;
    if (k >= 0 && outStrides[k] === st * n) {
      outShape[k] = outShape[k]! * n;
      outStrides[k] = st;
    } else {
      outShape.push(n);
      outStrides.push(st);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Rows shorter than this are copied element by element (a `subarray` per row costs more). */
const SHORT_ROW = 32;

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
  // Every element is written, so a given-back float32 array will do.
  const out = src instanceof Float32Array ? (reusableFloat32(n) as T) : alike(src, n);
  if (n === 0) return out;
  const walk = coalesce(outShape, strides);
  const shape = walk.shape;
  const nd = shape.length;
  if (nd === 0) {
    out[0] = src[offset]!;
    return out;
  }
  const last = nd - 1;
  const rowLen = shape[last]!;
  const rowStride = walk.strides[last]!;
  const idx = new Array<number>(nd).fill(0);
  let src0 = offset;
  for (let o = 0; o < n; o += rowLen) {
    if (rowStride === 1 && rowLen >= SHORT_ROW) out.set(src.subarray(src0, src0 + rowLen), o);
    else for (let j = 0, s = src0; j < rowLen; j++, s += rowStride) out[o + j] = src[s]!;
    // Advance the multi-index over every axis but the last.
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      src0 += walk.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src0 -= walk.strides[d]! * shape[d]!;
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
  const walk = coalesce(shape, strides);
  const dims = walk.shape;
  const nd = dims.length;
  if (nd === 0) {
    dst[offset] = src[0]!;
    return;
  }
  const last = nd - 1;
  const rowLen = dims[last]!;
  const rowStride = walk.strides[last]!;
  const idx = new Array<number>(nd).fill(0);
  let d0 = offset;
  for (let o = 0; o < n; o += rowLen) {
    if (rowStride === 1 && rowLen >= SHORT_ROW) dst.set(src.subarray(o, o + rowLen), d0);
    else for (let j = 0, s = d0; j < rowLen; j++, s += rowStride) dst[s] = src[o + j]!;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      d0 += walk.strides[d]!;
      if (idx[d]! < dims[d]!) break;
      d0 -= walk.strides[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}
