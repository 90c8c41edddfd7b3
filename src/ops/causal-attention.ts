/**
 * Causal self-attention as one primitive: `softmax(scale·q·kᵀ, j ≤ i)·v` for
 * queries and keys of one length, forward and backward each one kernel
 * (`causalAttention`, `causalAttentionGrad`) that computes only the lower
 * triangle of every score matrix, where the composite form (two batched
 * products around a masked softmax, three more products and the softmax's
 * gradient in the backward pass) computes the masked half and throws it away.
 * {@link scaledDotProductAttention} takes this path by itself when it applies.
 * @module
 */
import { type OpDef, isGradEnabled, make, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import type { CausalAttentionSpec, MaskedSoftmaxSpec } from '../backend/backend.js';
import type { FloatArray } from '../tensor/dtype.js';
import { matmul } from './linalg.js';
import { maskedSoftmax, maskedSoftmaxGrad } from './masked-softmax.js';
import { transpose } from './movement.js';
import { backend } from './util.js';

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Whether q `[..., T, E]`, k `[..., T, E]` and v `[..., T, Ev]` (already checked by the
 * attention ops) suit the fused op: one float dtype, the same leading dimensions (no
 * broadcasting), as many keys as queries, and nothing empty.
 */
export function fusedCausalApplies(q: Tensor, k: Tensor, v: Tensor): boolean {
  if (q.dtype !== k.dtype || q.dtype !== v.dtype || q.dtype === 'int32') return false;
  if (q.ndim !== k.ndim || q.ndim !== v.ndim || q.size === 0 || v.size === 0) return false;
  const nd = q.ndim;
  for (let d = 0; d < nd - 1; d++) {
    if (k.shape[d] !== q.shape[d] || v.shape[d] !== q.shape[d]) return false;
  }
  return true;
}

/** The gradients from differentiable ops, for `createGraph`: the composite path's rules. */
function compositeGrads(q: Tensor, k: Tensor, v: Tensor, g: Tensor, spec: CausalAttentionSpec): [Tensor, Tensor, Tensor] {
  const { scale } = spec;
  const p = maskedSoftmax(matmul(q, transpose(k, -2, -1)), { causal: true, scale });
  const soft: MaskedSoftmaxSpec = { batch: spec.batch, rows: spec.seq, cols: spec.seq, scale, causal: true, maskBatch: 1, maskRepeat: 1 };
  const ds = maskedSoftmaxGrad(p, matmul(g, transpose(v, -2, -1)), soft);
  return [matmul(ds, k), matmul(transpose(ds, -2, -1), q), matmul(transpose(p, -2, -1), g)];
}

/**
 * `softmax(scale·q·kᵀ)·v` with query `i` attending to keys `j ≤ i` only, for q and k
 * `[..., T, E]` and v `[..., T, Ev]` that pass {@link fusedCausalApplies}; `[..., T, Ev]`.
 * The backward pass is fused too, except under `createGraph`, where it records the
 * composite path's differentiable ops so that higher-order gradients stay exact.
 */
export function causalAttention(q: Tensor, k: Tensor, v: Tensor, scale: number): Tensor {
  const nd = q.ndim;
  const spec: CausalAttentionSpec = {
    batch: prod(q.shape.slice(0, -2)),
    seq: q.shape[nd - 2]!,
    dim: q.shape[nd - 1]!,
    valueDim: v.shape[nd - 1]!,
    scale,
  };
  const vals = (t: Tensor): FloatArray => valuesOf(t) as FloatArray;
  const { out, probs } = backend().causalAttention(vals(q), vals(k), vals(v), spec);
  const y = make(out, [...q.shape.slice(0, -1), spec.valueDim]);
  if (!recording(q, k, v)) return y;
  const def: OpDef = {
    name: 'causalAttention',
    backward: (g, node) => {
      const [qi, ki, vi] = node.inputs as [Tensor, Tensor, Tensor];
      if (isGradEnabled()) {
        const [dq, dk, dv] = compositeGrads(qi, ki, vi, g, spec);
        return [qi.requiresGrad ? dq : null, ki.requiresGrad ? dk : null, vi.requiresGrad ? dv : null];
      }
      const r = backend().causalAttentionGrad(vals(qi), vals(ki), vals(vi), probs, vals(g), spec);
      return [
        qi.requiresGrad ? ownedGradient(make(r.dq, qi.shape)) : null,
        ki.requiresGrad ? ownedGradient(make(r.dk, ki.shape)) : null,
        vi.requiresGrad ? ownedGradient(make(r.dv, vi.shape)) : null,
      ];
    },
  };
  return record(def, [q, k, v], y);
}
