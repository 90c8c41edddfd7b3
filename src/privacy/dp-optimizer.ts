/**
 * The DP-SGD step around any optimizer: per-sample gradients, each clipped to a norm
 * of at most C over all parameters jointly, summed, Gaussian noise N(0, σ²C²) added,
 * divided by the expected batch size, then the original optimizer's update.
 * @module
 */
import { makeOn, noGrad } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { gradSlot, isGradExposed, setGradSlot, setGradUnwanted, valuesOf } from '../autograd/values.js';
import { ArgumentError, PrivacyError } from '../errors.js';
import type { Parameter } from '../nn/module.js';
import { type BaseOptimizerOptions, Optimizer, type OptimizerStateDict, type ParamGroup } from '../optim/optimizer.js';
import type { FloatArray } from '../tensor/dtype.js';
import { zeroStorageLike } from '../tensor/storage.js';
import type { RandomSource } from './noise.js';
import type { LossReduction, PerSampleGradients } from './per-sample.js';

/** Something that counts the privacy cost of each noisy step (an `RDPAccountant`). */
export interface StepAccountant {
  step(args: { noiseMultiplier: number; sampleRate: number }): void;
}

/** Options of {@link DPOptimizer}. */
export interface DPOptimizerOptions {
  /** σ: the noise's standard deviation as a multiple of `maxGradNorm`. */
  noiseMultiplier: number;
  /** C: every sample's gradient (all parameters together) is clipped to this L2 norm. */
  maxGradNorm: number;
  /** The mean batch size q·N; the noisy sum is divided by it for a 'mean' loss. */
  expectedBatchSize: number;
  /** q, reported to the accountant with every step. */
  sampleRate: number;
  /** The recorder of the model's per-sample gradients. */
  perSample: PerSampleGradients;
  /** The loss reduction (default 'mean'); with 'sum' the noisy sum is not divided. */
  lossReduction?: LossReduction;
  /** The source of the Gaussian noise. */
  random: RandomSource;
  /** Stepped once per optimizer step. */
  accountant?: StepAccountant;
}

/** What one private step did, for logs and tests. */
export interface DPStepInfo {
  /** Samples in the batch (0 for an empty Poisson batch: the step is noise only). */
  batchSize: number;
  /** The per-sample gradient norms before clipping. */
  norms: Float64Array;
  /** How many of them were clipped. */
  clipped: number;
}

/**
 * Wraps an optimizer so that each `step()` is a DP-SGD step. Hyperparameters are read
 * from this optimizer's `paramGroups` (so learning-rate schedulers work on it) and
 * copied to the wrapped one before its update; `stateDict` is the wrapped one's.
 *
 * Usually made by `makePrivate`; the model's per-sample gradients must be recorded by
 * the same {@link PerSampleGradients}.
 */
export class DPOptimizer<O extends BaseOptimizerOptions = BaseOptimizerOptions> extends Optimizer<O> {
  readonly noiseMultiplier: number;
  readonly maxGradNorm: number;
  readonly expectedBatchSize: number;
  readonly sampleRate: number;
  /** Optimizer steps taken. */
  steps = 0;
  /** What the last step did (null before the first). */
  lastStep: DPStepInfo | null = null;
  private readonly perSample: PerSampleGradients;
  private readonly random: RandomSource;
  private readonly reduction: LossReduction;
  private readonly accountant: StepAccountant | undefined;
  /** Per parameter, the block its last private gradient was written into (reused while unseen). */
  private readonly buffers = new Map<Parameter, Tensor>();

  constructor(
    readonly original: Optimizer<O>,
    options: DPOptimizerOptions,
  ) {
    super(
      original.paramGroups.map((g) => ({ ...g, params: [...g.params] })),
      original.defaults,
    );
    const { noiseMultiplier: sigma, maxGradNorm: c, expectedBatchSize: b } = options;
    if (!(sigma >= 0 && Number.isFinite(sigma))) throw new ArgumentError(`DPOptimizer: noiseMultiplier must be a finite number ≥ 0, got ${sigma}`);
    if (!(c > 0 && Number.isFinite(c))) throw new ArgumentError(`DPOptimizer: maxGradNorm must be a positive number, got ${c}`);
    if (!(b > 0)) throw new ArgumentError(`DPOptimizer: expectedBatchSize must be positive, got ${b}`);
    const covered = new Set<Tensor>(options.perSample.parameters);
    for (const g of original.paramGroups) {
      for (const p of g.params) {
        if (!covered.has(p)) {
          throw new PrivacyError(
            `DPOptimizer: the optimizer holds a parameter (shape [${p.shape.join(', ')}]) that is not a trainable parameter of the private model, so its gradient would not be clipped; build the optimizer over model.parameters()`,
          );
        }
      }
    }
    this.noiseMultiplier = sigma;
    this.maxGradNorm = c;
    this.expectedBatchSize = b;
    this.sampleRate = options.sampleRate;
    this.perSample = options.perSample;
    this.random = options.random;
    this.reduction = options.lossReduction ?? 'mean';
    this.accountant = options.accountant;
  }

  /** False when the noise comes from a seeded generator: then the training is not private. */
  get secure(): boolean {
    return this.random.secure;
  }

  protected validate(_options: O): void {
    // The wrapped optimizer validated its hyperparameters.
  }

  protected updateGroup(_group: ParamGroup<O>): void {
    // Never called: step() is overridden.
  }

  /**
   * Clears the gradients and any per-sample gradients recorded since the last step. Until
   * the next `step()`, backward passes skip the batch gradients of the parameters where
   * they can (Linear layers): the step replaces them by the private gradient anyway.
   */
  override zeroGrad(): void {
    this.original.zeroGrad();
    this.perSample.clear();
    for (const p of this.params()) setGradUnwanted(p, true);
  }

  /**
   * Makes backward passes compute the parameters' batch gradients again, as after a
   * `step()`: for a step begun with `zeroGrad()` that never came (an error in between).
   * `makePrivate`'s `detach()` calls it.
   */
  releaseGradients(): void {
    for (const p of this.params()) setGradUnwanted(p, false);
  }

  private params(): Parameter[] {
    return this.paramGroups.flatMap((g) => g.params) as Parameter[];
  }

  /** One DP-SGD step: clip per sample, sum, add noise, average, then the wrapped optimizer's update. */
  override step(): void {
    this.releaseGradients();
    noGrad(() => this.privatise());
    this.paramGroups.forEach((g, i) => {
      const target = this.original.paramGroups[i];
      if (target !== undefined) Object.assign(target, { ...g, params: target.params });
    });
    this.original.step();
    this.steps++;
    this.accountant?.step({ noiseMultiplier: this.noiseMultiplier, sampleRate: this.sampleRate });
  }

  /** Replaces every parameter's gradient by its clipped, noised and averaged per-sample sum. */
  private privatise(): void {
    const per = this.perSample.collectSampleGrads();
    const params = this.params();
    let n = 0;
    for (const gs of per.values()) n = Math.max(n, gs.n);
    const sq = new Float64Array(n);
    for (const gs of per.values()) {
      if (gs.n !== n) throw new PrivacyError(`DPOptimizer: per-sample gradients of ${gs.n} and ${n} samples in one step`);
      const s = gs.sqNorms();
      for (let i = 0; i < n; i++) sq[i]! += s[i]!;
    }
    const norms = sq.map(Math.sqrt);
    const factors = new Float32Array(n);
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      const f = Math.min(1, this.maxGradNorm / (norms[i]! + 1e-6));
      if (f < 1) clipped++;
      factors[i] = f;
    }
    const scale = this.reduction === 'mean' ? 1 / this.expectedBatchSize : 1;
    const std = this.noiseMultiplier * this.maxGradNorm * scale;
    if (scale !== 1) for (let i = 0; i < n; i++) factors[i] = factors[i]! * scale;
    for (const p of params) {
      const gs = per.get(p);
      // The clipped sum first (a kernel call may grow the backend's memory and move its views).
      const summed = gs !== undefined && n > 0 ? (gs.weightedSum(factors).dataSync() as FloatArray) : null;
      // Then the noise straight into the gradient's own storage (resident with a WASM backend,
      // so the optimizer updates it in place without a copy), then the clipped sum added there.
      const grad = this.gradTarget(p);
      const out = valuesOf(grad) as FloatArray;
      this.random.fillNormal(out, std);
      if (summed !== null) for (let i = 0; i < out.length; i++) out[i] = out[i]! + summed[i]!;
      setGradSlot(p, grad);
    }
    this.lastStep = { batchSize: n, norms, clipped };
  }

  /**
   * The tensor `p`'s private gradient is written into: its current gradient when that one
   * is a whole, contiguous block of its own dtype that the caller never saw (it is
   * overwritten), else the block this optimizer wrote last time (when backward skipped
   * the batch gradient), else new storage where `p` lives (resident when `p` is).
   */
  private gradTarget(p: Parameter): Tensor {
    const usable = (g: Tensor | null | undefined): g is Tensor =>
      g != null && g.dtype === p.dtype && g.offset === 0 && g.isContiguous() && g.storage.length === p.size && g.storage !== p.storage && !isGradExposed(g);
    const g = gradSlot(p);
    if (usable(g)) return g;
    const kept = this.buffers.get(p);
    if (usable(kept)) return kept;
    const fresh = makeOn(zeroStorageLike(p.storage, p.dtype, p.size), p.shape);
    this.buffers.set(p, fresh);
    return fresh;
  }

  /** The wrapped optimizer's state. */
  override stateDict(): OptimizerStateDict {
    return this.original.stateDict();
  }

  /** Restores the wrapped optimizer's state and copies its hyperparameters here. */
  override loadStateDict(sd: OptimizerStateDict): void {
    this.original.loadStateDict(sd);
    this.original.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i];
      if (own !== undefined) Object.assign(own, { ...g, params: own.params });
    });
  }
}
