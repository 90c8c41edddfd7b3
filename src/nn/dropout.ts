/**
 * `Dropout`: seeded, and the identity in evaluation mode.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { mul } from '../ops/index.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { Module } from './module.js';

/**
 * During training, zeroes each element with probability `p` and scales the rest by
 * `1/(1−p)`, so the expected value is unchanged. In evaluation mode it does nothing.
 * Masks come from `generator` (default: the global one), so runs are reproducible.
 *
 * @example
 * ```ts
 * const drop = new Dropout(0.2, { generator: new Generator(7) });
 * ```
 */
export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  constructor(
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`Dropout: p must be in [0, 1), got ${p}`);
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const g = this.generator ?? getDefaultGenerator();
    const keep = 1 - this.p;
    const scale = 1 / keep;
    const mask = x.dtype === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = g.nextFloat() < keep ? scale : 0;
    return mul(x, new Tensor(mask, [...x.shape]));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
