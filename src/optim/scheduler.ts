/**
 * Learning-rate schedulers. Each closed-form scheduler computes the rate for step `t`
 * directly from the group's base rate, so schedules compose (see {@link LinearWarmup}).
 * Call `step()` once per epoch (or per batch), after `optimizer.step()`, as in PyTorch.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { checkRange } from './optimizer.js';

/** What a scheduler needs from an optimizer: groups whose `lr` it may change. */
export interface ScheduledOptimizer {
  readonly paramGroups: Array<{ lr: number }>;
}

/** A serialisable snapshot of a scheduler. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  [key: string]: unknown;
}

/** Anything `fit` can step once per epoch. */
export interface Scheduler {
  /** Advances one step; `metric` is used only by {@link ReduceLROnPlateau}. */
  step(metric?: number): void;
  /** The learning rate of each group after the last step. */
  getLastLr(): number[];
  /** A snapshot of the scheduler's position. */
  stateDict(): SchedulerStateDict;
  /** Restores a snapshot from {@link Scheduler.stateDict}. */
  loadStateDict(sd: SchedulerStateDict): void;
}

/** Base class of closed-form schedulers: `lr_t = lrAt(t, baseLr)`. */
export abstract class LRScheduler implements Scheduler {
  /** The learning rate each group had when the scheduler was created. */
  readonly baseLrs: number[];
  /** The number of `step()` calls so far. */
  lastEpoch = 0;

  constructor(readonly optimizer: ScheduledOptimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate at step `t` for a group whose base rate is `baseLr`. */
  abstract lrAt(t: number, baseLr: number): number;

  /** Advances one step and writes the new rates into the optimizer. */
  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  /** Writes the rates for the current step into the optimizer. */
  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!);
    });
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...sd.baseLrs);
    this.apply();
  }
}

/**
 * Multiplies the rate by `gamma` every `stepSize` steps.
 * @example
 * ```ts
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * ```
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: ScheduledOptimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    if (!Number.isInteger(this.stepSize) || this.stepSize < 1) {
      throw new ArgumentError(`StepLR: stepSize must be a positive integer, got ${String(options.stepSize)}`);
    }
    checkRange('StepLR', 'gamma', this.gamma, 0);
  }
  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/**
 * Multiplies the rate by `gamma` every step.
 * @example
 * ```ts
 * const sched = new ExponentialLR(opt, { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: ScheduledOptimizer, options: { gamma: number }) {
    super(optimizer);
    this.gamma = options.gamma;
    checkRange('ExponentialLR', 'gamma', this.gamma, 0);
  }
  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** t;
  }
}

/**
 * Cosine annealing from the base rate down to `etaMin` over `tMax` steps
 * (SGDR without restarts): `η = ηmin + (η0 − ηmin)(1 + cos(πt/T))/2`.
 * @example
 * ```ts
 * const sched = new CosineAnnealingLR(opt, { tMax: 50 });
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: ScheduledOptimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    if (!Number.isInteger(this.tMax) || this.tMax < 1) {
      throw new ArgumentError(`CosineAnnealingLR: tMax must be a positive integer, got ${String(options.tMax)}`);
    }
    checkRange('CosineAnnealingLR', 'etaMin', this.etaMin, 0);
  }
  lrAt(t: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/**
 * Scales the rate linearly from `startFactor` to `endFactor` over `totalIters` steps,
 * then holds it (PyTorch's `LinearLR`).
 * @example
 * ```ts
 * const sched = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(
    optimizer: ScheduledOptimizer,
    options: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    checkRange('LinearLR', 'startFactor', this.startFactor, 0, 1, true);
    checkRange('LinearLR', 'endFactor', this.endFactor, 0, 1);
    if (!Number.isInteger(this.totalIters) || this.totalIters < 1) {
      throw new ArgumentError(`LinearLR: totalIters must be a positive integer, got ${String(options.totalIters)}`);
    }
    this.apply();
  }
  lrAt(t: number, baseLr: number): number {
    const f = Math.min(t, this.totalIters) / this.totalIters;
    return baseLr * (this.startFactor + (this.endFactor - this.startFactor) * f);
  }
}

/**
 * Linear warm-up: the rate rises from `startFactor·lr` to `lr` over `warmupSteps` steps,
 * then follows the optional `after` schedule (restarted at step 0). The rate is set to the
 * warm-up start as soon as the scheduler is created.
 *
 * @example
 * ```ts
 * const sched = new LinearWarmup(opt, {
 *   warmupSteps: 5,
 *   after: (o) => new CosineAnnealingLR(o, { tMax: 45 }),
 * });
 * ```
 */
export class LinearWarmup extends LRScheduler {
  readonly warmupSteps: number;
  readonly startFactor: number;
  /** The schedule that follows the warm-up, if any. */
  readonly after: LRScheduler | null;
  constructor(
    optimizer: ScheduledOptimizer,
    options: { warmupSteps: number; startFactor?: number; after?: (o: ScheduledOptimizer) => LRScheduler },
  ) {
    super(optimizer);
    this.warmupSteps = options.warmupSteps;
    this.startFactor = options.startFactor ?? 0;
    if (!Number.isInteger(this.warmupSteps) || this.warmupSteps < 1) {
      throw new ArgumentError(`LinearWarmup: warmupSteps must be a positive integer, got ${String(options.warmupSteps)}`);
    }
    checkRange('LinearWarmup', 'startFactor', this.startFactor, 0, 1);
    this.after = options.after ? options.after(optimizer) : null;
    this.apply();
  }
  lrAt(t: number, baseLr: number): number {
    if (t < this.warmupSteps) return baseLr * (this.startFactor + ((1 - this.startFactor) * t) / this.warmupSteps);
    return this.after ? this.after.lrAt(t - this.warmupSteps, baseLr) : baseLr;
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** 'min' when lower metrics are better (a loss), 'max' when higher are (an accuracy). */
  mode: 'min' | 'max';
  /** Multiplies the rate on a plateau. */
  factor: number;
  /** Steps without improvement tolerated before reducing. */
  patience: number;
  /** The smallest change that counts as an improvement. */
  threshold: number;
  /** Whether `threshold` is relative ('rel') or absolute ('abs'). */
  thresholdMode: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again. */
  cooldown: number;
  /** Lower bound on each group's rate. */
  minLr: number;
  /** Reductions smaller than this are skipped. */
  eps: number;
}

/**
 * Reduces the rate by `factor` when a metric has stopped improving for `patience` steps.
 * Pass the metric to `step(metric)` (for example the validation loss).
 *
 * @example
 * ```ts
 * const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 3 });
 * sched.step(valLoss);
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly options: ReduceLROnPlateauOptions;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(
    readonly optimizer: ScheduledOptimizer,
    options: Partial<ReduceLROnPlateauOptions> = {},
  ) {
    this.options = {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    const o = this.options;
    if (o.mode !== 'min' && o.mode !== 'max') {
      throw new ArgumentError(`ReduceLROnPlateau: mode must be 'min' or 'max', got ${String(o.mode)}`);
    }
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') {
      throw new ArgumentError(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got ${String(o.thresholdMode)}`);
    }
    checkRange('ReduceLROnPlateau', 'factor', o.factor, 0, 1, true);
    if (o.factor >= 1) throw new ArgumentError(`ReduceLROnPlateau: factor must be below 1, got ${o.factor}`);
    checkRange('ReduceLROnPlateau', 'patience', o.patience, 0);
    checkRange('ReduceLROnPlateau', 'threshold', o.threshold, 0);
    checkRange('ReduceLROnPlateau', 'cooldown', o.cooldown, 0);
    checkRange('ReduceLROnPlateau', 'minLr', o.minLr, 0);
    checkRange('ReduceLROnPlateau', 'eps', o.eps, 0);
    this.best = o.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (1 + threshold) : a > this.best + threshold;
  }

  /** Records `metric`; reduces the rate when it has plateaued. */
  step(metric?: number): void {
    if (metric === undefined || !Number.isFinite(metric)) {
      throw new ArgumentError(`ReduceLROnPlateau.step: needs a finite metric value, got ${String(metric)}`);
    }
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.lr * this.options.factor, this.options.minLr);
        if (g.lr - next > this.options.eps) g.lr = next;
      }
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      baseLrs: this.getLastLr(),
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    this.lastEpoch = sd.lastEpoch;
    if (typeof sd.best === 'number') this.best = sd.best;
    if (typeof sd.numBadEpochs === 'number') this.numBadEpochs = sd.numBadEpochs;
    if (typeof sd.cooldownCounter === 'number') this.cooldownCounter = sd.cooldownCounter;
    this.optimizer.paramGroups.forEach((g, i) => {
      const lr = sd.baseLrs[i];
      if (lr !== undefined) g.lr = lr;
    });
  }
}
