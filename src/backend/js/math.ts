/** Scalar math shared by the reference kernels. @module */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

/** The error function, accurate to about 1e-15 (series below 3, continued fraction above). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  let t = ax;
  for (let k = 60; k >= 1; k--) t = ax + k / 2 / t;
  const erfc = (Math.exp(-ax * ax) * INV_SQRT_PI) / t;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Logistic sigmoid, finite for every finite input. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x), without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** GELU with the exact Gaussian CDF, as PyTorch's default. */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/** d/dx GELU(x) = Φ(x) + x φ(x). */
export function geluGrad(x: number): number {
  const cdf = 0.5 * (1 + erf(x * Math.SQRT1_2));
  const pdf = Math.exp(-0.5 * x * x) * 0.3989422804014327;
  return cdf + x * pdf;
}

// char-gpt: GELU at float32 precision
/**
 * Φ(x), the standard normal CDF, through erfc's Chebyshev fit (Numerical Recipes' `erfcc`):
 * relative error below 1.2e-7 in the tail Φ(−|x|), so float32 results keep their precision
 * for large negative x too. Used where the result is rounded to float32; {@link gelu} keeps the
 * float64-accurate series for float64 work (gradcheck).
 */
export function normalCdfF32(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const tail = 0.5 * t * Math.exp(-z * z + poly); // Φ(−|x|)
  return x >= 0 ? 1 - tail : tail;
}

/** GELU for float32 outputs: `x·Φ(x)` with {@link normalCdfF32}. */
export function geluF32(x: number): number {
  return x * normalCdfF32(x);
}

/** d/dx GELU for float32 outputs: `Φ(x) + x·φ(x)`. */
export function geluGradF32(x: number): number {
  return normalCdfF32(x) + x * Math.exp(-0.5 * x * x) * 0.3989422804014327;
}
