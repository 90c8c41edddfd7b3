/**
 * `makePrivate` and `makePrivateWithEpsilon`: turn a model, an optimizer and data into
 * their differentially private counterparts (DP-SGD, as Opacus's `PrivacyEngine`).
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { AnyModule } from '../nn/module.js';
import type { BaseOptimizerOptions, Optimizer } from '../optim/optimizer.js';
import { type BatchDataset, type BatchLoader, type Source, toSource, type XY } from '../train/data.js';
import { RDPAccountant, getNoiseMultiplier } from './accountant.js';
import { DPOptimizer } from './dp-optimizer.js';
import { type NoiseOption, type RandomSource, randomSource } from './noise.js';
import { type LossReduction, PerSampleGradients } from './per-sample.js';
import { PoissonLoader, ShuffledLoader } from './poisson.js';

/** A batching loader over a dataset, as `DataLoader` from the data module. */
export interface DatasetLoader {
  /** The samples. */
  readonly dataset: BatchDataset;
  /** Samples per batch: the expected batch size of the private loader. */
  readonly batchSize: number;
}

/** Options of {@link makePrivate}. */
export interface MakePrivateOptions<O extends BaseOptimizerOptions = BaseOptimizerOptions, M extends AnyModule = AnyModule> {
  /** The model; its forward hooks record the per-sample gradients (BatchNorm is refused). */
  model: M;
  /** An optimizer over the model's parameters; it makes the update from the private gradient. */
  optimizer: Optimizer<O>;
  /** A loader whose dataset and batch size the private loader takes over. Give this or `data`. */
  dataLoader?: DatasetLoader;
  /** The samples, as `{ x, y }` tensors or a dataset, with `batchSize`. Give this or `dataLoader`. */
  data?: XY | BatchDataset;
  /** The expected batch size with `data` (required there). */
  batchSize?: number;
  /** σ: the noise's standard deviation as a multiple of `maxGradNorm` (> 0). */
  noiseMultiplier: number;
  /** C: every sample's gradient is clipped to this L2 norm over all parameters. */
  maxGradNorm: number;
  /**
   * Poisson sampling (default true): each batch takes every sample with probability
   * q = batchSize/N, as the privacy analysis assumes. `false` draws shuffled batches of
   * fixed size instead; the accountant's ε is then only an approximation.
   */
  poisson?: boolean;
  /**
   * The randomness (noise and sampling): `'crypto'` (default, `crypto.getRandomValues`).
   * A seeded {@link Generator} or seed makes runs reproducible for tests, and reports
   * `secure: false`: such a run is not private.
   */
  noise?: NoiseOption;
  /** The reduction of the training loss (default 'mean', as `fit`'s losses). */
  lossReduction?: LossReduction;
  /** Called once per layer class that falls back to per-sample loops (default `console.warn`). */
  onFallback?: (message: string) => void;
  /**
   * The accountant to count the steps in (default a new {@link RDPAccountant}). To resume
   * a run, pass one restored from the saved run's `accountant.toJSON()`
   * (`RDPAccountant.fromJSON(saved)`): `getEpsilon` then reports the whole run.
   */
  accountant?: RDPAccountant;
}

/** What {@link makePrivate} returns: pass `model`, `dataLoader` and `optimizer` to `fit` or a loop of your own. */
export interface PrivateTraining<O extends BaseOptimizerOptions = BaseOptimizerOptions, M extends AnyModule = AnyModule> {
  /** The same model, now recording per-sample gradients. */
  model: M;
  /** The DP-SGD optimizer wrapping the original. */
  optimizer: DPOptimizer<O>;
  /** Poisson-sampled batches (or shuffled ones with `poisson: false`); one epoch per iteration. */
  dataLoader: BatchLoader & { readonly sampleRate: number };
  /** Counts the privacy spent: stepped once per optimizer step. */
  accountant: RDPAccountant;
  /** σ. */
  noiseMultiplier: number;
  /** C. */
  maxGradNorm: number;
  /** q. */
  sampleRate: number;
  /** False when the randomness is seeded: the result is then NOT private. */
  secure: boolean;
  /** The ε spent so far at `delta`. */
  getEpsilon(delta: number): number;
  /** Removes the hooks from the model (it then trains and runs as before). */
  detach(): void;
}

function sourceOf(o: MakePrivateOptions<BaseOptimizerOptions>): { source: Source; batchSize: number } {
  if ((o.dataLoader === undefined) === (o.data === undefined)) {
    throw new ArgumentError(`makePrivate: give either dataLoader or data (with batchSize), not ${o.dataLoader === undefined ? 'neither' : 'both'}`);
  }
  const batchSize = o.dataLoader?.batchSize ?? o.batchSize;
  const source = toSource('makePrivate', (o.dataLoader?.dataset ?? o.data)!);
  if (batchSize === undefined) throw new ArgumentError('makePrivate: with data, give batchSize (the expected batch size)');
  if (!(Number.isInteger(batchSize) && batchSize > 0 && batchSize <= source.length)) {
    throw new ArgumentError(`makePrivate: batchSize must be an integer in [1, ${source.length}] (the number of samples), got ${batchSize}`);
  }
  return { source, batchSize };
}

/** The sampling rate q and the steps per epoch for a batch size, as Opacus: q = 1/⌈N/B⌉. */
export function samplingOf(datasetSize: number, batchSize: number): { sampleRate: number; steps: number } {
  const steps = Math.ceil(datasetSize / batchSize);
  return { sampleRate: 1 / steps, steps };
}

/**
 * Makes training private with DP-SGD (Abadi et al. 2016), as Opacus's
 * `PrivacyEngine.make_private`: per-sample gradients through hooks on `model`, each
 * clipped to `maxGradNorm`, Gaussian noise of standard deviation
 * `noiseMultiplier · maxGradNorm` on their sum, Poisson-sampled batches, and an
 * {@link RDPAccountant} that counts every step.
 *
 * @throws PrivacyError for a model with BatchNorm (use GroupNorm), or an optimizer over
 *   parameters that are not the model's
 *
 * @example
 * ```ts
 * const priv = makePrivate({
 *   model, optimizer: new SGD(model.parameters(), { lr: 0.5 }),
 *   data: { x, y }, batchSize: 256, noiseMultiplier: 1.1, maxGradNorm: 1,
 * });
 * fit(priv.model, priv.dataLoader, { epochs: 5, optimizer: priv.optimizer, loss: 'crossEntropy' });
 * priv.getEpsilon(1e-5); // the ε spent
 * ```
 */
export function makePrivate<O extends BaseOptimizerOptions, M extends AnyModule>(options: MakePrivateOptions<O, M>): PrivateTraining<O, M> {
  const { model, optimizer, noiseMultiplier, maxGradNorm } = options;
  if (!(noiseMultiplier > 0 && Number.isFinite(noiseMultiplier))) {
    throw new ArgumentError(`makePrivate: noiseMultiplier must be a finite number > 0, got ${noiseMultiplier}`);
  }
  if (!(maxGradNorm > 0 && Number.isFinite(maxGradNorm))) throw new ArgumentError(`makePrivate: maxGradNorm must be a finite number > 0, got ${maxGradNorm}`);
  const { source, batchSize } = sourceOf(options as MakePrivateOptions<BaseOptimizerOptions>);
  const random: RandomSource = randomSource(options.noise);
  const { sampleRate, steps } = samplingOf(source.length, batchSize);
  const dataLoader =
    options.poisson === false ? new ShuffledLoader(source, { batchSize, random }) : new PoissonLoader(source, { sampleRate, steps, random });
  const perSample = new PerSampleGradients(model, {
    lossReduction: options.lossReduction,
    ...(options.onFallback === undefined ? {} : { onFallback: options.onFallback }),
  });
  const accountant = options.accountant ?? new RDPAccountant();
  try {
    const dp = new DPOptimizer(optimizer, {
      noiseMultiplier,
      maxGradNorm,
      expectedBatchSize: sampleRate * source.length,
      sampleRate,
      perSample,
      lossReduction: options.lossReduction,
      random,
      accountant,
    });
    return {
      model,
      optimizer: dp,
      dataLoader,
      accountant,
      noiseMultiplier,
      maxGradNorm,
      sampleRate,
      secure: random.secure,
      getEpsilon: (delta) => accountant.getEpsilon(delta),
      detach: () => {
        perSample.remove();
        dp.releaseGradients();
      },
    };
  } catch (e) {
    perSample.remove();
    throw e;
  }
}

/** Options of {@link makePrivateWithEpsilon}: those of {@link makePrivate} with a budget instead of σ. */
export interface MakePrivateWithEpsilonOptions<O extends BaseOptimizerOptions = BaseOptimizerOptions, M extends AnyModule = AnyModule>
  extends Omit<MakePrivateOptions<O, M>, 'noiseMultiplier'> {
  /** The ε the whole run may spend. */
  targetEpsilon: number;
  /** The δ of the guarantee (typically below 1/N). */
  targetDelta: number;
  /** The epochs the run will train: σ is calibrated so that they spend `targetEpsilon`. */
  epochs: number;
}

/**
 * {@link makePrivate} with the smallest noise multiplier σ for which `epochs` epochs
 * spend at most `targetEpsilon` at `targetDelta` (found with `getNoiseMultiplier`).
 * Training longer than `epochs` spends more: check `getEpsilon(targetDelta)`.
 *
 * @example
 * ```ts
 * const priv = makePrivateWithEpsilon({
 *   model, optimizer, data: { x, y }, batchSize: 256,
 *   targetEpsilon: 3, targetDelta: 1e-5, epochs: 10, maxGradNorm: 1,
 * });
 * priv.noiseMultiplier; // the calibrated σ
 * ```
 */
export function makePrivateWithEpsilon<O extends BaseOptimizerOptions, M extends AnyModule>(
  options: MakePrivateWithEpsilonOptions<O, M>,
): PrivateTraining<O, M> {
  const { targetEpsilon, targetDelta, epochs, ...rest } = options;
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new ArgumentError(`makePrivateWithEpsilon: epochs must be a positive integer, got ${epochs}`);
  const { source, batchSize } = sourceOf({ ...rest, noiseMultiplier: 1 } as MakePrivateOptions<BaseOptimizerOptions>);
  const { sampleRate, steps } = samplingOf(source.length, batchSize);
  const noiseMultiplier = getNoiseMultiplier({ targetEpsilon, targetDelta, sampleRate, steps: steps * epochs });
  return makePrivate({ ...rest, noiseMultiplier } as MakePrivateOptions<O, M>);
}
