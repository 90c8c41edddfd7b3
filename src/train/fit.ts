/**
 * `fit`, `evaluate` and `predict`: the training loop around a model, a loss and an
 * optimizer, with metrics, validation, callbacks and gradient clipping.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, TrainingDivergedError } from '../errors.js';
import type { LossModule } from '../nn/loss-modules.js';
import { type LossFn, type LossName, lossByName } from '../nn/losses.js';
import { Module } from '../nn/module.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam, AdamW } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { Generator } from '../tensor/random.js';
import type { FloatArray } from '../tensor/dtype.js';
import { type BatchInfo, type Callback, type EpochInfo, type FitWarning, History, type Logs, type TrainContext, valKey } from './callbacks.js';
import { batches, epochOf, type Feed, resolveBatchSize, subset, type TrainData, toFeed, toSource } from './data.js';
import { METRICS, type MetricFn, type MetricName } from './metrics.js';

/** Optimizer names `fit` can build (with `learningRate`). */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

/** A metric given to `fit`: a built-in name or a named function. */
export type MetricSpec = MetricName | { name: string; fn: MetricFn };

/** Options of {@link fit}. */
export interface FitOptions {
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Samples per gradient step (default 32; `Infinity` for full-batch training). */
  batchSize?: number;
  /** Reshuffle the samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). Weights and dropout are seeded where they are created. */
  seed?: number;
  /**
   * The loss: a name, a function `(output, target) => Tensor`, or a loss module such as
   * `new CrossEntropyLoss()` or any `Module<[Tensor, Tensor], Tensor>` (default 'mse'). A
   * loss module is put in the model's mode (training, or evaluation for validation). A
   * named `optimizer` trains the model's parameters only; pass an optimizer over both to
   * train a loss module's own parameters.
   */
  loss?: LossName | LossFn | LossModule;
  /** An optimizer over the model's parameters, or a name (default 'adam'). */
  optimizer?: Optimizer | OptimizerName;
  /** Learning rate when `optimizer` is a name. */
  learningRate?: number;
  /** Metrics computed on each epoch's outputs, for training and validation. */
  metrics?: readonly MetricSpec[];
  /** Hold out this fraction of the samples (the last ones, before shuffling) for validation. */
  validationSplit?: number;
  /** Separate validation data (takes precedence over `validationSplit`). */
  validationData?: TrainData;
  /** Hooks called during training. */
  callbacks?: readonly Callback[];
  /** Clip the global gradient norm to this value before every step. */
  clipGradNorm?: number;
  /**
   * Receives what `fit` reports without stopping (default `console.warn` of the message):
   * an epoch whose batches were all empty, so that it has no training loss
   * (see {@link EpochInfo.samples}).
   */
  onWarning?: (warning: FitWarning) => void;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The loss, as in {@link FitOptions.loss} (default 'mse'). */
  loss?: LossName | LossFn | LossModule;
  metrics?: readonly MetricSpec[];
  batchSize?: number;
}

/** What {@link evaluate} returns. */
export interface Evaluation {
  loss: number;
  metrics: Record<string, number>;
}

/** Turns a loss option into a function. */
export function resolveLoss(loss: LossName | LossFn | LossModule | undefined): LossFn {
  if (loss === undefined) return lossByName('mse');
  if (typeof loss === 'string') return lossByName(loss);
  if (loss instanceof Module) return (a, b) => loss.forward(a, b);
  return loss;
}

/** The loss option when it is a module (its mode follows the model's), else null. */
function lossModuleOf(loss: LossName | LossFn | LossModule | undefined): LossModule | null {
  return loss instanceof Module ? loss : null;
}

/** Builds an optimizer from a name, or checks a given one. */
export function resolveOptimizer(
  model: Module,
  opt: Optimizer | OptimizerName | undefined,
  lr?: number,
  weightDecay?: number,
): Optimizer {
  if (opt !== undefined && typeof opt !== 'string') return opt;
  const params = model.parameters();
  const o = { ...(lr === undefined ? {} : { lr }), ...(weightDecay === undefined ? {} : { weightDecay }) };
  switch (opt ?? 'adam') {
    case 'sgd':
      return new SGD(params, o);
    case 'adam':
      return new Adam(params, o);
    case 'adamw':
      return new AdamW(params, o);
    case 'rmsprop':
      return new RMSprop(params, o);
    case 'adagrad':
      return new Adagrad(params, o);
    default:
      throw new ArgumentError(`fit: unknown optimizer '${String(opt)}'; use sgd, adam, adamw, rmsprop or adagrad`);
  }
}

function resolveMetrics(specs: readonly MetricSpec[] = []): { name: string; fn: MetricFn }[] {
  return specs.map((s) => {
    if (typeof s !== 'string') return s;
    const fn = METRICS[s];
    if (!fn) throw new ArgumentError(`unknown metric '${String(s)}'; use one of ${Object.keys(METRICS).join(', ')}`);
    return { name: s, fn };
  });
}

/** Collects batch outputs and targets so metrics see the whole epoch at once. */
class Collector {
  private readonly outs: FloatArray[] = [];
  private readonly tgts: (FloatArray | Int32Array)[] = [];
  private outShape: readonly number[] = [];
  private tgtShape: readonly number[] = [];
  private rows = 0;
  add(out: Tensor, target: Tensor): void {
    this.outs.push(out.dataSync().slice() as FloatArray);
    this.tgts.push(target.dataSync().slice());
    this.outShape = out.shape.slice(1);
    this.tgtShape = target.shape.slice(1);
    this.rows += out.shape[0] ?? 1;
  }
  compute(metrics: readonly { name: string; fn: MetricFn }[], logs: Logs, prefix: (n: string) => string): void {
    if (metrics.length === 0) return;
    const join = (parts: ArrayLike<number>[]) => {
      const n = parts.reduce((s, p) => s + p.length, 0);
      const out = new Float64Array(n);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    const pred = { data: join(this.outs), shape: [this.rows, ...this.outShape] };
    const target = { data: join(this.tgts), shape: [this.rows, ...this.tgtShape] };
    for (const m of metrics) logs[prefix(m.name)] = m.fn(pred, target);
  }
}

function diverged(epoch: number, batch: number, lr: number, loss: number, gradNorm?: number): TrainingDivergedError {
  const what = gradNorm === undefined ? `the loss is ${loss}` : `the gradient norm is ${gradNorm} (the loss was ${loss})`;
  return new TrainingDivergedError(
    `Training diverged at epoch ${epoch}, batch ${batch}: ${what}. ` +
      `Try a lower learning rate (it is ${lr}), scale the inputs (for example with StandardScaler), ` +
      'or clip gradients with the clipGradNorm option.',
    epoch,
    batch,
    loss,
    gradNorm,
  );
}

/**
 * Trains `model` on `data` and returns the per-epoch {@link History}.
 *
 * @throws TrainingDivergedError when a batch's loss is NaN or infinite (naming the epoch
 *   and the batch); training never continues silently past it.
 *
 * @example
 * ```ts
 * const history = fit(model, { x, y }, {
 *   epochs: 100, batchSize: 32, loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }),
 *   metrics: ['accuracy'], validationSplit: 0.2,
 * });
 * ```
 */
export function fit(model: Module, data: TrainData, options: FitOptions = {}): History {
  const epochs = options.epochs ?? 10;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new ArgumentError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  const lossFn = resolveLoss(options.loss);
  const lossModule = lossModuleOf(options.loss);
  const optimizer = resolveOptimizer(model, options.optimizer, options.learningRate);
  const metrics = resolveMetrics(options.metrics);
  const callbacks = options.callbacks ?? [];
  const clip = options.clipGradNorm;
  if (clip !== undefined && !(clip > 0)) throw new ArgumentError(`fit: clipGradNorm must be positive, got ${clip}`);
  const gen = new Generator(options.seed ?? 0);
  const warn = options.onWarning ?? ((w: FitWarning) => console.warn(w.message));

  let train: Feed = toFeed('fit', data);
  let validation: Feed | null = options.validationData ? toFeed('fit (validationData)', options.validationData) : null;
  const split = options.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new ArgumentError(`fit: validationSplit must be in [0, 1), got ${split}`);
  if (!validation && split > 0) {
    if (train.kind === 'loader') {
      throw new ArgumentError('fit: validationSplit needs { x, y } tensors or an indexed dataset; with a loader, pass validationData');
    }
    const all = train.src;
    const nVal = Math.round(all.length * split);
    if (nVal < 1 || nVal >= all.length) {
      throw new ArgumentError(`fit: validationSplit ${split} of ${all.length} samples leaves no training or no validation data`);
    }
    const nTrain = all.length - nVal;
    validation = { kind: 'indexed', src: subset(all, Int32Array.from({ length: nVal }, (_, i) => nTrain + i)) };
    train = { kind: 'indexed', src: subset(all, Int32Array.from({ length: nTrain }, (_, i) => i)) };
  }
  if (train.kind === 'indexed' && train.src.length === 0) throw new ArgumentError('fit: the training data is empty');
  const batchSize = train.kind === 'indexed' ? resolveBatchSize('fit', options.batchSize, train.src.length, 32) : 32;
  const shuffle = options.shuffle === false ? null : (n: number) => gen.permutation(n);
  const params = model.parameters();

  const history = new History();
  const ctx: TrainContext = { model, stopTraining: false, optimizer };
  const start = performance.now();
  for (const cb of callbacks) cb.onTrainBegin?.(ctx);

  for (let epoch = 1; epoch <= epochs && !ctx.stopTraining; epoch++) {
    for (const cb of callbacks) cb.onEpochBegin?.(epoch, ctx);
    model.train();
    lossModule?.train();
    const lr = optimizer.paramGroups[0]?.lr ?? Number.NaN;
    const { count: perEpoch, batches: epochBatches } = epochOf(train, batchSize, shuffle);
    const collector = new Collector();
    let lossSum = 0;
    let seen = 0;
    let b = 0;
    for (const { x, y } of epochBatches) {
      b++;
      const size = x.shape[0] ?? 1;
      optimizer.zeroGrad();
      if (size === 0) {
        // An empty batch (Poisson sampling in private training) is still a step: a private
        // optimizer adds its noise; an ordinary one finds no gradient and changes nothing.
        optimizer.step();
        continue;
      }
      const out = model.forward(x);
      const loss = lossFn(out, y);
      if (loss.size !== 1) {
        throw new ArgumentError(`fit: the loss must be a single number, got shape [${loss.shape.join(', ')}]; use reduction 'mean' or 'sum'`);
      }
      const value = loss.item();
      if (!Number.isFinite(value)) throw diverged(epoch, b, lr, value);
      loss.backward();
      if (clip !== undefined) {
        const norm = clipGradNorm(params, clip);
        if (!Number.isFinite(norm)) throw diverged(epoch, b, lr, value, norm);
      }
      optimizer.step();
      if (metrics.length > 0) collector.add(out, y);
      lossSum += value * size;
      seen += size;
      if (callbacks.length > 0) {
        const elapsedMs = performance.now() - start;
        const done = (epoch - 1) * perEpoch + b;
        const total = epochs * perEpoch;
        const progress = Math.min(1, done / total);
        const info: BatchInfo = {
          epoch,
          epochs,
          batch: b,
          batches: perEpoch,
          size,
          loss: value,
          epochLoss: lossSum / seen,
          elapsedMs,
          etaMs: (elapsedMs / done) * Math.max(0, total - done),
          progress,
        };
        for (const cb of callbacks) cb.onBatchEnd?.(info, ctx);
      }
    }
    if (b === 0) throw new ArgumentError(`fit: epoch ${epoch} had no batches (is the loader empty?)`);
    // An epoch whose batches were all empty (Poisson sampling of a small dataset) has no
    // training loss or metrics: they are left out of the logs (never NaN), and a warning says why.
    const logs: Logs = seen === 0 ? {} : { loss: lossSum / seen };
    if (seen === 0) {
      warn({
        code: 'empty-epoch',
        epoch,
        message: `fit: every batch of epoch ${epoch} was empty (${b} batch${b === 1 ? '' : 'es'}, as Poisson sampling can draw from a small dataset), so it has no training loss; its optimizer steps still ran`,
      });
    } else collector.compute(metrics, logs, (m) => m);
    if (validation) {
      const ev = evaluateFeed(model, validation, lossFn, metrics, batchSize, lossModule);
      logs.valLoss = ev.loss;
      for (const [k, v] of Object.entries(ev.metrics)) logs[valKey(k)] = v;
    }
    const info: EpochInfo = { epoch, epochs, logs, lr, elapsedMs: performance.now() - start, samples: seen };
    history.record(info, metrics.map((m) => m.name));
    for (const cb of callbacks) cb.onEpochEnd?.(info, ctx);
  }
  for (const cb of callbacks) cb.onTrainEnd?.(history, ctx);
  return history;
}

function evaluateFeed(
  model: Module,
  feed: Feed,
  lossFn: LossFn,
  metrics: readonly { name: string; fn: MetricFn }[],
  batchSize: number,
  lossModule: LossModule | null,
): Evaluation {
  const wasTraining = model.training;
  const lossWasTraining = lossModule?.training ?? false;
  model.eval();
  lossModule?.eval();
  try {
    return noGrad(() => {
      const collector = new Collector();
      let lossSum = 0;
      let seen = 0;
      for (const { x, y } of epochOf(feed, batchSize, null).batches) {
        const out = model.forward(x);
        const size = x.shape[0] ?? 1;
        lossSum += lossFn(out, y).item() * size;
        seen += size;
        if (metrics.length > 0) collector.add(out, y);
      }
      if (seen === 0) throw new ArgumentError('evaluate: the data is empty');
      const logs: Logs = {};
      collector.compute(metrics, logs, (m) => m);
      return { loss: lossSum / seen, metrics: logs };
    });
  } finally {
    model.train(wasTraining);
    lossModule?.train(lossWasTraining);
  }
}

/**
 * Computes the loss and metrics of `model` on `data`, in evaluation mode and without
 * gradients. The model's mode is restored afterwards.
 *
 * @example
 * ```ts
 * const { loss, metrics } = evaluate(model, { x: xTest, y: yTest }, { loss: 'crossEntropy', metrics: ['accuracy'] });
 * ```
 */
export function evaluate(model: Module, data: TrainData, options: EvaluateOptions = {}): Evaluation {
  const feed = toFeed('evaluate', data);
  const n = feed.kind === 'indexed' ? feed.src.length : 1;
  if (n === 0) throw new ArgumentError('evaluate: the data is empty');
  const batchSize = resolveBatchSize('evaluate', options.batchSize, n, 256);
  return evaluateFeed(model, feed, resolveLoss(options.loss), resolveMetrics(options.metrics), batchSize, lossModuleOf(options.loss));
}

/**
 * Runs `model` on `x` in batches, in evaluation mode and without gradients, and returns
 * the outputs stacked in one tensor. The model's mode is restored afterwards.
 *
 * @example
 * ```ts
 * const probs = predict(model, xTest, { batchSize: 512 });
 * ```
 */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  if (x.ndim === 0) throw new ArgumentError('predict: x needs a sample dimension');
  const n = x.shape[0]!;
  const batchSize = resolveBatchSize('predict', options.batchSize, Math.max(n, 1), 256);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      if (batchSize >= n) return model.forward(x);
      const src = toSource('predict', { x, y: x });
      const parts: Tensor[] = [];
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (const idx of batches(order, batchSize)) parts.push(model.forward(src.batch(idx).x));
      const first = parts[0]!;
      const width = first.size / first.shape[0]!;
      const out = new (first.dataSync().constructor as new (len: number) => FloatArray)(n * width);
      let o = 0;
      for (const p of parts) {
        out.set(p.dataSync(), o);
        o += p.size;
      }
      return new Tensor(out, [n, ...first.shape.slice(1)]);
    });
  } finally {
    model.train(wasTraining);
  }
}
