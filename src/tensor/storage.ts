import { type DType, type TypedArray, dtypeOf } from './dtype.js';
import type { Shape } from './shape.js';

/**
 * The memory behind one or more tensors. A tensor is a view of a storage: a
 * shape, a stride per axis and an offset, all in elements. Several tensors may
 * share one storage (a transpose, a slice, an expanded tensor, a detached
 * copy), so writing through one of them is seen by the others.
 *
 * This base class holds an ordinary typed array owned by the garbage collector
 * (`device` `'host'`). A backend may subclass it to keep the elements in its
 * own memory (the WASM backend: a block of its linear memory, freed when the
 * storage is garbage-collected); {@link Storage.array} is then a view of that
 * memory, valid until the backend next allocates.
 */
export class Storage {
  /** Element type of the storage. */
  readonly dtype: DType;
  /** Number of elements the storage holds. */
  readonly length: number;
  /** The current typed-array view of the elements. */
  protected view: TypedArray;

  constructor(array: TypedArray) {
    this.view = array;
    this.dtype = dtypeOf(array);
    this.length = array.length;
  }

  /** The elements, in memory order. */
  get array(): TypedArray {
    return this.view;
  }

  /** Where the elements live: `'host'` for a garbage-collected array, else the owning backend's name. */
  get device(): string {
    return 'host';
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
