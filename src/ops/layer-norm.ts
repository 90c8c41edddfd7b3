/**
 * Layer normalisation as one primitive: the forward pass is one kernel (`layerNorm`) that also
 * keeps each row's mean and `1/√(var + eps)`, and the backward pass is one kernel
 * (`layerNormGrad`) giving dx and the weight and bias gradients together, where the composite
 * form (mean, variance, sub, sqrt, div, mul, add) records seven ops and their backward passes.
 * @module
 */
import { type OpDef, isGradEnabled, make, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import { ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt, sizeOf } from '../tensor/shape.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { mean, variance } from './reduce.js';
import { backend, floats, sumToShape } from './util.js';

/** The normalised axes: the last `k` of an `nd`-dimensional input. */
function lastAxes(nd: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => nd - k + i);
}

/** `(x − mean)/√(var + eps)` from differentiable ops, with the mean and the denominator. */
function normalized(x: Tensor, axes: readonly number[], eps: number): { xhat: Tensor; denom: Tensor } {
  const mu = mean(x, [...axes], true);
  const denom = sqrt(add(variance(x, [...axes], true, 0), eps));
  return { xhat: div(sub(x, mu), denom), denom };
}

/** The composite form: the reference semantics, used for dtypes the fused kernels do not pair. */
function composite(x: Tensor, axes: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  let y = normalized(x, axes, eps).xhat;
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/**
 * The gradients under `createGraph`, from differentiable ops so that they can be differentiated
 * again: `dx = (ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂))/√(var + eps)` with `ĝ = g ⊙ weight`.
 */
function compositeGrads(
  x: Tensor,
  weight: Tensor | null,
  g: Tensor,
  axes: readonly number[],
  eps: number,
): { dx: Tensor; dw: Tensor | null; db: Tensor } {
  const { xhat, denom } = normalized(x, axes, eps);
  const gh = weight ? mul(g, weight) : g;
  const dx = div(sub(sub(gh, mean(gh, [...axes], true)), mul(xhat, mean(mul(gh, xhat), [...axes], true))), denom);
  return { dx, dw: weight ? sumToShape(mul(g, xhat), weight.shape) : null, db: g };
}

/**
 * Layer normalisation of `x` over its last dimensions `normalizedShape`:
 * `(x − mean)/√(var + eps) ⊙ weight + bias`, the variance biased (PyTorch's
 * `torch.nn.functional.layer_norm`). `weight` and `bias`, of shape `normalizedShape`, may be null.
 *
 * @example
 * ```ts
 * const y = layerNorm(x, [64], gamma, beta); // x: [batch, time, 64]
 * ```
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const name = 'layerNorm';
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (x.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`${name}: input shape ${fmt(x.shape)} does not end with normalizedShape ${fmt(normalizedShape)}`);
  }
  for (const [label, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p !== null && (p.ndim !== k || p.shape.some((d, i) => d !== normalizedShape[i]))) {
      throw new ShapeError(`${name}: ${label} ${fmt(p.shape)} must have the normalized shape ${fmt(normalizedShape)}`);
    }
  }
  const axes = lastAxes(x.ndim, k);
  const data = floats(name, x);
  if ((weight !== null && weight.dtype !== x.dtype) || (bias !== null && bias.dtype !== x.dtype)) {
    return composite(x, axes, weight, bias, eps);
  }
  const n = sizeOf(normalizedShape);
  const rows = n === 0 ? 0 : x.size / n;
  const w = weight === null ? null : (valuesOf(weight) as FloatArray);
  const b = bias === null ? null : (valuesOf(bias) as FloatArray);
  const { y, mean: mu, rstd } = backend().layerNorm(data, rows, n, w, b, eps);
  const out = make(y, x.shape);
  if (!recording(x, weight ?? undefined, bias ?? undefined)) return out;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const def: OpDef = {
    name,
    backward: (g, node) => {
      const xi = node.inputs[0]!;
      const wi = weight ? node.inputs[1]! : null;
      if (isGradEnabled()) {
        // createGraph: differentiable ops, so the gradients can be differentiated again.
        const c = compositeGrads(xi, wi, g, axes, eps);
        return [c.dx, ...(wi ? [c.dw] : []), ...(bias ? [sumToShape(c.db, bias.shape)] : [])];
      }
      const r = backend().layerNormGrad(
        valuesOf(xi) as FloatArray,
        mu,
        rstd,
        wi === null ? null : (valuesOf(wi) as FloatArray),
        valuesOf(g) as FloatArray,
        rows,
        n,
      );
      const shape = [...normalizedShape];
      return [
        ownedGradient(make(r.dx, xi.shape)),
        ...(wi ? [ownedGradient(make(r.dweight, shape))] : []),
        ...(bias ? [ownedGradient(make(r.dbias, shape))] : []),
      ];
    },
  };
  return record(def, inputs, out);
}
