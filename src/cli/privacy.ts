/**
 * Private training in `cortex train` (`--dp-epsilon`, `--dp-delta`, `--max-grad-norm`):
 * the flags, the DP-SGD set-up around the epoch loop, and the privacy record stored in
 * the model file and shown by `cortex info`.
 * @module
 */
import type { JsonObject } from '../io/registry.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ModelFormatError } from '../errors.js';
import { makePrivate, makePrivateWithEpsilon, type PrivateTraining, RDPAccountant, type RDPAccountantJSON } from '../privacy/index.js';
import type { XY } from '../train/data.js';
import { UsageError } from './errors.js';
import { positiveNumber } from './options.js';

/** The privacy budget of a `cortex train` run. */
export interface PrivacyConfig {
  /** The ε the whole run may spend. */
  epsilon: number;
  /** The δ of the guarantee. */
  delta: number;
  /** Every sample's gradient is clipped to this L2 norm. */
  maxGradNorm: number;
}

/** What a private run spent, as stored in the model file's `training.privacy`. */
export interface PrivacySpent {
  mechanism: 'DP-SGD';
  accountant: 'rdp';
  epsilon: number;
  delta: number;
  targetEpsilon: number;
  noiseMultiplier: number;
  maxGradNorm: number;
  sampleRate: number;
  steps: number;
  /** False only for a seeded (test) run: then no privacy is claimed. */
  secure: boolean;
}

/** δ when `--dp-delta` is not given. */
export const DEFAULT_DP_DELTA = 1e-5;
/** C when `--max-grad-norm` is not given. */
export const DEFAULT_MAX_GRAD_NORM = 1;

/** Reads the privacy flags; null when `--dp-epsilon` is absent (then the other two must be too). */
export function parsePrivacyFlags(f: { dpEpsilon?: string; dpDelta?: string; maxGradNorm?: string; clipGradNorm?: string }): PrivacyConfig | null {
  if (f.dpEpsilon === undefined) {
    const stray = f.dpDelta !== undefined ? '--dp-delta' : f.maxGradNorm !== undefined ? '--max-grad-norm' : null;
    if (stray !== null) throw new UsageError(`${stray} only applies to private training; add --dp-epsilon <ε> (for example --dp-epsilon 3)`);
    return null;
  }
  const epsilon = positiveNumber('--dp-epsilon', f.dpEpsilon);
  const delta = f.dpDelta === undefined ? DEFAULT_DP_DELTA : positiveNumber('--dp-delta', f.dpDelta);
  if (delta >= 1) throw new UsageError(`--dp-delta must be below 1 (typically below 1/rows, such as 1e-5), got "${f.dpDelta}"`);
  const maxGradNorm = f.maxGradNorm === undefined ? DEFAULT_MAX_GRAD_NORM : positiveNumber('--max-grad-norm', f.maxGradNorm);
  if (f.clipGradNorm !== undefined) {
    throw new UsageError('--clip-grad-norm cannot be combined with --dp-epsilon: private training clips every row\'s gradient itself; use --max-grad-norm');
  }
  return { epsilon, delta, maxGradNorm };
}

/** What a checkpoint of a private run keeps (in its `extra.privacy`), so that a resumed run counts on. */
export interface PrivacyCheckpoint {
  /** The σ the run was calibrated to; a resumed run keeps it. */
  noiseMultiplier: number;
  /** The accountant's history: every step taken so far. */
  accountant: RDPAccountantJSON;
}

/** The privacy state to store with a checkpoint. */
export function privacyCheckpoint(priv: PrivateTraining): JsonObject {
  const acc = priv.accountant.toJSON();
  return { noiseMultiplier: priv.noiseMultiplier, accountant: { mechanism: acc.mechanism, history: acc.history.map((h) => ({ ...h })) } };
}

/** Reads a checkpoint's `extra.privacy`, checking it. */
export function readPrivacyCheckpoint(v: unknown): PrivacyCheckpoint {
  const o = (v ?? {}) as { noiseMultiplier?: unknown; accountant?: unknown };
  if (typeof o.noiseMultiplier !== 'number' || !(o.noiseMultiplier > 0) || o.accountant === undefined) {
    throw new ModelFormatError('the checkpoint of a private run has no privacy state (noise multiplier and accountant history); it cannot be resumed privately');
  }
  return { noiseMultiplier: o.noiseMultiplier, accountant: RDPAccountant.fromJSON(o.accountant).toJSON() };
}

/**
 * Sets up DP-SGD for the epoch loop: σ calibrated so that `epochs` epochs spend the budget;
 * when resuming, the checkpoint's σ and its accountant's history instead, so the ε counted
 * covers the whole run.
 */
export function privateTraining(
  model: Module,
  optimizer: Optimizer,
  data: XY,
  batchSize: number,
  epochs: number,
  p: PrivacyConfig,
  resumed: PrivacyCheckpoint | null = null,
): PrivateTraining {
  const n = data.x.shape[0]!;
  const common = {
    model,
    optimizer,
    data,
    batchSize: Math.min(batchSize, n),
    maxGradNorm: p.maxGradNorm,
    // The MLP has only Linear layers (vectorised); nothing falls back.
    onFallback: () => {},
  };
  if (resumed !== null) {
    return makePrivate({ ...common, noiseMultiplier: resumed.noiseMultiplier, accountant: RDPAccountant.fromJSON(resumed.accountant) });
  }
  return makePrivateWithEpsilon({ ...common, targetEpsilon: p.epsilon, targetDelta: p.delta, epochs });
}

/** Steps in an accountant's history. */
function stepsOf(acc: RDPAccountant): number {
  let n = 0;
  for (const h of acc.history) n += h.steps;
  return n;
}

/** The record of a finished private run. */
export function privacySpent(priv: PrivateTraining, p: PrivacyConfig): PrivacySpent {
  return {
    mechanism: 'DP-SGD',
    accountant: 'rdp',
    epsilon: priv.getEpsilon(p.delta),
    delta: p.delta,
    targetEpsilon: p.epsilon,
    noiseMultiplier: priv.noiseMultiplier,
    maxGradNorm: p.maxGradNorm,
    sampleRate: priv.sampleRate,
    steps: stepsOf(priv.accountant),
    secure: priv.secure,
  };
}

/** One line describing a privacy record, for `cortex train` and `cortex info`; null for anything else. */
export function describePrivacy(v: unknown): string | null {
  if (v === null || typeof v !== 'object') return null;
  const p = v as Partial<PrivacySpent>;
  if (typeof p.epsilon !== 'number' || typeof p.delta !== 'number') return null;
  const parts = [
    `(ε = ${p.epsilon.toFixed(3)}, δ = ${p.delta})-differentially private`,
    `DP-SGD, ${p.steps ?? '?'} steps, noise σ = ${p.noiseMultiplier?.toFixed(4) ?? '?'}, clipping C = ${p.maxGradNorm ?? '?'}, sampling rate q = ${p.sampleRate?.toPrecision(4) ?? '?'}`,
    'RDP accountant',
  ];
  if (p.secure === false) parts.push('seeded noise: NOT private');
  return parts.join('; ');
}

/** The record as JSON for the model file. */
export function privacyJson(s: PrivacySpent): JsonObject {
  return { ...s };
}
