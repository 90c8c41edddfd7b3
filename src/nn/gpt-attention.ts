/**
 * The one place where {@link GPT}'s heads attend: causal scaled dot-product attention over
 * `[batch, heads, time, headSize]` queries, keys and values.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { add, matmul, mul, softmax, transpose } from '../ops/index.js';

const masks = new Map<number, Tensor>();

/** `[t, t]`: 0 on and below the diagonal, −∞ above it (a position sees itself and the past). */
function causalMask(t: number): Tensor {
  let m = masks.get(t);
  if (m === undefined) {
    const data = new Float32Array(t * t);
    for (let i = 0; i < t; i++) data.fill(Number.NEGATIVE_INFINITY, i * t + i + 1, (i + 1) * t);
    m = new Tensor(data, [t, t]);
    masks.set(t, m);
  }
  return m;
}

/**
 * `softmax(q·kᵀ/√d + causal mask)·v` for `[b, h, t, d]` inputs.
 * @param dropoutP - dropout on the attention weights (training only; 0 here).
 */
export function causalSelfAttention(q: Tensor, k: Tensor, v: Tensor, dropoutP: number): Tensor {
  void dropoutP;
  const d = q.shape[q.ndim - 1]!;
  const t = q.shape[q.ndim - 2]!;
  const att = softmax(add(mul(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(d)), causalMask(t)), -1);
  return matmul(att, v);
}
