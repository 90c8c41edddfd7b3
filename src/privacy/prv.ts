/**
 * The PRV accountant (Gopi, Lee and Wutschitz, 2021, "Numerical composition of
 * differential privacy"), as Opacus's `PRVAccountant`: the privacy loss random variable
 * (PRV) of one step of the Poisson-subsampled Gaussian mechanism is truncated to a safe
 * domain [−L, L], discretised on a mesh fine enough for the requested ε error (its mean
 * kept by a shift of the grid), composed over the steps by FFT, and ε read off the
 * composed distribution; the upper bound is returned. Tighter than RDP.
 *
 * One difference from Opacus: the mesh has a power-of-two number of points (the domain
 * grows symmetrically until it has), for the radix-2 FFT. A larger domain only truncates
 * less, and the mesh spacing is Opacus's.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { AccountantBase } from './history.js';
import { convolveSame, selfConvolveCircular } from './fft.js';
import { checkDelta, computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from './rdp.js';
import { logErfc } from './special.js';

const erfc = (x: number): number => Math.exp(logErfc(x));

/** CDF of the privacy loss of one Poisson-subsampled Gaussian step (Gopi et al., proposition B4). */
function prvCdf(q: number, sigma: number, t: number): number {
  if (!(t > Math.log1p(-q))) return 0;
  const z = Math.log((Math.exp(t) + q - 1) / q);
  const s2 = sigma * sigma;
  const k = 2 * Math.SQRT2 * sigma;
  return 1 - (q * erfc((2 * z * s2 - 1) / k)) / 2 - ((1 - q) * erfc((2 * z * s2 + 1) / k)) / 2;
}

/** Adaptive Simpson integral of f on [a, b] to an absolute tolerance. */
function integrate(f: (t: number) => number, a: number, b: number, tol = 1e-12): number {
  const rec = (x0: number, x1: number, f0: number, fm: number, f1: number, whole: number, eps: number, depth: number): number => {
    const m = (x0 + x1) / 2;
    const lm = f((x0 + m) / 2);
    const rm = f((m + x1) / 2);
    const left = ((m - x0) / 6) * (f0 + 4 * lm + fm);
    const right = ((x1 - m) / 6) * (fm + 4 * rm + f1);
    if (depth <= 0 || Math.abs(left + right - whole) <= 15 * eps) return left + right + (left + right - whole) / 15;
    return rec(x0, m, f0, lm, fm, left, eps / 2, depth - 1) + rec(m, x1, fm, rm, f1, right, eps / 2, depth - 1);
  };
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  return rec(a, b, fa, fm, fb, ((b - a) / 6) * (fa + 4 * fm + fb), tol, 40);
}

/** A distribution on the grid t_i = tMin + shift + i·dt, i < pmf.length. */
interface DiscretePrv {
  pmf: Float64Array;
  tMin: number;
  dt: number;
  /** The total shift of the grid, composed along with the distribution. */
  shift: number;
}

/** One step's PRV, truncated to [tMin, tMax] and discretised on `size` points, its mean kept. */
function discretize(q: number, sigma: number, tMin: number, dt: number, size: number): DiscretePrv {
  const tMax = tMin + (size - 1) * dt;
  const c0 = prvCdf(q, sigma, tMin);
  const mass = prvCdf(q, sigma, tMax) - c0;
  const cdf = (t: number): number => (t < tMin ? 0 : t < tMax ? (prvCdf(q, sigma, t) - c0) / mass : 1);
  const pmf = new Float64Array(size);
  let prev = cdf(tMin - dt / 2);
  let meanD = 0;
  for (let i = 0; i < size; i++) {
    const t = tMin + i * dt;
    const next = cdf(t + dt / 2);
    pmf[i] = next - prev;
    prev = next;
    meanD += t * pmf[i]!;
  }
  // E[T] = [t·F(t)] − ∫F over the support, in pieces that resolve the bulk near 0.
  const cuts = [tMin, -0.1, -0.01, -1e-3, -1e-4, -1e-5, 1e-5, 1e-4, 1e-3, 0.01, 0.1, tMax];
  let meanC = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!;
    const b = cuts[k + 1]!;
    meanC += b * cdf(b) - a * cdf(a) - integrate(cdf, a, b);
  }
  const shift = meanC - meanD;
  if (Math.abs(shift) >= dt / 2) throw new ArgumentError(`PRVAccountant: the discretised mean is ${Math.abs(shift)} from the true one (mesh ${dt}); lower epsError`);
  return { pmf, tMin, dt, shift };
}

/** The distribution of the sum of `times` independent copies (circular FFT convolution, re-centred). */
function composeSelf(d: DiscretePrv, times: number): DiscretePrv {
  const n = d.pmf.length;
  const circ = selfConvolveCircular(d.pmf, times);
  let roll = times - 1;
  if (times % 2 === 0) roll += n / 2;
  const pmf = new Float64Array(n);
  for (let i = 0; i < n; i++) pmf[(i + roll) % n] = circ[i]!;
  return { pmf, tMin: d.tMin, dt: d.dt, shift: d.shift * times };
}

/** Upper bound, estimate and lower bound of ε at δ, from the composed distribution. */
function epsilonOf(d: DiscretePrv, delta: number, deltaError: number, epsError: number): { lower: number; estimate: number; upper: number } {
  const n = d.pmf.length;
  if (Number.EPSILON * n > delta - deltaError) throw new ArgumentError(`PRVAccountant: δ = ${delta} is too small for ${n} grid points; float64 rounding would dominate`);
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  const ts = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    ts[i] = d.tMin + d.shift + i * d.dt;
    s1 += d.pmf[i]!;
    s2 += d.pmf[i]! * Math.exp(-ts[i]!);
    d1[i] = s1;
    d2[i] = s2;
  }
  const find = (target: number): number => {
    // The first i with e^{t_i}·d2[i] − d1[i] ≥ −target (that sequence rises with i).
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Math.exp(ts[mid]!) * d2[mid]! - d1[mid]! < -target) lo = mid + 1;
      else hi = mid;
    }
    if (lo <= 0 || lo >= n) throw new ArgumentError(`PRVAccountant: ε at δ = ${target} is outside the discretisation domain`);
    return Math.log((d1[lo]! - target) / d2[lo]!);
  };
  return { lower: find(delta + deltaError) - epsError, estimate: find(delta), upper: find(delta - deltaError) + epsError };
}

/** Options of {@link PRVAccountant.getEpsilon}. */
export interface PrvOptions {
  /** The error allowed in ε (Opacus's default 0.01); the mesh is chosen from it. */
  epsError?: number;
  /** The error allowed in δ (default δ/1000). */
  deltaError?: number;
}

/** The grid Opacus's PRV accountant would use, widened to a power-of-two size: half-width L, mesh dt. */
function domainFor(history: readonly { noiseMultiplier: number; sampleRate: number; steps: number }[], epsError: number, deltaError: number) {
  const total = history.reduce((s, h) => s + h.steps, 0);
  // Safe half-width (Gopi et al., remark 5.6), from RDP bounds on the tails.
  const all = new Float64Array(DEFAULT_ORDERS.length);
  for (const h of history) {
    const r = computeRdp(h.sampleRate, h.noiseMultiplier, h.steps);
    for (let k = 0; k < all.length; k++) all[k]! += r[k]!;
  }
  let L = rdpToEpsilon(DEFAULT_ORDERS, all, deltaError / 4).epsilon;
  for (const h of history) {
    L = Math.max(L, rdpToEpsilon(DEFAULT_ORDERS, computeRdp(h.sampleRate, h.noiseMultiplier, 1), deltaError / (8 * total)).epsilon);
  }
  L = Math.max(L, epsError) + 3;
  const dt = epsError / Math.sqrt((total * Math.log(12 / deltaError)) / 2);
  const k = Math.ceil(L / dt);
  let size = 2;
  while (size < 2 * k + 2) size *= 2;
  if (size > 1 << 24) throw new ArgumentError(`PRVAccountant: the grid would need ${size} points (domain ±${L.toFixed(2)}, mesh ${dt.toExponential(2)}); raise epsError`);
  return { tMin: -(size / 2 - 1) * dt, dt, size };
}

/**
 * Privacy accountant by numerical composition of privacy loss random variables (Gopi et
 * al., 2021), as Opacus's `PRVAccountant`. Same history and `step` as
 * {@link RDPAccountant}; `getEpsilon` returns the upper bound of ε, tighter than RDP's.
 *
 * @example
 * ```ts
 * const acc = new PRVAccountant();
 * for (let s = 0; s < 1000; s++) acc.step({ noiseMultiplier: 1, sampleRate: 0.01 });
 * acc.getEpsilon(1e-5);
 * ```
 */
export class PRVAccountant extends AccountantBase {
  /** The mechanism's name, as in Opacus. */
  readonly mechanism = 'prv';

  /** ε bounds at `delta`: `upper` is the guarantee, `estimate` the point value. */
  getEpsilonBounds(delta: number, opts: PrvOptions = {}): { lower: number; estimate: number; upper: number } {
    checkDelta('PRVAccountant.getEpsilon', delta);
    const epsError = opts.epsError ?? 0.01;
    const deltaError = opts.deltaError ?? delta / 1000;
    if (!Number.isFinite(epsError) || epsError <= 0) throw new ArgumentError(`PRVAccountant.getEpsilon: epsError must be a finite number > 0, got ${epsError}`);
    if (!Number.isFinite(deltaError) || deltaError <= 0 || deltaError >= delta) {
      throw new ArgumentError(`PRVAccountant.getEpsilon: deltaError must be in (0, delta), got ${deltaError}`);
    }
    const history = this.history;
    if (history.length === 0) return { lower: 0, estimate: 0, upper: 0 };
    const { tMin, dt, size } = domainFor(history, epsError, deltaError);
    let acc: DiscretePrv | undefined;
    for (const h of history) {
      const d = composeSelf(discretize(h.sampleRate, h.noiseMultiplier, tMin, dt, size), h.steps);
      acc = acc === undefined ? d : { pmf: convolveSame(acc.pmf, d.pmf), tMin, dt, shift: acc.shift + d.shift };
    }
    return epsilonOf(acc!, delta, deltaError, epsError);
  }

  /** The ε spent at `delta` (the upper bound, as Opacus). */
  getEpsilon(delta: number, opts: PrvOptions = {}): number {
    return this.getEpsilonBounds(delta, opts).upper;
  }

  /** An accountant with the history that `toJSON` wrote; checks every field. */
  static fromJSON(json: unknown): PRVAccountant {
    return new PRVAccountant().restore(json);
  }
}
