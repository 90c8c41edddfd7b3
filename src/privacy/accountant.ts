/**
 * The privacy accountant of DP-SGD: it records each noisy step (its noise multiplier and
 * sampling rate) and says how much privacy the run has spent, as Opacus's `RDPAccountant`
 * does; and {@link getNoiseMultiplier}, the noise a run needs to stay within a budget.
 * @module
 */
import { ArgumentError } from '../errors.js';
import {
  checkDelta,
  checkNoiseMultiplier,
  checkOrders,
  checkSampleRate,
  computeRdp,
  DEFAULT_ORDERS,
  type PrivacySpent,
  rdpToEpsilon,
} from './rdp.js';

/** One stretch of identical steps in an accountant's history. */
export interface AccountantStep {
  /** Noise standard deviation divided by the clipping norm. */
  noiseMultiplier: number;
  /** Probability with which each example was drawn into a batch. */
  sampleRate: number;
  /** How many consecutive steps ran with these settings. */
  steps: number;
}

/** What {@link RDPAccountant.toJSON} writes: the kind and the history. */
export interface RDPAccountantJSON {
  /** Always `'rdp'`. */
  mechanism: 'rdp';
  /** The merged history, oldest first. */
  history: AccountantStep[];
}

/** Options of {@link RDPAccountant.step}. */
export interface AccountantStepOptions {
  /** Noise standard deviation divided by the clipping norm, > 0. */
  noiseMultiplier: number;
  /** Probability with which each example was drawn into the batch, in (0, 1]. */
  sampleRate: number;
}

/**
 * Rényi-DP accountant of the sampled Gaussian mechanism, with Opacus's orders, formulas
 * and conversion to (ε, δ) (see {@link computeRdp} and {@link rdpToEpsilon}). Consecutive
 * steps with the same settings are kept as one history entry with a count.
 *
 * @example
 * ```ts
 * const acc = new RDPAccountant();
 * for (let s = 0; s < 15000; s++) acc.step({ noiseMultiplier: 1.1, sampleRate: 0.004 });
 * acc.getEpsilon(1e-5); // ≈ 2.5
 * ```
 */
export class RDPAccountant {
  /** The mechanism's name, as in Opacus. */
  readonly mechanism = 'rdp';
  readonly #history: AccountantStep[] = [];

  /** The steps taken so far, oldest first, runs of identical settings merged. */
  get history(): ReadonlyArray<Readonly<AccountantStep>> {
    return this.#history;
  }

  /** Records one noisy step. */
  step(opts: AccountantStepOptions): void {
    checkNoiseMultiplier('RDPAccountant.step', opts.noiseMultiplier);
    checkSampleRate('RDPAccountant.step', opts.sampleRate);
    const last = this.#history[this.#history.length - 1];
    if (last !== undefined && last.noiseMultiplier === opts.noiseMultiplier && last.sampleRate === opts.sampleRate) last.steps++;
    else this.#history.push({ noiseMultiplier: opts.noiseMultiplier, sampleRate: opts.sampleRate, steps: 1 });
  }

  /** The total RDP of the history at each order. */
  rdp(orders: readonly number[] = DEFAULT_ORDERS): Float64Array {
    checkOrders('RDPAccountant', orders);
    const total = new Float64Array(orders.length);
    for (const h of this.#history) {
      const r = computeRdp(h.sampleRate, h.noiseMultiplier, h.steps, orders);
      for (let k = 0; k < total.length; k++) total[k]! += r[k]!;
    }
    return total;
  }

  /**
   * The ε spent at `delta`, and the order that gave it. Before any step it is
   * `{ epsilon: 0, bestOrder: NaN }` (Opacus would report the conversion's positive
   * offset instead).
   */
  getPrivacySpent(delta: number, orders: readonly number[] = DEFAULT_ORDERS): PrivacySpent {
    checkDelta('RDPAccountant.getPrivacySpent', delta);
    checkOrders('RDPAccountant.getPrivacySpent', orders);
    if (this.#history.length === 0) return { epsilon: 0, bestOrder: Number.NaN };
    return rdpToEpsilon(orders, this.rdp(orders), delta);
  }

  /** The ε spent at `delta` (the best over `orders`, by default Opacus's). */
  getEpsilon(delta: number, orders?: readonly number[]): number {
    return this.getPrivacySpent(delta, orders).epsilon;
  }

  /** The history as plain data, for a model file. */
  toJSON(): RDPAccountantJSON {
    return { mechanism: 'rdp', history: this.#history.map((h) => ({ ...h })) };
  }

  /** An accountant with the history that {@link RDPAccountant.toJSON} wrote; checks every field. */
  static fromJSON(json: unknown): RDPAccountant {
    const bad = (why: string): never => {
      throw new ArgumentError(`RDPAccountant.fromJSON: ${why}`);
    };
    if (typeof json !== 'object' || json === null) return bad('expected an object { mechanism: "rdp", history: [...] }');
    const o = json as { mechanism?: unknown; history?: unknown };
    if (o.mechanism !== 'rdp') bad(`mechanism must be 'rdp', got ${JSON.stringify(o.mechanism)}`);
    if (!Array.isArray(o.history)) return bad('history must be an array');
    const acc = new RDPAccountant();
    o.history.forEach((h: unknown, i) => {
      const e = (h ?? {}) as Partial<Record<keyof AccountantStep, unknown>>;
      const { noiseMultiplier, sampleRate, steps } = e;
      if (typeof noiseMultiplier !== 'number' || typeof sampleRate !== 'number' || typeof steps !== 'number') {
        bad(`history entry ${i} must have numeric noiseMultiplier, sampleRate and steps`);
        return;
      }
      checkNoiseMultiplier(`RDPAccountant.fromJSON (history entry ${i})`, noiseMultiplier);
      checkSampleRate(`RDPAccountant.fromJSON (history entry ${i})`, sampleRate);
      if (!Number.isInteger(steps) || steps < 1) bad(`history entry ${i}: steps must be an integer >= 1, got ${steps}`);
      acc.#history.push({ noiseMultiplier, sampleRate, steps });
    });
    return acc;
  }
}

/** Options of {@link getNoiseMultiplier}. */
export interface NoiseMultiplierOptions {
  /** The ε the run may spend, > 0. */
  targetEpsilon: number;
  /** The δ, in (0, 1). */
  targetDelta: number;
  /** Probability with which each example is drawn into a batch, in (0, 1]. */
  sampleRate: number;
  /** Epochs to run (steps = ⌊epochs / sampleRate⌋, as Opacus); give this or `steps`. */
  epochs?: number;
  /** Steps to run; give this or `epochs`. */
  steps?: number;
  /** The accountant (only `'rdp'` so far). */
  accountant?: 'rdp' | 'prv';
  /** The search stops once ε is within this much below the target (Opacus's default 0.01). */
  epsilonTolerance?: number;
}

/** Above this noise multiplier the budget is deemed unreachable (Opacus's MAX_SIGMA). */
const MAX_SIGMA = 1e6;

/**
 * The smallest noise multiplier (within the tolerance) for which a run of the given length
 * and sampling rate spends at most `targetEpsilon` at `targetDelta`: Opacus's
 * `get_noise_multiplier`, a doubling search for an upper bound from σ = 20, then bisection
 * until ε is within `epsilonTolerance` below the target. Returns the upper end, so the
 * result always meets the budget.
 *
 * @throws ArgumentError when an option is out of range, or when no σ up to 10⁶ meets the budget
 *
 * @example
 * ```ts
 * const sigma = getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 256 / 60000, epochs: 30 });
 * ```
 */
export function getNoiseMultiplier(opts: NoiseMultiplierOptions): number {
  const where = 'getNoiseMultiplier';
  const { targetEpsilon, targetDelta, sampleRate } = opts;
  const tol = opts.epsilonTolerance ?? 0.01;
  if (!Number.isFinite(targetEpsilon) || targetEpsilon <= 0) throw new ArgumentError(`${where}: targetEpsilon must be a finite number > 0, got ${targetEpsilon}`);
  checkDelta(where, targetDelta);
  checkSampleRate(where, sampleRate);
  if (!Number.isFinite(tol) || tol <= 0) throw new ArgumentError(`${where}: epsilonTolerance must be a finite number > 0, got ${tol}`);
  const kind = opts.accountant ?? 'rdp';
  if (kind === 'prv') throw new ArgumentError(`${where}: the PRV accountant is not available yet; use accountant: 'rdp'`);
  if (kind !== 'rdp') throw new ArgumentError(`${where}: accountant must be 'rdp' or 'prv', got '${String(kind)}'`);
  if ((opts.epochs === undefined) === (opts.steps === undefined)) throw new ArgumentError(`${where}: give either epochs or steps, not ${opts.epochs === undefined ? 'neither' : 'both'}`);
  let steps: number;
  if (opts.epochs !== undefined) {
    if (!Number.isFinite(opts.epochs) || opts.epochs <= 0) throw new ArgumentError(`${where}: epochs must be a finite number > 0, got ${opts.epochs}`);
    steps = Math.floor(opts.epochs / sampleRate);
  } else {
    steps = opts.steps!;
    if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`${where}: steps must be an integer >= 1, got ${steps}`);
  }
  const epsilonAt = (sigma: number): number => rdpToEpsilon(DEFAULT_ORDERS, computeRdp(sampleRate, sigma, steps), targetDelta).epsilon;
  let low = 0;
  let high = 10;
  let epsHigh = Infinity;
  while (epsHigh > targetEpsilon) {
    high *= 2;
    epsHigh = epsilonAt(high);
    if (high > MAX_SIGMA) {
      throw new ArgumentError(`${where}: ε = ${targetEpsilon} at δ = ${targetDelta} cannot be reached over ${steps} steps at sampleRate ${sampleRate}, even with noise multiplier ${MAX_SIGMA}; raise the budget or lower the steps or the sampling rate`);
    }
  }
  for (let it = 0; it < 200 && targetEpsilon - epsHigh > tol; it++) {
    const mid = (low + high) / 2;
    const eps = epsilonAt(mid);
    if (eps < targetEpsilon) {
      high = mid;
      epsHigh = eps;
    } else {
      low = mid;
    }
  }
  return high;
}
