/**
 * Numerics the privacy accountants need in float64: sums and differences of numbers held
 * as logarithms, and log erfc accurate far into the tail (where erfc itself underflows).
 * @module
 */

/** log(eˣ + eʸ) without overflow; −∞ stands for 0. */
export function logAdd(x: number, y: number): number {
  const lo = Math.min(x, y);
  const hi = Math.max(x, y);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** log(eˣ − eʸ) for x ≥ y; −∞ when they are equal. Returns NaN when y > x (a negative difference). */
export function logSub(x: number, y: number): number {
  if (x < y) return Number.NaN;
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = x - y;
  // For a large gap eˣ − eʸ ≈ eˣ; expm1 would overflow past ~709.
  return d > 700 ? x : Math.log(Math.expm1(d)) + y;
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** erf(x) for 0 ≤ x < 3 by the all-positive series 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

/**
 * log(erfc(x) · e^(x²) · √π) for x ≥ 2 by the continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated with
 * the modified Lentz method.
 */
function logErfcTailScaled(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -Math.log(f);
}

/** log(erfc(x)), accurate to a few ulps relative for every finite x, including x ≫ 1 where erfc underflows. */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return -Infinity;
  if (x < 0) return Math.log1p(x === -Infinity ? 1 : x > -3 ? erfSeries(-x) : 1 - Math.exp(logErfc(-x)));
  if (x < 2) return Math.log1p(-erfSeries(x));
  return -x * x - LOG_SQRT_PI + logErfcTailScaled(x);
}
