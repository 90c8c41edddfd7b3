import { type DType, type TypedArray, dtypeOf } from './dtype.js';
import type { Shape } from './shape.js';

/**
 * The memory behind one or more tensors. A tensor is a view of a storage: a
 * shape, a stride per axis and an offset, all in elements. Several tensors may
 * share one storage (a transpose, a slice, an expanded tensor, a detached
 * copy), so writing through one of them is seen by the others.
 *
 * Today every storage is an ordinary typed array owned by the garbage
 * collector, so there is nothing to free.
 */
export class Storage {
  /** Element type of the storage. */
  readonly dtype: DType;

  constructor(
    /** The elements, in memory order. */
    readonly array: TypedArray,
  ) {
    this.dtype = dtypeOf(array);
  }

  /** Number of elements the storage holds. */
  get length(): number {
    return this.array.length;
  }
}

/** True when `strides` walk `shape` in row-major order with no gaps (size-1 axes may have any stride). */
export function isRowMajor(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 0) return true;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}
