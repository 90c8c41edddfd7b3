/**
 * What every privacy accountant keeps: the history of noisy steps, consecutive identical
 * steps merged into one entry with a count (as Opacus), and its JSON form.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { checkNoiseMultiplier, checkSampleRate } from './rdp.js';

/** One stretch of identical steps in an accountant's history. */
export interface AccountantStep {
  /** Noise standard deviation divided by the clipping norm. */
  noiseMultiplier: number;
  /** Probability with which each example was drawn into a batch. */
  sampleRate: number;
  /** How many consecutive steps ran with these settings. */
  steps: number;
}

/** The accountants, by the name Opacus gives them. */
export type AccountantMechanism = 'rdp' | 'prv';

/** What an accountant's `toJSON` writes: its kind and its history. */
export interface AccountantJSON<M extends AccountantMechanism = AccountantMechanism> {
  /** The accountant's kind. */
  mechanism: M;
  /** The merged history, oldest first. */
  history: AccountantStep[];
}

/** What {@link RDPAccountant.toJSON} writes. */
export type RDPAccountantJSON = AccountantJSON<'rdp'>;

/** Options of an accountant's `step`. */
export interface AccountantStepOptions {
  /** Noise standard deviation divided by the clipping norm, > 0. */
  noiseMultiplier: number;
  /** Probability with which each example was drawn into the batch, in (0, 1]. */
  sampleRate: number;
}

/** The history and its bookkeeping, shared by {@link RDPAccountant} and {@link PRVAccountant}. */
export abstract class AccountantBase {
  /** The accountant's kind, as Opacus names it. */
  abstract readonly mechanism: AccountantMechanism;
  readonly #history: AccountantStep[] = [];

  /** The steps taken so far, oldest first, runs of identical settings merged. */
  get history(): ReadonlyArray<Readonly<AccountantStep>> {
    return this.#history;
  }

  /** Records one noisy step. */
  step(opts: AccountantStepOptions): void {
    const where = `${this.constructor.name}.step`;
    checkNoiseMultiplier(where, opts.noiseMultiplier);
    checkSampleRate(where, opts.sampleRate);
    const last = this.#history[this.#history.length - 1];
    if (last !== undefined && last.noiseMultiplier === opts.noiseMultiplier && last.sampleRate === opts.sampleRate) last.steps++;
    else this.#history.push({ noiseMultiplier: opts.noiseMultiplier, sampleRate: opts.sampleRate, steps: 1 });
  }

  /** The history as plain data, for a model file. */
  toJSON(): AccountantJSON {
    return { mechanism: this.mechanism, history: this.#history.map((h) => ({ ...h })) };
  }

  /**
   * Replaces the history by what `json` holds (what {@link AccountantBase.toJSON} wrote),
   * checking every field: for resuming a run, the accountant then counts on from where
   * the saved one stopped. Returns this accountant.
   *
   * @example
   * ```ts
   * const saved = priv.accountant.toJSON();     // stored with a checkpoint
   * // ... later, in a new process:
   * priv.accountant.restore(saved);             // ε now covers the whole run
   * ```
   */
  restore(json: unknown): this {
    const where = `${this.constructor.name}.fromJSON`;
    const bad = (why: string): never => {
      throw new ArgumentError(`${where}: ${why}`);
    };
    if (typeof json !== 'object' || json === null) return bad(`expected an object { mechanism: "${this.mechanism}", history: [...] }`);
    const o = json as { mechanism?: unknown; history?: unknown };
    if (o.mechanism !== this.mechanism) bad(`mechanism must be '${this.mechanism}', got ${JSON.stringify(o.mechanism)}`);
    if (!Array.isArray(o.history)) return bad('history must be an array');
    const entries: AccountantStep[] = o.history.map((h: unknown, i) => {
      const { noiseMultiplier, sampleRate, steps } = (h ?? {}) as Partial<Record<keyof AccountantStep, unknown>>;
      if (typeof noiseMultiplier !== 'number' || typeof sampleRate !== 'number' || typeof steps !== 'number') {
        return bad(`history entry ${i} must have numeric noiseMultiplier, sampleRate and steps`);
      }
      checkNoiseMultiplier(`${where} (history entry ${i})`, noiseMultiplier);
      checkSampleRate(`${where} (history entry ${i})`, sampleRate);
      if (!Number.isInteger(steps) || steps < 1) bad(`history entry ${i}: steps must be an integer >= 1, got ${steps}`);
      return { noiseMultiplier, sampleRate, steps };
    });
    this.#history.splice(0, this.#history.length, ...entries);
    return this;
  }
}
