/**
 * Tolerant comparison of computed values against reference values.
 *
 * An element passes when `|got - want| <= rtol * |want| + atol`: a relative bound,
 * with a small absolute floor so that values that should be (nearly) zero do not
 * demand an impossible relative accuracy from float32. NaN must match NaN and an
 * infinity must match the same infinity exactly.
 * @module
 */

/** Tolerances of a comparison. */
export interface Tolerance {
  /** Relative bound. */
  rtol: number;
  /** Absolute floor, for values near 0. */
  atol: number;
}

/** Forward outputs: relative error 1e-5, floor 1e-6. */
export const FORWARD_TOL: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/** Gradients: relative error 1e-4, floor 1e-6. */
export const GRAD_TOL: Tolerance = { rtol: 1e-4, atol: 1e-6 };

/** The outcome of a comparison. */
export interface Mismatch {
  /** Flat index of the worst element. */
  index: number;
  got: number;
  want: number;
  /** How many elements are out of tolerance. */
  count: number;
}

/** Returns the worst mismatch, or null when every element is within tolerance. */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): Mismatch | null {
  if (got.length !== want.length) return { index: -1, got: got.length, want: want.length, count: -1 };
  let worst: Mismatch | null = null;
  let worstRatio = 0;
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    let ratio: number;
    if (Number.isNaN(w) || Number.isNaN(g)) ratio = Number.isNaN(w) && Number.isNaN(g) ? 0 : Number.POSITIVE_INFINITY;
    else if (!Number.isFinite(w) || !Number.isFinite(g)) ratio = g === w ? 0 : Number.POSITIVE_INFINITY;
    else ratio = Math.abs(g - w) / (tol.rtol * Math.abs(w) + tol.atol);
    if (ratio > 1) {
      count++;
      if (ratio > worstRatio || worst === null) {
        worstRatio = ratio;
        worst = { index: i, got: g, want: w, count: 0 };
      }
    }
  }
  if (worst !== null) worst.count = count;
  return worst;
}

/** Throws an Error describing the mismatch, if any. `what` names the compared quantity. */
export function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance): void {
  const m = mismatch(got, want, tol);
  if (m === null) return;
  if (m.count === -1) throw new Error(`${what}: ${m.got} values but the reference has ${m.want}`);
  const err = Math.abs(m.got - m.want);
  throw new Error(
    `${what}: ${m.count} of ${want.length} values out of tolerance (rtol ${tol.rtol}, atol ${tol.atol}); ` +
      `worst at flat index ${m.index}: got ${m.got}, want ${m.want} (abs error ${err.toExponential(2)})`,
  );
}

/** Throws unless two shapes are equal. */
export function expectShape(what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new Error(`${what}: shape [${got.join(', ')}] but the reference has [${want.join(', ')}]`);
  }
}
