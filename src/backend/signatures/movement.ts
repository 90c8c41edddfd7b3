import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

/**
 * Signatures of the data-movement kernels: they copy, rearrange, select or
 * scatter elements without arithmetic on them (but for the adjoints, which add
 * into zeros). Most work on any array type.
 * `backend.ts` assembles these with the other families into `Kernels`.
 * @module
 */

/** The data-movement kernels of `Kernels` (`backend.ts`), by kernel name. */
export interface MovementKernels {
  /** Transposes axes: output axis i is input axis `perm[i]`. Works on any dtype. */
  permute<T extends TypedArray>(x: T, shape: Shape, perm: readonly number[]): T;
  /** Broadcasts `x` of `shape` to `outShape` by copying. */
  expand<T extends TypedArray>(x: T, shape: Shape, outShape: Shape): T;
  /** The box `begin .. begin+size` of `x`. */
  slice<T extends TypedArray>(x: T, shape: Shape, begin: readonly number[], size: readonly number[]): T;
  /** Pads every axis with `before[i]` and `after[i]` copies of `value`. */
  pad<T extends TypedArray>(x: T, shape: Shape, before: readonly number[], after: readonly number[], value: number): T;
  /** Joins arrays along `axis`; all shapes agree elsewhere. */
  concat<T extends TypedArray>(xs: readonly T[], shapes: readonly Shape[], axis: number): T;
  /** Selects `indices` (already validated, non-negative) along `axis`: out = shape[:axis] + [indices.length] + shape[axis+1:]. */
  indexSelect<T extends TypedArray>(x: T, shape: Shape, axis: number, indices: Int32Array): T;
  /** Adjoint of {@link indexSelect}: adds slices of `g` into a zero tensor of `outShape` at `indices`. */
  indexAdd(g: FloatArray, outShape: Shape, axis: number, indices: Int32Array): FloatArray;
  /** PyTorch `gather`: out[..i..] = x[..index[..i..]..] along `axis`; `index` has the output's shape. */
  gather<T extends TypedArray>(x: T, shape: Shape, axis: number, index: Int32Array, indexShape: Shape): T;
  /** Adjoint of {@link gather}: adds `g` (of `indexShape`) into zeros of `outShape`. */
  scatterAdd(g: FloatArray, outShape: Shape, axis: number, index: Int32Array, indexShape: Shape): FloatArray;
}
