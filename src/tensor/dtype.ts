import { DTypeError } from '../errors.js';
import { slabAllocate } from './slab.js';

/** Element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32';

/** A floating-point element type. */
export type FloatDType = 'float32' | 'float64';

/** Storage of a float tensor. */
export type FloatArray = Float32Array | Float64Array;

/** Storage of any tensor. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Maps a dtype to its storage type. */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}

/**
 * Allocates zeroed storage for `n` elements of `dtype`: for op results and
 * other short-lived arrays, so small ones are views into a shared slab (see
 * `slab.ts`). Long-lived storage takes {@link allocateOwn}.
 */
export function allocate(dtype: DType, n: number): TypedArray {
  return slabAllocate(dtype, n);
}

/** Allocates zeroed storage for `n` elements of `dtype` in a buffer of its own. */
export function allocateOwn(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
  }
}

/** The dtype of a typed array. */
export function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return 'int32';
}

/** True for float32 and float64. */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype !== 'int32';
}

/** The result dtype of a binary op on two dtypes (float64 > float32 > int32). */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** Converts storage to another dtype; returns the same array when it already has it. */
export function castArray(a: TypedArray, dtype: DType): TypedArray {
  if (dtypeOf(a) === dtype) return a;
  const out = allocate(dtype, a.length);
  if (dtype === 'int32') {
    for (let i = 0; i < a.length; i++) out[i] = Math.trunc(a[i]!);
  } else {
    out.set(a);
  }
  return out;
}

/** Throws a {@link DTypeError} unless `dtype` is a float type. */
export function assertFloat(op: string, dtype: DType): void {
  if (dtype === 'int32') {
    throw new DTypeError(`${op}: expected a float tensor but got int32; convert it first with .float()`);
  }
}

/** Parses a user-given dtype name. */
export function parseDType(value: unknown): DType {
  if (value === 'float32' || value === 'float64' || value === 'int32') return value;
  throw new DTypeError(`unknown dtype ${JSON.stringify(value)}; use 'float32', 'float64' or 'int32'`);
}
