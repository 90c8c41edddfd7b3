/**
 * Rényi differential privacy (RDP) of the sampled Gaussian mechanism, with the formulas and
 * defaults Opacus uses: each step draws every example with probability q (Poisson
 * sampling) and adds Gaussian noise of standard deviation σ × the clipping norm. Its RDP
 * at order α is log(A_α)/(α − 1) (Mironov, Talwar and Zhang, 2019, section 3.3): an exact
 * binomial sum for integer α, two converging series for fractional α, and α/(2σ²) when
 * q = 1. Steps compose by adding RDP; {@link rdpToEpsilon} turns the total into (ε, δ).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { logAdd, logErfc, logSub } from './special.js';

/**
 * The RDP orders Opacus tries by default: 1.1, 1.2, …, 10.9, then 12, 13, …, 63.
 * The conversion to ε picks the best of them.
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
]);

/** Throws unless `q` is a sampling rate in (0, 1]. */
export function checkSampleRate(where: string, q: number): void {
  if (!Number.isFinite(q) || q <= 0 || q > 1) throw new ArgumentError(`${where}: sampleRate must be in (0, 1] (the probability of drawing each example), got ${q}`);
}

/** Throws unless `sigma` is a finite positive noise multiplier. */
export function checkNoiseMultiplier(where: string, sigma: number): void {
  if (!Number.isFinite(sigma) || sigma <= 0) throw new ArgumentError(`${where}: noiseMultiplier must be a finite number > 0, got ${sigma}`);
}

/** Throws unless `delta` is in (0, 1). */
export function checkDelta(where: string, delta: number): void {
  if (!Number.isFinite(delta) || delta <= 0 || delta >= 1) throw new ArgumentError(`${where}: delta must be in (0, 1), got ${delta}`);
}

/** Throws unless every order is finite and > 1, and there is at least one. */
export function checkOrders(where: string, orders: readonly number[]): void {
  if (orders.length === 0) throw new ArgumentError(`${where}: the list of RDP orders is empty`);
  for (const a of orders) {
    if (!Number.isFinite(a) || a <= 1) throw new ArgumentError(`${where}: every RDP order must be a finite number > 1, got ${a}`);
  }
}

/** log C(n, k) for integers 0 ≤ k ≤ n, summed term by term (exact enough for n ≤ a few thousand). */
function logBinomInt(n: number, k: number): number {
  const m = Math.min(k, n - k);
  let s = 0;
  for (let i = 1; i <= m; i++) s += Math.log((n - m + i) / i);
  return s;
}

/** log A_α for integer α: log Σᵢ C(α, i) qⁱ (1 − q)^(α−i) e^((i² − i)/(2σ²)). */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  const s2 = 2 * sigma * sigma;
  for (let i = 0; i <= alpha; i++) {
    const term = logBinomInt(alpha, i) + i * lq + (alpha - i) * l1q + (i * i - i) / s2;
    logA = logAdd(logA, term);
  }
  return logA;
}

/**
 * log A_α for fractional α: A_α splits at z₀ = σ² log(1/q − 1) + 1/2 into two integrals,
 * each a series over i of generalised binomial coefficients C(α, i) times Gaussian tails;
 * terms are added or subtracted by the sign of C(α, i) until both fall below e^(−30).
 */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  const s2 = 2 * sigma * sigma;
  const root2s = Math.SQRT2 * sigma;
  let logCoef = 0; // log |C(α, i)|
  let positive = true; // sign of C(α, i)
  for (let i = 0; i < 100000; i++) {
    if (i > 0) {
      const f = (alpha - i + 1) / i;
      logCoef += Math.log(Math.abs(f));
      if (f < 0) positive = !positive;
    }
    const j = alpha - i;
    const logT0 = logCoef + i * lq + j * l1q;
    const logT1 = logCoef + j * lq + i * l1q;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / root2s);
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / root2s);
    const logS0 = logT0 + (i * i - i) / s2 + logE0;
    const logS1 = logT1 + (j * j - j) / s2 + logE1;
    if (positive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/** RDP of one step of the sampled Gaussian mechanism at order α (may be +∞). */
function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 1) return alpha / (2 * sigma * sigma);
  const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
  return logA / (alpha - 1);
}

/**
 * RDP of the sampled Gaussian mechanism run `steps` times, at each order: Opacus's
 * `compute_rdp(q, noise_multiplier, steps, orders)`.
 *
 * @param q - the sampling rate, in (0, 1]
 * @param sigma - the noise multiplier (noise standard deviation / clipping norm), > 0
 * @param steps - the number of steps, an integer ≥ 0
 * @param orders - the RDP orders α > 1 (default {@link DEFAULT_ORDERS})
 * @returns the RDP ε(α) at each order (+∞ where it diverges)
 *
 * @example
 * ```ts
 * const rdp = computeRdp(0.004, 1.1, 15000); // 60 epochs at q = 0.004
 * const { epsilon } = rdpToEpsilon(DEFAULT_ORDERS, rdp, 1e-5);
 * ```
 */
export function computeRdp(q: number, sigma: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): Float64Array {
  checkSampleRate('computeRdp', q);
  checkNoiseMultiplier('computeRdp', sigma);
  if (!Number.isInteger(steps) || steps < 0) throw new ArgumentError(`computeRdp: steps must be an integer >= 0, got ${steps}`);
  checkOrders('computeRdp', orders);
  return Float64Array.from(orders, (a) => (steps === 0 ? 0 : rdpOneStep(q, sigma, a) * steps));
}

/**
 * How RDP becomes (ε, δ): `'balle2020'` (the default, as Opacus ≥ 1.0) is
 * ε = rdp − (log δ + log α)/(α − 1) + log((α − 1)/α) (Balle et al., 2020, "Hypothesis
 * testing interpretations and Rényi differential privacy", Theorem 21 of the arXiv
 * version); `'mironov2017'` is the older, looser ε = rdp − log δ/(α − 1) (Mironov, 2017,
 * Proposition 3) that Opacus 0.x and its published MNIST figures used.
 */
export type RdpConversion = 'balle2020' | 'mironov2017';

/** The ε of an RDP curve at one δ, and the order that gave it. */
export interface PrivacySpent {
  /** The smallest ε over the orders (+∞ when every order diverges). */
  epsilon: number;
  /** The order α that gave it (NaN when none is finite). */
  bestOrder: number;
}

/**
 * Converts RDP guarantees at several orders to (ε, δ)-DP, taking the best order: Opacus's
 * `get_privacy_spent(orders, rdp, delta)`.
 *
 * @param orders - the orders α > 1
 * @param rdp - the RDP at each order (same length)
 * @param delta - the target δ, in (0, 1)
 * @param conversion - the conversion theorem (default `'balle2020'`, see {@link RdpConversion})
 */
export function rdpToEpsilon(orders: readonly number[], rdp: ArrayLike<number>, delta: number, conversion: RdpConversion = 'balle2020'): PrivacySpent {
  checkOrders('rdpToEpsilon', orders);
  checkDelta('rdpToEpsilon', delta);
  if (rdp.length !== orders.length) throw new ArgumentError(`rdpToEpsilon: ${orders.length} orders but ${rdp.length} RDP values; give one value per order`);
  if (conversion !== 'balle2020' && conversion !== 'mironov2017') {
    throw new ArgumentError(`rdpToEpsilon: conversion must be 'balle2020' or 'mironov2017', got '${String(conversion)}'`);
  }
  const logDelta = Math.log(delta);
  let best: PrivacySpent = { epsilon: Infinity, bestOrder: Number.NaN };
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k]!;
    const r = rdp[k]!;
    if (Number.isNaN(r)) throw new ArgumentError(`rdpToEpsilon: the RDP at order ${a} is NaN`);
    if (r < 0) throw new ArgumentError(`rdpToEpsilon: the RDP at order ${a} is ${r}; RDP is never negative`);
    const eps = conversion === 'balle2020' ? r - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a) : r - logDelta / (a - 1);
    if (eps < best.epsilon) best = { epsilon: eps, bestOrder: a };
  }
  return best;
}
