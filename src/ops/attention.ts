/**
 * Scaled dot-product attention, PyTorch 2.x's `scaled_dot_product_attention`.
 * @module
 */
import { make } from '../autograd/engine.js';
import { recycleTransient } from '../autograd/recycle.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { broadcastShapes, fmt } from '../tensor/shape.js';
import { causalAttention, fusedCausalApplies } from './causal-attention.js';
import { where } from './elementwise.js';
import { matmul } from './linalg.js';
import { maskedSoftmax } from './masked-softmax.js';
import { transpose } from './movement.js';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /**
   * A mask broadcastable to the scores `[..., L, S]`. An int32 tensor is a
   * boolean mask, PyTorch's `torch.bool`: nonzero = this query may attend to
   * this key, 0 = it may not. A float tensor is added to the scores before the
   * softmax (use `-Infinity` to forbid a position).
   */
  attnMask?: Tensor | null;
  /**
   * Query `i` attends only to keys `j ≤ i` (PyTorch's top-left aligned lower
   * triangle). No mask tensor is built: the fused softmax skips those columns. May be combined with `attnMask`: both apply.
   * Alone (no `attnMask`, `dropoutP` 0, as many keys as queries, one float dtype, no
   * broadcast leading dimensions), {@link scaledDotProductAttention} runs it as one fused op
   * that never computes the masked upper triangle, forward or backward.
   */
  isCausal?: boolean;
  /** Dropout probability on the attention weights, in [0, 1) (default 0). Applied whenever positive, as in PyTorch: pass 0 in evaluation. */
  dropoutP?: number;
  /** Factor on `q·kᵀ` (default `1/√E`). */
  scale?: number;
  /** Source of the dropout masks (default: the global generator). */
  generator?: Generator;
}

/** Checks the shapes of q, k, v and the mask; returns the scores' shape `[..., L, S]`. */
function checkAttention(name: string, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null): number[] {
  for (const [label, t] of [['query', q], ['key', k], ['value', v]] as const) {
    if (t.dtype === 'int32') throw new DTypeError(`${name}: ${label} must be a float tensor, got int32`);
    if (t.ndim < 2) throw new ShapeError(`${name}: ${label} must be [..., seq, features], got ${fmt(t.shape)}`);
  }
  const e = q.shape[q.ndim - 1]!;
  const l = q.shape[q.ndim - 2]!;
  const s = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== e) {
    throw new ShapeError(`${name}: query [..., L, E] and key [..., S, E] must share E, got ${fmt(q.shape)} and ${fmt(k.shape)}`);
  }
  if (v.shape[v.ndim - 2] !== s) {
    throw new ShapeError(`${name}: key [..., S, E] and value [..., S, Ev] must share S, got ${fmt(k.shape)} and ${fmt(v.shape)}`);
  }
  const batch = broadcastShapes(name, q.shape.slice(0, -2), broadcastShapes(name, k.shape.slice(0, -2), v.shape.slice(0, -2)));
  const scores = [...batch, l, s];
  if (mask !== null) {
    try {
      const b = broadcastShapes(name, mask.shape, scores);
      if (b.length !== scores.length || b.some((d, i) => d !== scores[i])) throw new ShapeError('');
    } catch {
      throw new ShapeError(`${name}: attnMask ${fmt(mask.shape)} does not broadcast to the scores [..., L, S] = ${fmt(scores)}`);
    }
  }
  return scores;
}

/** The additive form of a mask: float masks as they are, int32 ones as 0 (attend) or −∞. */
function additiveMask(mask: Tensor, dtype: 'float32' | 'float64'): Tensor {
  if (mask.dtype !== 'int32') return mask.dtype === dtype ? mask : mask.astype(dtype);
  return where(mask, 0, Number.NEGATIVE_INFINITY).astype(dtype);
}

/**
 * Attention of queries `q` `[..., L, E]` over keys `k` `[..., S, E]` and values
 * `v` `[..., S, Ev]`: `softmax(q·kᵀ·scale + mask) · v`, `[..., L, Ev]`, with
 * PyTorch 2.x's semantics (`torch.nn.functional.scaled_dot_product_attention`).
 * The leading dimensions broadcast.
 *
 * @example
 * ```ts
 * const q = randn([2, 4, 8, 16]); // batch, heads, L, E
 * const out = scaledDotProductAttention(q, q, q, { isCausal: true }); // [2, 4, 8, 16]
 * ```
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const name = 'scaledDotProductAttention';
  checkAttention(name, q, k, v, opts.attnMask ?? null);
  if (opts.isCausal === true && (opts.attnMask ?? null) === null && q.shape[q.ndim - 2] === k.shape[k.ndim - 2]) {
    const { p, scale } = checkedParams(name, q, opts);
    if (p === 0 && fusedCausalApplies(q, k, v)) return causalAttention(q, k, v, scale);
  }
  return matmul(weightsOf(name, q, k, opts), v);
}

/**
 * The attention weights `dropout(softmax(q·kᵀ·scale + mask))` `[..., L, S]` of
 * {@link scaledDotProductAttention} (which multiplies them by `v`), for layers
 * that return them. Checks q and k as it does, with `k` standing in for `v`.
 */
export function attentionWeights(q: Tensor, k: Tensor, opts: AttentionOptions = {}, name = 'attentionWeights'): Tensor {
  checkAttention(name, q, k, k, opts.attnMask ?? null);
  return weightsOf(name, q, k, opts);
}

/** The dropout probability and the scale of `opts`, checked. */
function checkedParams(name: string, q: Tensor, opts: AttentionOptions): { p: number; scale: number } {
  const p = opts.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`${name}: dropoutP must be in [0, 1), got ${p}`);
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  if (!Number.isFinite(scale)) throw new ArgumentError(`${name}: scale must be finite, got ${scale}`);
  return { p, scale };
}

function weightsOf(name: string, q: Tensor, k: Tensor, opts: AttentionOptions): Tensor {
  const mask = opts.attnMask ?? null;
  const { p, scale } = checkedParams(name, q, opts);
  const dt = q.dtype === 'float64' || k.dtype === 'float64' ? 'float64' : 'float32';
  const scores = matmul(q, transpose(k, -2, -1));
  const weights = maskedSoftmax(scores, { mask: mask === null ? null : additiveMask(mask, dt), causal: opts.isCausal === true, scale });
  // No rule reads the scores' values again (the softmax's gradient needs only its output): reuse their array.
  recycleTransient(scores, weights);
  return p > 0 ? weights.mul(dropoutMask(weights.shape, p, dt, opts.generator)) : weights;
}

/** A dropout mask of `shape`: 1/(1−p) with probability 1−p, else 0. */
export function dropoutMask(shape: readonly number[], p: number, dtype: 'float32' | 'float64', generator?: Generator): Tensor {
  const g = generator ?? getDefaultGenerator();
  const keep = 1 - p;
  const scale = 1 / keep;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = g.nextFloat() < keep ? scale : 0;
  return make(data, [...shape]);
}
