/**
 * `Unflatten` and its functional form `unflatten`: the inverse of `Flatten` for one dimension.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { reshape } from '../ops/index.js';
import { fmt } from '../tensor/shape.js';
import { Module } from './module.js';

/**
 * Splits dimension `dim` of `x` into `sizes` (product equal to that dimension; one entry
 * may be −1 to be inferred), as `torch.unflatten`.
 *
 * @example
 * ```ts
 * unflatten(x, 1, [1, 28, 28]); // [N, 784] -> [N, 1, 28, 28]
 * ```
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[], layer = 'unflatten'): Tensor {
  const inferred = sizes.filter((d) => d === -1).length;
  if (!Number.isInteger(dim) || sizes.length === 0 || inferred > 1 || sizes.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
    throw new ArgumentError(`${layer}: sizes must be positive integers with at most one -1, and dim an integer; got dim ${dim}, sizes ${fmt(sizes)}`);
  }
  const d = dim < 0 ? dim + x.ndim : dim;
  const size = x.shape[d];
  const known = sizes.reduce((a, b) => (b === -1 ? a : a * b), 1);
  const fits = inferred > 0 ? size !== undefined && size % known === 0 : size === known;
  if (d < 0 || size === undefined || !fits) {
    throw new ShapeError(
      `${layer}: dimension ${dim} of the input must have size ${inferred > 0 ? `a multiple of ${known}` : known}, got input ${fmt(x.shape)}`,
    );
  }
  const full = sizes.map((s) => (s === -1 ? size / known : s));
  return reshape(x, [...x.shape.slice(0, d), ...full, ...x.shape.slice(d + 1)]);
}

/**
 * Splits dimension `dim` into `sizes` (whose product must equal it; one entry may be −1
 * to be inferred), as `torch.nn.Unflatten`.
 *
 * @example
 * ```ts
 * new Unflatten(1, [1, 28, 28]).forward(x); // [N, 784] -> [N, 1, 28, 28]
 * ```
 */
export class Unflatten extends Module {
  readonly sizes: number[];

  constructor(
    readonly dim: number,
    sizes: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Unflatten: dim must be an integer, got ${dim}`);
    const inferred = sizes.filter((d) => d === -1).length;
    if (sizes.length === 0 || inferred > 1 || sizes.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      throw new ArgumentError(`Unflatten: sizes must be positive integers with at most one -1, got ${fmt(sizes)}`);
    }
    this.sizes = [...sizes];
  }

  forward(x: Tensor): Tensor {
    return unflatten(x, this.dim, this.sizes, `Unflatten(${this.dim}, ${fmt(this.sizes)})`);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, sizes=${fmt(this.sizes)}`;
  }
}
