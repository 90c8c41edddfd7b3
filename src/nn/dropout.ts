/**
 * `Dropout`: seeded, and the identity in evaluation mode.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { dropout } from '../ops/dropout.js';
import type { Generator } from '../tensor/random.js';
import { Module } from './module.js';

/**
 * During training, zeroes each element with probability `p` and scales the rest by
 * `1/(1−p)`, so the expected value is unchanged. In evaluation mode it does nothing.
 * Masks come from `generator` (default: the global one), two 32-bit keys per call that a
 * counter-based hash turns into the mask ({@link dropout}), so runs are reproducible and
 * the same on every backend and thread count.
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
    return dropout(x, this.p, { training: this.training, generator: this.generator }, `Dropout(p=${this.p})`);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
