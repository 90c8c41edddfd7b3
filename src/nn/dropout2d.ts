/**
 * `Dropout2d` and its functional form `dropout2d`: whole channels dropped at once.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { mul } from '../ops/index.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { fmt } from '../tensor/shape.js';
import { Module } from './module.js';

/** Options of {@link dropout2d}. */
export interface Dropout2dOptions {
  /** Drop channels (default true); false returns the input unchanged. */
  training?: boolean;
  /** Generator of the mask (default: the global one). */
  generator?: Generator;
}

/**
 * Zeroes each channel of `[N, C, H, W]` (or `[C, H, W]`) with probability `p` and scales
 * the others by `1/(1−p)`, as `torch.nn.functional.dropout2d`.
 *
 * @example
 * ```ts
 * const y = dropout2d(x, 0.2, { generator: new Generator(1) });
 * ```
 */
export function dropout2d(x: Tensor, p = 0.5, options: Dropout2dOptions = {}, layer = 'dropout2d'): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`${layer}: p must be in [0, 1], got ${p}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${layer}: expected input [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  if (!(options.training ?? true) || p === 0) return x;
  const g = options.generator ?? getDefaultGenerator();
  const channels = x.ndim === 4 ? x.shape[0]! * x.shape[1]! : x.shape[0]!;
  const mask = x.dtype === 'float64' ? new Float64Array(channels) : new Float32Array(channels);
  const keep = 1 - p;
  for (let i = 0; i < channels; i++) mask[i] = keep > 0 && g.nextFloat() < keep ? 1 / keep : 0;
  const shape = x.ndim === 4 ? [x.shape[0]!, x.shape[1]!, 1, 1] : [channels, 1, 1];
  return mul(x, new Tensor(mask, shape));
}

/**
 * During training, zeroes whole channels of `[N, C, H, W]` inputs with probability `p`
 * (neighbouring pixels are correlated, so dropping single ones barely regularises a
 * convolution) and scales the rest by `1/(1−p)`. The identity in evaluation mode.
 *
 * @example
 * ```ts
 * const drop = new Dropout2d(0.25, { generator: new Generator(7) });
 * ```
 */
export class Dropout2d extends Module {
  private readonly generator: Generator | undefined;

  constructor(
    readonly p = 0.5,
    options: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`Dropout2d: p must be in [0, 1), got ${p}`);
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training, generator: this.generator }, `Dropout2d(p=${this.p})`);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
