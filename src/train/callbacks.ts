/**
 * Training callbacks: the hooks `fit` calls, the {@link History} it returns,
 * {@link EarlyStopping}, and a scheduler step.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { Module, StateDict } from '../nn/module.js';
import type { Scheduler } from '../optim/scheduler.js';
import { metricGreaterIsBetter } from './metrics.js';

/** Flat per-epoch values: `loss`, each metric, and `valLoss`/`valAccuracy`... when validating. */
export type Logs = Record<string, number>;

/** What `fit` reports after each batch; enough to draw a progress bar with an ETA. */
export interface BatchInfo {
  /** 1-based epoch. */
  epoch: number;
  /** Total epochs planned. */
  epochs: number;
  /** 1-based batch within the epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Samples in this batch. */
  size: number;
  /** This batch's loss. */
  loss: number;
  /** Mean loss over the epoch so far. */
  epochLoss: number;
  /** Milliseconds since `fit` started. */
  elapsedMs: number;
  /** Estimated milliseconds until `fit` finishes (all planned epochs). */
  etaMs: number;
  /** Fraction of all planned batches done, in [0, 1]. */
  progress: number;
}

/** What `fit` reports after each epoch. */
export interface EpochInfo {
  /** 1-based epoch. */
  epoch: number;
  /** Total epochs planned. */
  epochs: number;
  /**
   * Training loss, metrics and (when validating) `valLoss` and `val`-prefixed metrics.
   * After an epoch without samples (`samples` 0) there is no training loss or metric.
   */
  logs: Logs;
  /**
   * Training samples in the epoch's batches. 0 only when every batch was empty, which
   * Poisson sampling (private training) can draw on a small dataset: the epoch still took
   * its (noise-only) optimizer steps, but has no training loss. Always set by `fit`.
   */
  samples?: number;
  /** Learning rate of the first parameter group during this epoch. */
  lr: number;
  /** Milliseconds since `fit` started. */
  elapsedMs: number;
}

/** Something `fit` reports without stopping: an epoch whose batches were all empty. */
export interface FitWarning {
  /** What happened: `'empty-epoch'`, an epoch without samples (no training loss). */
  code: 'empty-epoch';
  /** The 1-based epoch. */
  epoch: number;
  /** A sentence for people. */
  message: string;
}

/** What callbacks can see and change while training. */
export interface TrainContext {
  readonly model: Module;
  /** Set to true to stop after the current epoch. */
  stopTraining: boolean;
  /** The learning rates of the optimizer's groups (schedulers write here). */
  readonly optimizer: { paramGroups: Array<{ lr: number }> };
}

/** Hooks called by `fit`. Every method is optional. */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void;
  onEpochBegin?(epoch: number, ctx: TrainContext): void;
  onBatchEnd?(info: BatchInfo, ctx: TrainContext): void;
  onEpochEnd?(info: EpochInfo, ctx: TrainContext): void;
  onTrainEnd?(history: History, ctx: TrainContext): void;
}

/** A {@link History} as plain JSON (what {@link History.toJSON} returns). */
export type HistoryJSON = {
  epochs: number[];
  loss: (number | null)[];
  metrics: Record<string, (number | null)[]>;
  valLoss: number[];
  valMetrics: Record<string, number[]>;
  lr: number[];
};

/** The per-epoch record `fit` returns. */
export class History {
  /** The 1-based epochs that ran. */
  readonly epochs: number[] = [];
  /** Training loss per epoch; null for an epoch without samples (see {@link EpochInfo.samples}). */
  readonly loss: (number | null)[] = [];
  /** Training metrics per epoch, by name; null for an epoch without samples. */
  readonly metrics: Record<string, (number | null)[]> = {};
  /** Validation loss per epoch (empty without validation data). */
  readonly valLoss: number[] = [];
  /** Validation metrics per epoch, by name. */
  readonly valMetrics: Record<string, number[]> = {};
  /** Learning rate (first group) used in each epoch. */
  readonly lr: number[] = [];

  /** Appends one epoch. */
  record(info: EpochInfo, metricNames: readonly string[]): void {
    this.epochs.push(info.epoch);
    this.loss.push(info.logs.loss ?? null);
    this.lr.push(info.lr);
    for (const m of metricNames) append(this.metrics, m, info.logs[m] ?? null);
    if (info.logs.valLoss !== undefined) {
      this.valLoss.push(info.logs.valLoss);
      for (const m of metricNames) append(this.valMetrics, m, info.logs[valKey(m)]!);
    }
  }

  /** The value of a log key (`loss`, `valLoss`, `accuracy`, `valAccuracy`...) per epoch. */
  get(key: string): (number | null)[] {
    if (key === 'loss') return this.loss;
    if (key === 'valLoss') return this.valLoss;
    const plain = this.metrics[key];
    if (plain) return plain;
    if (key.startsWith('val')) {
      const name = key[3]!.toLowerCase() + key.slice(4);
      const v = this.valMetrics[name] ?? this.valMetrics[key.slice(3)];
      if (v) return v;
    }
    return [];
  }

  /** A plain object (for JSON). */
  toJSON(): HistoryJSON {
    return {
      epochs: this.epochs,
      loss: this.loss,
      metrics: this.metrics,
      valLoss: this.valLoss,
      valMetrics: this.valMetrics,
      lr: this.lr,
    };
  }
}

function append<T>(table: Record<string, T[]>, key: string, v: T): void {
  const list = table[key];
  if (list) list.push(v);
  else table[key] = [v];
}

/** The log key of a metric on validation data: `accuracy` → `valAccuracy`. */
export function valKey(metric: string): string {
  return `val${metric[0]!.toUpperCase()}${metric.slice(1)}`;
}

/** Picks the monitored value from the logs, falling back from `valX` to `x` without validation. */
function monitored(logs: Logs, monitor: string): number | undefined {
  if (logs[monitor] !== undefined) return logs[monitor];
  if (monitor.startsWith('val')) {
    const plain = monitor[3]!.toLowerCase() + monitor.slice(4);
    return logs[plain];
  }
  return undefined;
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** The log key to watch (default `valLoss`; falls back to `loss` without validation). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** The smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Whether lower or higher is better; `auto` decides from the name (default). */
  mode?: 'min' | 'max' | 'auto';
  /** At the end of training, load the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when a monitored value has stopped improving, optionally restoring the
 * weights of the best epoch.
 *
 * @example
 * ```ts
 * fit(model, data, { callbacks: [new EarlyStopping({ patience: 5, restoreBestWeights: true })] });
 * ```
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  private readonly greater: boolean;
  /** The best value seen, and the epoch it came from. */
  best = Number.NaN;
  bestEpoch = 0;
  /** The epoch training stopped at, or 0 if it ran to the end. */
  stoppedEpoch = 0;
  private wait = 0;
  private bestState: StateDict | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) {
      throw new ArgumentError(`EarlyStopping: patience must be a non-negative integer, got ${options.patience}`);
    }
    const mode = options.mode ?? 'auto';
    this.greater = mode === 'auto' ? metricGreaterIsBetter(this.monitor) : mode === 'max';
  }

  onTrainBegin(): void {
    this.best = Number.NaN;
    this.bestEpoch = 0;
    this.stoppedEpoch = 0;
    this.wait = 0;
    this.bestState = null;
  }

  onEpochEnd(info: EpochInfo, ctx: TrainContext): void {
    const v = monitored(info.logs, this.monitor);
    if (v === undefined && info.samples === 0) return; // an epoch without samples: nothing to compare
    if (v === undefined) {
      throw new ArgumentError(`EarlyStopping: '${this.monitor}' is not in the logs (${Object.keys(info.logs).join(', ')})`);
    }
    const improved =
      Number.isNaN(this.best) || (this.greater ? v > this.best + this.minDelta : v < this.best - this.minDelta);
    if (improved) {
      this.best = v;
      this.bestEpoch = info.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestState = ctx.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      this.stoppedEpoch = info.epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(_history: History, ctx: TrainContext): void {
    if (this.restoreBestWeights && this.bestState) ctx.model.loadStateDict(this.bestState);
  }
}

/**
 * Steps a learning-rate scheduler at the end of every epoch. A `ReduceLROnPlateau`
 * receives the monitored value (default `valLoss`, or `loss` without validation).
 *
 * @example
 * ```ts
 * const sched = new StepLR(opt, { stepSize: 10, gamma: 0.5 });
 * fit(model, data, { optimizer: opt, callbacks: [new SchedulerStep(sched)] });
 * ```
 */
export class SchedulerStep implements Callback {
  constructor(
    readonly scheduler: Scheduler,
    readonly options: { monitor?: string } = {},
  ) {}

  onEpochEnd(info: EpochInfo): void {
    const v = monitored(info.logs, this.options.monitor ?? 'valLoss');
    if (v === undefined && info.samples === 0) return; // an epoch without samples: no loss to step on
    this.scheduler.step(v);
  }
}

/**
 * A callback that reports progress after every batch, for a progress bar.
 * @example
 * ```ts
 * fit(model, data, { callbacks: [new ProgressCallback((p) => bar.update(p.progress))] });
 * ```
 */
export class ProgressCallback implements Callback {
  constructor(readonly report: (info: BatchInfo) => void) {}
  onBatchEnd(info: BatchInfo): void {
    this.report(info);
  }
}
