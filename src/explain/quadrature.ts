/**
 * Points and weights on [0, 1] for integrating a gradient along a path, as Captum's
 * integrated gradients does: Gauss–Legendre (its default) or Riemann sums (left, right,
 * middle, trapezoid).
 * @module
 */
import { ArgumentError } from '../errors.js';

/** How the path integral is approximated. */
export type IntegrationMethod = 'gausslegendre' | 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid';

/** The integration methods, Captum's names. */
export const INTEGRATION_METHODS: readonly IntegrationMethod[] = ['gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'];

/** `n` points `alphas` in [0, 1] and `weights` summing to 1, for ∫₀¹ f ≈ Σ weights[k] · f(alphas[k]). */
export function pathPoints(method: IntegrationMethod, n: number): { alphas: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`integratedGradients: nSteps must be a positive integer, got ${n}`);
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  switch (method) {
    case 'gausslegendre':
      gaussLegendre(n, alphas, weights);
      break;
    case 'riemann_left':
    case 'riemann_right':
    case 'riemann_middle': {
      const shift = method === 'riemann_left' ? 0 : method === 'riemann_right' ? 1 : 0.5;
      for (let k = 0; k < n; k++) {
        alphas[k] = (k + shift) / n;
        weights[k] = 1 / n;
      }
      break;
    }
    case 'riemann_trapezoid': {
      if (n < 2) throw new ArgumentError('integratedGradients: riemann_trapezoid needs nSteps >= 2');
      for (let k = 0; k < n; k++) {
        alphas[k] = k / (n - 1);
        weights[k] = (k === 0 || k === n - 1 ? 0.5 : 1) / (n - 1);
      }
      break;
    }
    default:
      throw new ArgumentError(`integratedGradients: unknown method '${String(method)}'; use one of ${INTEGRATION_METHODS.join(', ')}`);
  }
  return { alphas, weights };
}

/**
 * Gauss–Legendre nodes and weights mapped from [−1, 1] to [0, 1]: each node is a root of
 * the Legendre polynomial Pₙ, found by Newton's method from the Chebyshev-like start
 * cos(π(k + 3/4)/(n + 1/2)); the weight is 2 / ((1 − x²) Pₙ'(x)²), halved for [0, 1].
 */
function gaussLegendre(n: number, alphas: Float64Array, weights: Float64Array): void {
  for (let k = 0; k < n; k++) {
    let x = Math.cos((Math.PI * (k + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      // Pₙ(x) and Pₙ₋₁(x) by the three-term recurrence.
      let p0 = 1;
      let p1 = x;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    // Nodes come out in decreasing x; store them increasing in alpha.
    const i = n - 1 - k;
    alphas[i] = (x + 1) / 2;
    weights[i] = 1 / ((1 - x * x) * dp * dp);
  }
}
