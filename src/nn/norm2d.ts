/**
 * `BatchNorm2d` and `GroupNorm`, with their functional forms `batchNorm2d` and `groupNorm`.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { add, div, mean, mul, reshape, sqrt, sub, sum, variance } from '../ops/index.js';
import { fmt } from '../tensor/shape.js';
import { ones, zeros } from './init.js';
import { Module, Parameter } from './module.js';
import { BatchNormBase, type BatchNormOptions, updateRunningStats } from './norm.js';

/** Options of {@link batchNorm2d}, as `torch.nn.functional.batch_norm`. */
export interface BatchNorm2dFnOptions {
  /** Per-channel running mean `[C]`: used in evaluation, updated in place in training. */
  runningMean?: Tensor | null;
  /** Per-channel running (unbiased) variance `[C]`, likewise. */
  runningVar?: Tensor | null;
  /** Per-channel scale `[C]`. */
  weight?: Tensor | null;
  /** Per-channel shift `[C]`. */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics (and update the running ones); default false. */
  training?: boolean;
  /** Weight of the batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Sum over axes 0, 2 and 3 of `[N, C, H, W]`, kept as `[1, C, 1, 1]` (two contiguous reductions in the kernel). */
function channelSum(x: Tensor): Tensor {
  return sum(x, [0, 2, 3], true);
}

/**
 * Batch normalisation of `[N, C, H, W]` per channel, as `torch.nn.functional.batch_norm`.
 * In training the statistics are the batch's over `[N, H, W]` (the biased variance
 * normalises, the unbiased one enters the running variance); otherwise the running ones.
 *
 * @example
 * ```ts
 * const y = batchNorm2d(x, { training: true }); // x: [N, C, H, W]
 * ```
 */
export function batchNorm2d(x: Tensor, options: BatchNorm2dFnOptions = {}, layer = 'batchNorm2d'): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`${layer}: expected a 4-D input [N, C, H, W], got ${fmt(x.shape)}`);
  const c = x.shape[1]!;
  const stat: number[] = [1, c, 1, 1];
  const { runningMean: rm = null, runningVar: rv = null, weight = null, bias = null } = options;
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', weight], ['bias', bias]] as const) {
    if (t !== null && (t.ndim !== 1 || t.shape[0] !== c)) {
      throw new ShapeError(`${layer}: ${name} must have shape [${c}] for input ${fmt(x.shape)}, got ${fmt(t.shape)}`);
    }
  }
  const eps = options.eps ?? 1e-5;
  let mu: Tensor;
  let v: Tensor;
  if (options.training ?? false) {
    const count = x.size / c;
    if (count < 2) throw new ShapeError(`${layer}: training needs more than one value per channel, got input ${fmt(x.shape)}`);
    mu = div(channelSum(x), count);
    const centered = sub(x, mu);
    v = div(channelSum(mul(centered, centered)), count);
    if (rm !== null || rv !== null) updateRunningStats(rm, rv, mu, v, count, options.momentum ?? 0.1);
    let y = div(centered, sqrt(add(v, eps)));
    if (weight) y = mul(y, reshape(weight, stat));
    if (bias) y = add(y, reshape(bias, stat));
    return y;
  }
  if (rm === null || rv === null) throw new ArgumentError(`${layer}: evaluation needs runningMean and runningVar (or training: true)`);
  mu = reshape(rm, stat);
  v = reshape(rv, stat);
  let y = div(sub(x, mu), sqrt(add(v, eps)));
  if (weight) y = mul(y, reshape(weight, stat));
  if (bias) y = add(y, reshape(bias, stat));
  return y;
}

/**
 * Batch normalisation of `[N, C, H, W]` images, per channel. In training mode it normalises
 * with the batch's statistics over `[N, H, W]` and updates the running averages (PyTorch's
 * momentum convention); in evaluation mode it uses the running averages.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Conv2d(1, 8, 3), new BatchNorm2d(8), new ReLU());
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm2d(${this.numFeatures}): expected input [N, ${this.numFeatures}, H, W], got ${fmt(x.shape)}`);
    }
    // Without running statistics, evaluation normalises with the batch's too (as PyTorch).
    const training = this.training || this.runningMean === null;
    // As PyTorch: count the batch first; momentum null weighs it 1/count (a cumulative average).
    const momentum = this.training ? this.countBatch() : (this.momentum ?? 0);
    const y = batchNorm2d(
      x,
      {
        runningMean: this.runningMean,
        runningVar: this.runningVar,
        weight: this.weight,
        bias: this.bias,
        training,
        momentum,
        eps: this.eps,
      },
      `BatchNorm2d(${this.numFeatures})`,
    );
    return y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
  }
}

/** Options of {@link groupNorm} and {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Group normalisation of `[N, C, *]`, as `torch.nn.functional.group_norm`: the channels
 * split into `numGroups` groups, each normalised over its channels and positions, then
 * the optional per-channel `weight` and `bias` `[C]`.
 *
 * @example
 * ```ts
 * const y = groupNorm(x, 4, weight, bias); // x: [N, 16, H, W]
 * ```
 */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: GroupNormOptions = {},
  layer = 'groupNorm',
): Tensor {
  const c = x.shape[1];
  if (x.ndim < 2 || c === undefined || c % numGroups !== 0 || x.shape[0] === 0) {
    throw new ShapeError(`${layer}: expected an input [N, C, *] with C divisible by ${numGroups} groups, got ${fmt(x.shape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && (t.ndim !== 1 || t.shape[0] !== c)) {
      throw new ShapeError(`${layer}: ${name} must have shape [${c}], got ${fmt(t.shape)}`);
    }
  }
  const n = x.shape[0]!;
  const g = reshape(x, [n, numGroups, x.size / (n * numGroups)]);
  const mu = mean(g, 2, true);
  const v = variance(g, 2, true, 0);
  let y = reshape(div(sub(g, mu), sqrt(add(v, options.eps ?? 1e-5))), x.shape);
  const stat = x.shape.map((d, i) => (i === 1 ? d : 1));
  if (weight) y = mul(y, reshape(weight, stat));
  if (bias) y = add(y, reshape(bias, stat));
  return y;
}

/**
 * Group normalisation layer: `numChannels` channels in `numGroups` groups, each normalised
 * over its channels and positions, with a learned per-channel scale and shift.
 *
 * @example
 * ```ts
 * const gn = new GroupNorm(4, 32); // inputs [N, 32, *]
 * ```
 */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    options: GroupNormOptions & { affine?: boolean } = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || !Number.isInteger(numChannels) || numChannels < 1) {
      throw new ArgumentError(`GroupNorm: numGroups and numChannels must be positive integers, got ${numGroups} and ${numChannels}`);
    }
    if (numChannels % numGroups !== 0) {
      throw new ArgumentError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    const c = numChannels;
    this.weight = this.param('weight', affine ? ones(new Parameter(new Float32Array(c), [c])) : null);
    this.bias = this.param('bias', affine ? zeros(new Parameter(new Float32Array(c), [c])) : null);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm(${this.numGroups}, ${this.numChannels}): expected input [N, ${this.numChannels}, *], got ${fmt(x.shape)}`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.eps }, `GroupNorm(${this.numGroups}, ${this.numChannels})`);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}
