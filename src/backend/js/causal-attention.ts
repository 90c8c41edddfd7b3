/**
 * Fused causal attention, the reference for the WASM kernels: float64
 * arithmetic throughout, each result rounded once into the output's dtype,
 * and only the lower triangle (`j ≤ i`) of every score matrix touched.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { CausalAttentionGrads, CausalAttentionResult, CausalAttentionSpec } from '../backend.js';
import { alike } from './strided.js';

/** `q[a]·k[b]` over `n` features in float64. */
function dot(q: FloatArray, a: number, k: FloatArray, b: number, n: number): number {
  let s = 0;
  for (let e = 0; e < n; e++) s += q[a + e]! * k[b + e]!;
  return s;
}

/** Per problem and query row `i`: the softmax of `scale·q[i]·k[j]` over `j ≤ i`, and `Σ_j P[i, j]·v[j]`. */
export function causalAttention(q: FloatArray, k: FloatArray, v: FloatArray, spec: CausalAttentionSpec): CausalAttentionResult {
  const { batch, seq: t, dim, valueDim: ev, scale } = spec;
  const out = alike(q, batch * t * ev);
  const probs = alike(q, batch * t * t);
  const z = new Float64Array(t);
  const acc = new Float64Array(ev);
  for (let b = 0; b < batch; b++) {
    const qb = b * t * dim;
    const vb = b * t * ev;
    for (let i = 0; i < t; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j <= i; j++) {
        const s = scale * dot(q, qb + i * dim, k, qb + j * dim, dim);
        z[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        z[j] = Math.exp(z[j]! - max);
        sum += z[j]!;
      }
      acc.fill(0);
      const prow = (b * t + i) * t;
      for (let j = 0; j <= i; j++) {
        const p = z[j]! / sum;
        probs[prow + j] = p;
        for (let e = 0; e < ev; e++) acc[e]! += p * v[vb + j * ev + e]!;
      }
      for (let e = 0; e < ev; e++) out[vb + i * ev + e] = acc[e]!;
    }
  }
  return { out, probs };
}

/** The gradients of {@link causalAttention}; see `Backend.causalAttentionGrad`. */
export function causalAttentionGrad(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  probs: FloatArray,
  g: FloatArray,
  spec: CausalAttentionSpec,
): CausalAttentionGrads {
  const { batch, seq: t, dim, valueDim: ev, scale } = spec;
  const dq = alike(q, batch * t * dim);
  const dk = alike(q, batch * t * dim);
  const dv = alike(q, batch * t * ev);
  const ds = new Float64Array(t);
  const accQ = new Float64Array(dim);
  const accK = new Float64Array(t * dim);
  const accV = new Float64Array(t * ev);
  for (let b = 0; b < batch; b++) {
    const qb = b * t * dim;
    const vb = b * t * ev;
    accK.fill(0);
    accV.fill(0);
    for (let i = 0; i < t; i++) {
      const prow = (b * t + i) * t;
      const grow = vb + i * ev;
      // dP[i, j] = g[i]·v[j], and the row's Σ_j dP ⊙ P.
      let rowDot = 0;
      for (let j = 0; j <= i; j++) {
        ds[j] = dot(g, grow, v, vb + j * ev, ev);
        rowDot += ds[j]! * probs[prow + j]!;
      }
      accQ.fill(0);
      for (let j = 0; j <= i; j++) {
        const p = probs[prow + j]!;
        const s = scale * p * (ds[j]! - rowDot);
        for (let e = 0; e < dim; e++) {
          accQ[e]! += s * k[qb + j * dim + e]!;
          accK[j * dim + e]! += s * q[qb + i * dim + e]!;
        }
        for (let e = 0; e < ev; e++) accV[j * ev + e]! += p * g[grow + e]!;
      }
      for (let e = 0; e < dim; e++) dq[qb + i * dim + e] = accQ[e]!;
    }
    for (let x = 0; x < t * dim; x++) dk[qb + x] = accK[x]!;
    for (let x = 0; x < t * ev; x++) dv[vb + x] = accV[x]!;
  }
  return { dq, dk, dv };
}
