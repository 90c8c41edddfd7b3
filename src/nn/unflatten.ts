/**
 * `Unflatten`: the inverse of `Flatten` for one dimension.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { reshape } from '../ops/index.js';
import { fmt } from '../tensor/shape.js';
import { Module } from './module.js';

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
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    const size = x.shape[d];
    const known = this.sizes.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const fits = this.sizes.includes(-1) ? size !== undefined && size % known === 0 : size === known;
    if (d < 0 || size === undefined || !fits) {
      throw new ShapeError(
        `Unflatten(${this.dim}, ${fmt(this.sizes)}): dimension ${this.dim} of the input must have size ${this.sizes.includes(-1) ? `a multiple of ${known}` : known}, got input ${fmt(x.shape)}`,
      );
    }
    const sizes = this.sizes.map((s) => (s === -1 ? size / known : s));
    return reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, sizes=${fmt(this.sizes)}`;
  }
}
