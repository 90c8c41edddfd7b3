import { type DType, type TypedArray, allocateOwn, dtypeOf } from './dtype.js';
import { sharesBuffer } from './slab.js';
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

/**
 * Makes storage of `length` elements of `dtype` in a backend's own memory, or
 * returns null when it cannot (no such memory, a dtype its kernels do not
 * use, a full budget). The contents are unspecified.
 */
export type ResidentMaker = (dtype: DType, length: number) => Storage | null;

let residentMaker: ResidentMaker | null = null;

/**
 * Installs the maker of resident storage (the WASM backend does, when it has
 * shared memory), or removes it with null.
 */
export function setResidentMaker(maker: ResidentMaker | null): void {
  residentMaker = maker;
}

/** A copy of `values` in the active backend's memory, or null when it keeps nothing there (or cannot now). */
function residentCopy(values: TypedArray): Storage | null {
  const s = residentMaker?.(dtypeOf(values), values.length) ?? null;
  s?.array.set(values);
  return s;
}

/**
 * Storage for a long-lived tensor (a parameter): a copy of `values` in the
 * active backend's memory when it keeps such tensors there, so kernels use it
 * in place; otherwise `values` itself, not copied, unless it is a view into a
 * larger buffer (a slab of small op results, a slice of a data set): then a
 * copy, so the long-lived tensor does not keep that whole buffer alive.
 */
export function residentStorage(values: TypedArray): Storage {
  return residentCopy(values) ?? new Storage(sharesBuffer(values) ? values.slice() : values);
}

/**
 * A zero-filled storage of `length` elements of `dtype` in the same place as
 * `like`: resident when `like` is resident (and the backend can make more),
 * else in host memory. Gradients and optimizer state follow their parameter.
 */
export function zeroStorageLike(like: Storage, dtype: DType, length: number): Storage {
  const s = like.device === 'host' ? null : (residentMaker?.(dtype, length) ?? null);
  if (s === null) return new Storage(allocateOwn(dtype, length));
  s.array.fill(0);
  return s;
}

/**
 * A copy of `values` in resident storage when `like` is resident and the
 * backend can make more, else null (the caller keeps host memory).
 */
export function residentCopyLike(like: Storage, values: TypedArray): Storage | null {
  return like.device === 'host' ? null : residentCopy(values);
}
