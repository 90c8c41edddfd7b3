/**
 * Gradient clipping, applied in place to parameters' gradients between `backward()`
 * and `optimizer.step()`.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { floatData, type OptimizableParam } from './optimizer.js';

/**
 * Scales all gradients together so that their global L2 norm is at most `maxNorm`.
 * Returns the norm before clipping (Infinity or NaN if a gradient is not finite, in which
 * case gradients are left unchanged so the caller can react).
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 * ```
 */
export function clipGradNorm(params: Iterable<OptimizableParam>, maxNorm: number, normType = 2): number {
  if (!(maxNorm > 0)) throw new ArgumentError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  if (!(normType > 0)) throw new ArgumentError(`clipGradNorm: normType must be positive or Infinity, got ${normType}`);
  const grads = [];
  for (const p of params) if (p.grad) grads.push(floatData('clipGradNorm', p.grad.data, 'a gradient'));
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
  } else {
    let acc = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]!) ** normType;
    total = acc ** (1 / normType);
  }
  if (!Number.isFinite(total)) return total;
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return total;
}

/**
 * Clamps every gradient element to `[-clipValue, clipValue]`.
 *
 * @example
 * ```ts
 * clipGradValue(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue(params: Iterable<OptimizableParam>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ArgumentError(`clipGradValue: clipValue must be non-negative, got ${clipValue}`);
  for (const p of params) {
    if (!p.grad) continue;
    const g = floatData('clipGradValue', p.grad.data, 'a gradient');
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!;
      if (v > clipValue) g[i] = clipValue;
      else if (v < -clipValue) g[i] = -clipValue;
    }
  }
}
