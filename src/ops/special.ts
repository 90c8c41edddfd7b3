/**
 * Special functions: the error function, for ONNX's `Erf` and exact GELU graphs.
 * @module
 */
import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { floats } from './util.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) to about 1e-16 relative: for |x| < 6 the series
 * erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), whose terms are all positive
 * (no cancellation); beyond, erf(x) = ±1 in double precision (erfc(6) ≈ 2e-17).
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  const x2 = a * a;
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/** d erf / dx = 2/√π · e^(−x²), from differentiable ops (so higher orders work too). */
const ERF: OpDef = {
  name: 'erf',
  backward: (g, n) => {
    const x = n.inputs[0]!;
    return [g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))];
  },
};

/** The Gauss error function, elementwise on a float tensor. */
export function erf(x: Tensor): Tensor {
  const src = floats('erf', x);
  const out = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = erfScalar(src[i]!);
  const t = make(out, x.shape);
  return recording(x) ? record(ERF, [x], t) : t;
}
