/**
 * Gradient clipping, applied in place to parameters' gradients between `backward()`
 * and `optimizer.step()`.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { gradSlot, valuesOf } from '../autograd/values.js';
import { ArgumentError } from '../errors.js';
import { floatTensor, type OptimizableParam } from './optimizer.js';

/**
 * The 2-norm of a contiguous float32 gradient in one pass over its values, with
 * the same roundings as `sqrt(sum(g·g))` on tensors (each square rounded to
 * float32, summed in float64, the sum rounded to float32): no temporaries.
 */
function norm2F32(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    s += Math.fround(v * v);
  }
  return Math.sqrt(Math.fround(s));
}

/** Multiplies a float32 array by `coef` rounded to float32, in place (as `mul_` by a scalar). */
function scaleF32(a: Float32Array, coef: number): void {
  const c = Math.fround(coef);
  // A product of two float32 values is exact in float64, so rounding it once equals a float32 multiply.
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * c;
}

/** The values of `g` when it is a contiguous float32 gradient (read and written in place), else null. */
function flatF32(g: Tensor): Float32Array | null {
  if (g.dtype !== 'float32' || !g.isContiguous()) return null;
  return valuesOf(g) as Float32Array;
}

/** The `normType`-norm of one gradient, computed by the backend (only the scalar leaves it). */
function normOf(g: Tensor, normType: number): number {
  if (normType === 2) {
    const a = flatF32(g);
    if (a !== null) return norm2F32(a);
  }
  if (normType === Number.POSITIVE_INFINITY) return g.abs().max().item();
  if (normType === 2) return Math.sqrt(g.mul(g).sum().item());
  if (normType === 1) return g.abs().sum().item();
  return g.abs().pow(normType).sum().item() ** (1 / normType);
}

/**
 * Scales all gradients together so that their global norm is at most `maxNorm`
 * (the norm of the per-gradient norms, as PyTorch computes it).
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
  const grads: Tensor[] = [];
  for (const p of params) {
    const g = gradSlot(p);
    if (g !== null) grads.push(floatTensor('clipGradNorm', g, 'a gradient'));
  }
  return noGrad(() => {
    const norms = grads.map((g) => normOf(g, normType));
    let total = 0;
    // Math.max and sums carry NaN through, so a non-finite gradient gives a non-finite total.
    if (normType === Number.POSITIVE_INFINITY) for (const n of norms) total = Math.max(total, n);
    else {
      let acc = 0;
      for (const n of norms) acc += n ** normType;
      total = acc ** (1 / normType);
    }
    if (!Number.isFinite(total)) return total;
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) {
      for (const g of grads) {
        const a = flatF32(g);
        if (a !== null) scaleF32(a, coef);
        else g.mul_(coef);
      }
    }
    return total;
  });
}

/**
 * Clamps every gradient element to `[-clipValue, clipValue]`, in place.
 *
 * @example
 * ```ts
 * clipGradValue(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue(params: Iterable<OptimizableParam>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ArgumentError(`clipGradValue: clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const p of params) {
      const grad = gradSlot(p);
      if (grad === null) continue;
      const g = floatTensor('clipGradValue', grad, 'a gradient');
      g.copy_(g.clamp(-clipValue, clipValue));
    }
  });
}
