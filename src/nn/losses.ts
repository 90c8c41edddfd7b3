/**
 * Loss functions. Each takes `(input, target, options)` and a `reduction`: `'mean'`
 * (default), `'sum'`, or `'none'` for per-element (or per-sample) losses. Each is built
 * from differentiable ops, so `loss.backward()` works on the result.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { sameShape } from '../tensor/shape.js';
import {
  abs,
  add,
  clamp,
  gather,
  le,
  log,
  logSoftmax,
  mean,
  mul,
  neg,
  reshape,
  softmaxCrossEntropy,
  softplus,
  sub,
  sum,
  where,
} from '../ops/index.js';

/** How per-element losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /** Combine per-element losses by their mean (default), their sum, or not at all. */
  reduction?: Reduction;
}

function reduce(name: string, t: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean':
      return mean(t);
    case 'sum':
      return sum(t);
    case 'none':
      return t;
    default:
      throw new ArgumentError(`${name}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

function fmt(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** Throws a {@link ShapeError} naming the loss unless `input` and `target` have the same shape. */
function checkSameShape(name: string, input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  const hint =
    input.size === target.size
      ? ` (same number of values: reshape the target to ${fmt(input.shape)}, e.g. y.reshape(${JSON.stringify(input.shape)}))`
      : '';
  throw new ShapeError(`${name}: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape${hint}`);
}

function asFloat(name: string, t: Tensor): Tensor {
  if (t.dtype === 'int32') throw new DTypeError(`${name}: expected a float tensor, got int32; convert it with .float()`);
  return t;
}

/**
 * Mean squared error, `(input − target)²`.
 * @example
 * ```ts
 * const loss = mseLoss(model.forward(x), y);
 * loss.backward();
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('mseLoss', input, target);
  const d = sub(asFloat('mseLoss', input), target);
  return reduce('mseLoss', mul(d, d), options.reduction);
}

/** Mean absolute error, `|input − target|`. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('l1Loss', input, target);
  return reduce('l1Loss', abs(sub(asFloat('l1Loss', input), target)), options.reduction);
}

/**
 * Huber loss: `½d²` where `|d| ≤ delta`, `delta·(|d| − ½delta)` beyond, with `d = input − target`.
 * Quadratic near zero, linear for outliers.
 */
export function huberLoss(input: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ArgumentError(`huberLoss: delta must be positive, got ${delta}`);
  checkSameShape('huberLoss', input, target);
  const d = sub(asFloat('huberLoss', input), target);
  const a = abs(d);
  const quad = mul(mul(d, d), 0.5);
  const lin = mul(sub(a, 0.5 * delta), delta);
  return reduce('huberLoss', where(le(a, delta), quad, lin), options.reduction);
}

/** Smooth L1 loss: Huber loss divided by `beta` (`½d²/beta` near zero, `|d| − ½beta` beyond). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: LossOptions & { beta?: number } = {}): Tensor {
  const beta = options.beta ?? 1;
  if (!(beta > 0)) throw new ArgumentError(`smoothL1Loss: beta must be positive, got ${beta}`);
  checkSameShape('smoothL1Loss', input, target);
  const d = sub(asFloat('smoothL1Loss', input), target);
  const a = abs(d);
  const quad = mul(mul(d, d), 0.5 / beta);
  const lin = sub(a, 0.5 * beta);
  return reduce('smoothL1Loss', where(le(a, beta), quad, lin), options.reduction);
}

/** Probabilities are clamped to at least this before a log, so the loss never takes log(0). */
const BCE_EPS = 1e-12;

/**
 * Binary cross-entropy on probabilities in [0, 1]:
 * `−(t·log p + (1 − t)·log(1 − p))`. Both logs are clamped away from log(0).
 * Prefer {@link binaryCrossEntropyWithLogits} on raw scores: it is more accurate.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('binaryCrossEntropy', input, target);
  const p = asFloat('binaryCrossEntropy', input);
  const pd = p.dataSync();
  for (let i = 0; i < pd.length; i++) {
    const v = pd[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new ArgumentError(
        `binaryCrossEntropy: input must hold probabilities in [0, 1], found ${v} at index ${i}; apply sigmoid first or use binaryCrossEntropyWithLogits`,
      );
    }
  }
  const logP = log(clamp(p, BCE_EPS));
  const log1mP = log(clamp(sub(1, p), BCE_EPS));
  const per = neg(add(mul(target, logP), mul(sub(1, target), log1mP)));
  return reduce('binaryCrossEntropy', per, options.reduction);
}

/**
 * Binary cross-entropy on logits, computed stably as `softplus(x) − t·x`
 * (equal to `−t·log σ(x) − (1 − t)·log(1 − σ(x))`, finite for any x).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  const x = asFloat('binaryCrossEntropyWithLogits', input);
  return reduce('binaryCrossEntropyWithLogits', sub(softplus(x), mul(target, x)), options.reduction);
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends LossOptions {
  /** Mixes the target with the uniform distribution: `(1 − ε)·target + ε/C` (default 0). */
  labelSmoothing?: number;
}

/** Checks class-id targets for `[N, C]` scores and returns them as an `[N, 1]` int32 index. */
function classIndex(name: string, input: Tensor, target: Tensor): Tensor {
  const [n, c] = input.shape as [number, number];
  if (target.ndim !== 1 || target.shape[0] !== n) {
    throw new ShapeError(`${name}: class targets must have shape [${n}] for input ${fmt(input.shape)}, got ${fmt(target.shape)}`);
  }
  const t = target.dtype === 'int32' ? target : target.int();
  const td = t.dataSync();
  const given = target.dtype === 'int32' ? td : target.dataSync();
  for (let i = 0; i < n; i++) {
    const v = td[i]!;
    if (v < 0 || v >= c || v !== given[i]) {
      throw new ArgumentError(`${name}: target ${given[i]} at index ${i} is not a class id in [0, ${c})`);
    }
  }
  return reshape(t, [n, 1]);
}

function batched(name: string, input: Tensor): Tensor {
  if (input.ndim === 2) return input;
  if (input.ndim === 1) return reshape(input, [1, input.shape[0]!]);
  throw new ShapeError(`${name}: input must be [N, C] scores (or [C] for one sample), got ${fmt(input.shape)}`);
}

/**
 * Cross-entropy on logits `[N, C]`: `−Σ_c t_c · log softmax(x)_c` per sample.
 * The target is either class ids `[N]` (int32, or floats holding whole numbers) or
 * probabilities `[N, C]`. Optional label smoothing as in PyTorch. The reduction averages
 * over samples.
 *
 * Class-id targets without label smoothing run as the fused {@link softmaxCrossEntropy}
 * primitive; probability targets and label smoothing are composed from `logSoftmax`.
 *
 * @example
 * ```ts
 * const loss = crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const name = 'crossEntropy';
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ArgumentError(`${name}: labelSmoothing must be in [0, 1], got ${eps}`);
  const single = input.ndim === 1;
  const x = batched(name, asFloat(name, input));
  const [n, c] = x.shape as [number, number];
  let per: Tensor;
  const probTargets = target.dtype !== 'int32' && target.ndim === input.ndim && target.shape.every((d, i) => d === input.shape[i]) && !(single && c === 1);
  if (probTargets && (target.ndim === 2 || single)) {
    let t = batched(name, target);
    if (eps > 0) t = add(mul(t, 1 - eps), eps / c);
    per = neg(sum(mul(logSoftmax(x, 1), t), 1));
  } else {
    const idx = classIndex(name, x, single ? reshape(target, [1]) : target);
    if (eps > 0) {
      const logp = logSoftmax(x, 1);
      const nll = neg(reshape(gather(logp, 1, idx), [n]));
      per = add(mul(nll, 1 - eps), mul(mean(logp, 1), -eps));
    } else {
      // The common case: one fused primitive, whose backward is (softmax − onehot) · g.
      per = softmaxCrossEntropy(x, reshape(idx, [n]));
    }
  }
  if (single) per = reshape(per, []);
  return reduce(name, per, options.reduction);
}

/**
 * Negative log-likelihood on log-probabilities `[N, C]` (e.g. from `logSoftmax`) with
 * class-id targets `[N]`: `−input[i, target[i]]`.
 */
export function nllLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const name = 'nllLoss';
  const single = input.ndim === 1;
  const x = batched(name, asFloat(name, input));
  const [n] = x.shape as [number, number];
  const idx = classIndex(name, x, single ? reshape(target, [1]) : target);
  let per = neg(reshape(gather(x, 1, idx), [n]));
  if (single) per = reshape(per, []);
  return reduce(name, per, options.reduction);
}

/** A loss function as `fit` and the loss modules use it. */
export type LossFn = (input: Tensor, target: Tensor) => Tensor;

/** Loss names accepted by `fit` and `NeuralNetwork`. */
export type LossName =
  | 'mse'
  | 'l1'
  | 'huber'
  | 'smoothL1'
  | 'binaryCrossEntropy'
  | 'binaryCrossEntropyWithLogits'
  | 'crossEntropy'
  | 'nll';

/** The loss function for a name, with default options. */
export function lossByName(name: LossName): LossFn {
  const table: Record<LossName, LossFn> = {
    mse: (a, b) => mseLoss(a, b),
    l1: (a, b) => l1Loss(a, b),
    huber: (a, b) => huberLoss(a, b),
    smoothL1: (a, b) => smoothL1Loss(a, b),
    binaryCrossEntropy: (a, b) => binaryCrossEntropy(a, b),
    binaryCrossEntropyWithLogits: (a, b) => binaryCrossEntropyWithLogits(a, b),
    crossEntropy: (a, b) => crossEntropy(a, b),
    nll: (a, b) => nllLoss(a, b),
  };
  const fn = table[name];
  if (!fn) throw new ArgumentError(`unknown loss '${String(name)}'; use one of ${Object.keys(table).join(', ')}`);
  return fn;
}
