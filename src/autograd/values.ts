import { stridedRead } from '../backend/js/strided.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Tensor } from './tensor.js';

/**
 * The values of `t` in row-major order, for kernels: the storage itself (or the
 * part of it `t` covers) when `t` is contiguous, so nothing is copied, and a
 * contiguous copy of any other view. This is the one place where views are
 * materialized. A view of a backend's memory is valid only until that backend
 * next allocates; kernels read it at once. Not part of the public API: users
 * read with `dataSync()`, `data()`, `toArray()` or `item()`.
 */
export function valuesOf(t: Tensor): TypedArray {
  const a = t.storage.array;
  if (t.isContiguous()) {
    return t.offset === 0 && a.length === t.size ? a : a.subarray(t.offset, t.offset + t.size);
  }
  return stridedRead(a, t.offset, t.strides, t.shape);
}
