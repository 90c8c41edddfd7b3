/**
 * `LayerNorm` and `BatchNorm1d`.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { add, div, layerNorm, mean, mul, reshape, sqrt, sub, variance } from '../ops/index.js';
import { ones, zeros } from './init.js';
import { Module, Parameter } from './module.js';

/**
 * Normalises over the last dimensions (`normalizedShape`) of each sample to zero mean and
 * unit variance, then applies a learned scale and shift.
 * Runs as one op, {@link layerNorm}: one kernel forward and one backward (dx and both
 * parameter gradients together).
 *
 * @example
 * ```ts
 * const ln = new LayerNorm(64);
 * ln.forward(x); // x: [batch, 64]
 * ```
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  /**
   * @param options - `eps` (default 1e-5); `elementwiseAffine` (default true) learns a scale and
   *   a shift; `bias: false` keeps the scale without the shift (PyTorch 2.1's `bias`).
   */
  constructor(normalizedShape: number | number[], options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || this.normalizedShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ArgumentError(`LayerNorm: normalizedShape must be positive integers, got [${this.normalizedShape.join(', ')}]`);
    }
    this.eps = options.eps ?? 1e-5;
    const n = this.normalizedShape.reduce((a, b) => a * b, 1);
    const affine = options.elementwiseAffine ?? true;
    this.weight = this.param('weight', affine ? ones(new Parameter(new Float32Array(n), this.normalizedShape)) : null);
    this.bias = this.param('bias', affine && options.bias !== false ? zeros(new Parameter(new Float32Array(n), this.normalizedShape)) : null);
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(
        `LayerNorm: input shape [${x.shape.join(', ')}] does not end with normalizedShape [${this.normalizedShape.join(', ')}]`,
      );
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}`;
  }
}

/** Options of {@link BatchNorm1d}. */
export interface BatchNormOptions {
  eps?: number;
  /**
   * Weight of the current batch in the running averages (PyTorch's convention, default 0.1);
   * null for the cumulative average of every batch so far (weight 1/numBatchesTracked).
   */
  momentum?: number | null;
  /** Learn a per-feature scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
}

/**
 * `(1 − m)·running + m·batch`, in float64 and rounded once into the buffers; the batch
 * variance `v` (biased, over `count` values) enters unbiased, as in PyTorch.
 */
export function updateRunningStats(rm: Tensor | null, rv: Tensor | null, mu: Tensor, v: Tensor, count: number, m: number): void {
  noGrad(() => {
    if (rm) blend(rm, mu, 1 - m, m);
    if (rv) blend(rv, v, 1 - m, (m * count) / (count - 1));
  });
}

/**
 * `buffer ← keep·buffer + take·batch`, per feature in float64 (JavaScript numbers) and rounded
 * once into the buffer. A few values per layer: a loop here costs less than backend ops, and
 * asks no backend for float64 arithmetic (which the WASM kernels leave to the reference).
 */
function blend(buffer: Tensor, batch: Tensor, keep: number, take: number): void {
  const r = buffer.dataSync();
  const b = batch.dataSync();
  const out = new Float64Array(r.length);
  for (let i = 0; i < out.length; i++) out[i] = keep * Number(r[i]) + take * Number(b[i]);
  buffer.copy_(new Tensor(out, buffer.shape));
}

/**
 * What `BatchNorm1d` and `BatchNorm2d` share: the options, the per-feature `weight` and
 * `bias`, the running statistics and the momentum rule. Not a layer of its own.
 */
export abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;

  /** @param layer - the class name, for error messages. */
  constructor(
    layer: string,
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new ArgumentError(`${layer}: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ArgumentError(`${layer}: momentum must be in [0, 1], got ${this.momentum}`);
    }
    const c = numFeatures;
    const affine = options.affine ?? true;
    this.weight = this.param('weight', affine ? ones(new Parameter(new Float32Array(c), [c])) : null);
    this.bias = this.param('bias', affine ? zeros(new Parameter(new Float32Array(c), [c])) : null);
    if (options.trackRunningStats ?? true) {
      this.runningMean = this.buffer('runningMean', new Tensor(new Float32Array(c), [c]));
      this.runningVar = this.buffer('runningVar', new Tensor(new Float32Array(c).fill(1), [c]));
      this.numBatchesTracked = this.buffer('numBatchesTracked', new Tensor(new Int32Array(1), []));
    } else {
      this.runningMean = null;
      this.runningVar = null;
      this.numBatchesTracked = null;
    }
  }

  /**
   * Counts one more training batch and returns the weight it gets in the running averages:
   * the momentum, or with momentum null 1/count (PyTorch's cumulative average).
   */
  protected countBatch(): number {
    const n = this.numBatchesTracked;
    if (n === null) return this.momentum ?? 0;
    // Written directly: an int32 add would be a backend op the WASM kernels leave to the reference.
    noGrad(() => n.copy_(new Tensor(Int32Array.of(Number(n.dataSync()[0]) + 1), [])));
    return this.momentum ?? 1 / n.dataSync()[0]!;
  }
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]` inputs. In training mode it normalises
 * with the batch's statistics and updates running averages; in evaluation mode it uses
 * the running averages.
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(10, 32), new BatchNorm1d(32), new ReLU());
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `BatchNorm1d(${this.numFeatures}): expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got [${x.shape.join(', ')}]`,
      );
    }
    const axes = x.ndim === 2 ? [0] : [0, 2];
    const statShape = x.ndim === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1];
    const count = x.size / this.numFeatures;
    let mu: Tensor;
    let v: Tensor;
    if (this.training || !this.runningMean || !this.runningVar) {
      if (this.training && count < 2) {
        throw new ShapeError(`BatchNorm1d: training needs more than one value per feature, got input [${x.shape.join(', ')}]`);
      }
      mu = mean(x, axes, true);
      v = variance(x, axes, true, 0);
      if (this.training && this.runningMean && this.runningVar && this.numBatchesTracked) {
        updateRunningStats(this.runningMean, this.runningVar, mu, v, count, this.countBatch());
      }
    } else {
      mu = reshape(this.runningMean, statShape);
      v = reshape(this.runningVar, statShape);
    }
    let y = div(sub(x, mu), sqrt(add(v, this.eps)));
    if (this.weight) y = mul(y, reshape(this.weight, statShape));
    if (this.bias) y = add(y, reshape(this.bias, statShape));
    return y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}`;
  }
}
