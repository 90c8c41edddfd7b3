/**
 * The epoch loop of `cortex train`: one `fit` call per epoch (epoch `e` shuffles with seed
 * `seed + e`), early stopping across epochs, and an optional checkpoint after every epoch.
 * Because every epoch depends only on the weights, the optimizer state and the epoch
 * number, training resumed from a checkpoint ends with exactly the weights of an
 * uninterrupted run.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ModelFormatError, TrainingDivergedError } from '../errors.js';
import type { Checkpoint } from '../io/checkpoint.js';
import type { ModelInfo } from '../io/model-file.js';
import { saveCheckpoint } from '../io/node/files.js';
import type { JsonObject, JsonValue } from '../io/registry.js';
import type { Module, StateDict } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { PrivateTraining } from '../privacy/index.js';
import { type BatchInfo, type Callback, type EpochInfo, History } from '../train/callbacks.js';
import type { XY } from '../train/data.js';
import { fit, type OptimizerName, resolveOptimizer } from '../train/fit.js';
import { type PrivacyConfig, type PrivacySpent, privacyCheckpoint, privacySpent, privateTraining, readPrivacyCheckpoint } from './privacy.js';
import { TrainingProgress } from './progress.js';
import type { Output } from './style.js';

/** What the loop needs to know. */
export interface EpochPlan {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  seed: number;
  earlyStopping: number | null;
  clipGradNorm: number | null;
  /** Weight decay (the optimizer's own default when undefined). */
  weightDecay?: number | undefined;
  allEpochs?: boolean;
  /** Train with DP-SGD to this budget (`--dp-epsilon`); null or undefined: ordinary training. */
  privacy?: PrivacyConfig | null;
}

/** Early-stopping state, carried across epochs and checkpoints. */
interface Early {
  best: number | null;
  bestEpoch: number;
  wait: number;
  bestWeights: StateDict | null;
}

/** What the loop returns. */
export interface EpochResult {
  history: History;
  epochsRun: number;
  /** The epoch whose weights were kept (the best one with early stopping). */
  keptEpoch: number;
  /** What a private run spent; null for ordinary training. */
  privacy: PrivacySpent | null;
}

/** Re-labels the single-epoch progress of each `fit` call as progress through the whole run. */
class RunProgress implements Callback {
  epoch = 0;
  private readonly started = performance.now();
  constructor(
    private readonly inner: TrainingProgress,
    private readonly first: number,
    private readonly epochs: number,
  ) {}
  onBatchEnd(info: BatchInfo): void {
    const elapsedMs = performance.now() - this.started;
    const done = this.epoch - 1 - this.first + info.progress;
    const todo = this.epochs - this.first;
    this.inner.onBatchEnd({
      ...info,
      epoch: this.epoch,
      epochs: this.epochs,
      elapsedMs,
      progress: (this.epoch - 1 + info.progress) / this.epochs,
      etaMs: done > 0 ? (elapsedMs / done) * (todo - done) : Number.NaN,
    });
  }
  epochEnd(info: EpochInfo): EpochInfo {
    const e: EpochInfo = { ...info, epoch: this.epoch, epochs: this.epochs, elapsedMs: performance.now() - this.started };
    this.inner.onEpochEnd(e);
    return e;
  }
  stop(): void {
    this.inner.stop();
  }
}

function weightsJson(sd: StateDict | null): JsonValue {
  if (sd === null) return null;
  const out: JsonObject = {};
  for (const [k, t] of Object.entries(sd)) out[k] = Array.from(t.dataSync());
  return out;
}

function weightsFrom(v: unknown, like: Module): StateDict | null {
  if (v === null || typeof v !== 'object') return null;
  const own = like.stateDict();
  const out: StateDict = {};
  for (const [k, t] of Object.entries(own)) {
    const arr = (v as Record<string, unknown>)[k];
    if (!Array.isArray(arr) || arr.length !== t.size) throw new ModelFormatError(`the checkpoint's best weights for '${k}' are malformed`);
    out[k] = new Tensor(t.dtype === 'int32' ? Int32Array.from(arr as number[]) : Float32Array.from(arr as number[]), [...t.shape]);
  }
  return out;
}

/** The loop state stored in a checkpoint's `extra`. */
function extraJson(history: History, early: Early, stopped: boolean, priv: PrivateTraining | null): JsonValue {
  return {
    stopped,
    // A private run's σ and accountant history: a resumed run counts on from them.
    ...(priv === null ? {} : { privacy: privacyCheckpoint(priv) }),
    history: history.toJSON(),
    early: { best: early.best, bestEpoch: early.bestEpoch, wait: early.wait, bestWeights: weightsJson(early.bestWeights) },
  };
}

function restoreHistory(v: unknown): History {
  const h = new History();
  if (v === null || typeof v !== 'object') return h;
  const src = v as { epochs?: number[]; loss?: number[]; metrics?: Record<string, number[]>; valLoss?: number[]; valMetrics?: Record<string, number[]>; lr?: number[] };
  h.epochs.push(...(src.epochs ?? []));
  h.loss.push(...(src.loss ?? []));
  h.valLoss.push(...(src.valLoss ?? []));
  h.lr.push(...(src.lr ?? []));
  Object.assign(h.metrics, src.metrics ?? {});
  Object.assign(h.valMetrics, src.valMetrics ?? {});
  return h;
}

/**
 * Trains `model` for the planned epochs (continuing after `resume.epoch` when resuming),
 * saving a checkpoint to `checkpoint.path` after every epoch when asked.
 */
export async function runEpochs(
  model: Module,
  data: XY,
  validation: XY | undefined,
  plan: EpochPlan,
  task: 'classification' | 'regression',
  out: Output,
  checkpoint: { path: string; info: ModelInfo } | null,
  resume: Checkpoint | null,
): Promise<EpochResult> {
  const base: Optimizer = resolveOptimizer(model, plan.optimizer, plan.lr, plan.weightDecay);
  const resumedPrivacy = plan.privacy && resume ? readPrivacyCheckpoint((resume.extra as { privacy?: unknown } | null)?.privacy) : null;
  const priv: PrivateTraining | null = plan.privacy ? privateTraining(model, base, data, plan.batchSize, plan.epochs, plan.privacy, resumedPrivacy) : null;
  if (priv !== null) {
    out.note(
      `${out.c.bold('privacy')} DP-SGD for ε = ${plan.privacy!.epsilon} at δ = ${plan.privacy!.delta}: noise σ = ${priv.noiseMultiplier.toFixed(4)}, clipping C = ${priv.maxGradNorm}, Poisson sampling q = ${priv.sampleRate.toPrecision(4)}`,
    );
    if (resumedPrivacy !== null) {
      out.note(
        `${out.c.bold('privacy')} resumed with the checkpoint's σ and accountant: ε = ${priv.getEpsilon(plan.privacy!.delta).toFixed(3)} spent before this run, counted on`,
      );
    }
  }
  const optimizer: Optimizer = priv?.optimizer ?? base;
  let history = new History();
  let early: Early = { best: null, bestEpoch: 0, wait: 0, bestWeights: null };
  let first = 0;
  let stoppedBefore = false;
  if (resume) {
    model.loadStateDict(resume.model.stateDict());
    if (!resume.optimizer) throw new ModelFormatError('the checkpoint has no optimizer state');
    optimizer.loadStateDict(resume.optimizer);
    const extra = (resume.extra ?? {}) as { stopped?: boolean; history?: unknown; early?: { best?: number | null; bestEpoch?: number; wait?: number; bestWeights?: unknown } };
    history = restoreHistory(extra.history);
    const e = extra.early ?? {};
    early = { best: e.best ?? null, bestEpoch: e.bestEpoch ?? 0, wait: e.wait ?? 0, bestWeights: weightsFrom(e.bestWeights ?? null, model) };
    first = resume.epoch;
    stoppedBefore = extra.stopped === true;
  }
  const metric = task === 'classification' ? 'accuracy' : 'r2';
  const progress = new RunProgress(new TrainingProgress(out, plan.epochs, plan.allEpochs === true, first), first, plan.epochs);
  // A run that early stopping ended stays ended when resumed, as it would have uninterrupted.
  let stopped = stoppedBefore;
  let epoch = first;
  try {
    while (epoch < plan.epochs && !stopped) {
      epoch++;
      progress.epoch = epoch;
      let info: EpochInfo | null = null;
      try {
        fit(model, priv?.dataLoader ?? data, {
          epochs: 1,
          batchSize: plan.batchSize,
          seed: plan.seed + epoch,
          loss: task === 'classification' ? 'crossEntropy' : 'mse',
          optimizer,
          metrics: [metric],
          validationData: validation,
          clipGradNorm: plan.clipGradNorm ?? undefined,
          onWarning: (w) => out.warn(`warning: ${w.message}`),
          callbacks: [
            progress,
            {
              onEpochEnd: (i) => {
                info = progress.epochEnd(i);
              },
            },
          ],
        });
      } catch (e) {
        if (!(e instanceof TrainingDivergedError)) throw e;
        const what = e.gradNorm === undefined ? `the loss is ${e.loss}` : `the gradient norm is ${e.gradNorm} (the loss was ${e.loss})`;
        const hint = plan.clipGradNorm === null ? ' or --clip-grad-norm 1' : '';
        throw new TrainingDivergedError(
          `training diverged at epoch ${epoch}, batch ${e.batch}: ${what}. Try a lower --lr (it is ${plan.lr})${hint}`,
          epoch,
          e.batch,
          e.loss,
          e.gradNorm,
        );
      }
      const done = info as EpochInfo | null;
      if (done === null) throw new Error('fit did not report the epoch');
      history.record(done, [metric]);
      if (plan.earlyStopping !== null) {
        const v = done.logs.valLoss ?? done.logs.loss;
        if (v === undefined) {
          // An epoch without samples (every Poisson batch empty) has nothing to compare.
        } else if (early.best === null || v < early.best) {
          early = { best: v, bestEpoch: epoch, wait: 0, bestWeights: model.stateDict() };
        } else if (++early.wait > plan.earlyStopping) {
          stopped = true;
        }
      }
      if (checkpoint) {
        await saveCheckpoint(checkpoint.path, { model, optimizer, epoch, info: checkpoint.info, extra: extraJson(history, early, stopped, priv) });
      }
    }
  } finally {
    progress.stop();
  }
  let keptEpoch = epoch;
  if (plan.earlyStopping !== null && early.bestWeights) {
    model.loadStateDict(early.bestWeights);
    keptEpoch = early.bestEpoch;
  }
  if (stopped && epoch > first) {
    out.note(`early stopping: no improvement for ${plan.earlyStopping! + 1} epochs; stopped after epoch ${epoch}, kept epoch ${keptEpoch}`);
  }
  model.eval();
  priv?.detach();
  return { history, epochsRun: epoch, keptEpoch, privacy: priv === null ? null : privacySpent(priv, plan.privacy!) };
}
