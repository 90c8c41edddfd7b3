/**
 * `MultiheadAttention`, with PyTorch's parameters, layouts and masks.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { attentionWeights, scaledDotProductAttention } from '../ops/attention.js';
import { linear, where } from '../ops/index.js';
import type { Generator } from '../tensor/random.js';
import { fmt } from '../tensor/shape.js';
import { xavierUniform, zeros } from './init.js';
import { Linear, checkSize } from './linear.js';
import { Module, Parameter } from './module.js';

/** Options of {@link MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights during training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are `[N, L, E]` instead of `[L, N, E]` (default false, as in PyTorch). */
  batchFirst?: boolean;
  /** Features of the key (default `embedDim`). */
  kdim?: number;
  /** Features of the value (default `embedDim`). */
  vdim?: number;
  /** Generator for the initial weights and the dropout masks (default: the global one). */
  generator?: Generator;
}

/** Options of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /**
   * `[N, S]` (or `[S]` unbatched): keys to ignore. An int32 mask is PyTorch's
   * boolean one: nonzero = padding, ignored. A float mask is added to the scores.
   */
  keyPaddingMask?: Tensor | null;
  /**
   * `[L, S]` or `[N·numHeads, L, S]`. Int32: nonzero = this query may NOT attend
   * to this key (PyTorch's convention for this layer, the opposite of
   * `scaledDotProductAttention`'s). Float: added to the scores.
   */
  attnMask?: Tensor | null;
  /**
   * Query `i` attends only to keys `j ≤ i`, without a mask tensor. (PyTorch
   * wants `attnMask` as well and takes this as a hint; here either is enough,
   * and both together are fine.) Alone, with `needWeights: false`, it runs
   * `scaledDotProductAttention`'s fused causal op, which skips the masked half.
   */
  isCausal?: boolean;
  /** Return the attention weights too (default true, as in PyTorch). */
  needWeights?: boolean;
  /** Average the returned weights over the heads, `[N, L, S]`, else `[N, numHeads, L, S]` (default true). */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention (Vaswani et al.), PyTorch's `nn.MultiheadAttention`:
 * project the query, key and value, split them into `numHeads` heads of
 * `embedDim / numHeads` features, attend with each head, join the heads and
 * project back. The state dict matches PyTorch's: `in_proj_weight` `[3E, E]`
 * and `in_proj_bias` `[3E]` (or `q_proj_weight`, `k_proj_weight`,
 * `v_proj_weight` when `kdim` or `vdim` differs from `embedDim`),
 * `out_proj.weight` and `out_proj.bias`.
 *
 * `forward(query, key, value)` takes `[L, N, E]`, `[S, N, kdim]` and
 * `[S, N, vdim]` (`[N, L, E]` etc. with `batchFirst`, or unbatched `[L, E]`)
 * and returns `[output, weights]`: the output like the query, and the
 * attention weights `[N, L, S]` (or null without `needWeights`). A query row
 * that may attend to nothing gets zero weights instead of PyTorch's NaN.
 *
 * @example
 * ```ts
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const [y, w] = mha.forward(x, x, x, { isCausal: true }); // [2, 5, 16], [2, 5, 5]
 * ```
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], [Tensor, Tensor | null]> {
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  /** `[3E, E]`: the query, key and value projections stacked; null when kdim or vdim differs. */
  readonly inProjWeight: Parameter | null;
  readonly qProjWeight: Parameter | null;
  readonly kProjWeight: Parameter | null;
  readonly vProjWeight: Parameter | null;
  /** `[3E]`, or null without bias. */
  readonly inProjBias: Parameter | null;
  readonly outProj: Linear;
  private readonly generator: Generator | undefined;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    checkSize('MultiheadAttention', 'embedDim', embedDim);
    checkSize('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new ArgumentError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    }
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    checkSize('MultiheadAttention', 'kdim', this.kdim);
    checkSize('MultiheadAttention', 'vdim', this.vdim);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ArgumentError(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.batchFirst = options.batchFirst ?? false;
    this.headDim = embedDim / numHeads;
    this.generator = options.generator;
    const e = embedDim;
    const mat = (rows: number, cols: number): Parameter => new Parameter(new Float32Array(rows * cols), [rows, cols]);
    const same = this.kdim === e && this.vdim === e;
    this.inProjWeight = this.param('in_proj_weight', same ? mat(3 * e, e) : null);
    this.qProjWeight = this.param('q_proj_weight', same ? null : mat(e, e));
    this.kProjWeight = this.param('k_proj_weight', same ? null : mat(e, this.kdim));
    this.vProjWeight = this.param('v_proj_weight', same ? null : mat(e, this.vdim));
    const bias = options.bias ?? true;
    this.inProjBias = this.param('in_proj_bias', bias ? new Parameter(new Float32Array(3 * e), [3 * e]) : null);
    this.outProj = this.module('out_proj', new Linear(e, e, { bias, generator: options.generator }));
    this.resetParameters(options.generator);
  }

  /** PyTorch's initialisation: Xavier-uniform projections, zero biases (out_proj's weight as a Linear's). */
  resetParameters(generator?: Generator): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) {
      if (w !== null) xavierUniform(w, 1, generator);
    }
    if (this.inProjBias !== null) zeros(this.inProjBias);
    if (this.outProj.bias !== null) zeros(this.outProj.bias);
  }

  private describe(): string {
    return `MultiheadAttention(embedDim=${this.embedDim}, numHeads=${this.numHeads}, batchFirst=${this.batchFirst})`;
  }

  /** Checks one input and returns it as `[N, T, F]`. */
  private batched(label: string, t: Tensor, features: number, unbatched: boolean): Tensor {
    const layout = this.batchFirst ? `[N, ${label === 'query' ? 'L' : 'S'}, ${features}]` : `[${label === 'query' ? 'L' : 'S'}, N, ${features}]`;
    if (t.dtype === 'int32') throw new DTypeError(`${this.describe()}: ${label} must be a float tensor, got int32`);
    const want = unbatched ? 2 : 3;
    if (t.ndim !== want || t.shape[t.ndim - 1] !== features) {
      const alt = unbatched ? `unbatched [${label === 'query' ? 'L' : 'S'}, ${features}]` : `${layout} (or unbatched [T, ${features}])`;
      throw new ShapeError(`${this.describe()}: ${label} must be ${alt}, got ${fmt(t.shape)}`);
    }
    if (unbatched) return t.unsqueeze(0);
    return this.batchFirst ? t : t.transpose(0, 1);
  }

  /** `[N, T, E]` → `[N, H, T, headDim]`. */
  private heads(t: Tensor): Tensor {
    const [n, len] = t.shape as [number, number, number];
    return t.reshape([n, len, this.numHeads, this.headDim]).transpose(1, 2);
  }

  /** One additive mask broadcastable to `[N, H, L, S]` from the key-padding and attention masks, or null. */
  private combinedMask(o: MultiheadAttentionForwardOptions, n: number, l: number, s: number, unbatched: boolean, dt: 'float32' | 'float64'): Tensor | null {
    const additive = (m: Tensor): Tensor => (m.dtype === 'int32' ? where(m, Number.NEGATIVE_INFINITY, 0).astype(dt) : m.astype(dt));
    let out: Tensor | null = null;
    const kpm = o.keyPaddingMask ?? null;
    if (kpm !== null) {
      const want = unbatched ? [s] : [n, s];
      if (kpm.ndim !== want.length || kpm.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`${this.describe()}: keyPaddingMask must be ${fmt(want)} (${unbatched ? '[S]' : '[N, S]'}), got ${fmt(kpm.shape)}`);
      }
      out = additive(kpm).reshape([n, 1, 1, s]);
    }
    const am = o.attnMask ?? null;
    if (am !== null) {
      const h = this.numHeads;
      const ok2 = am.ndim === 2 && am.shape[0] === l && am.shape[1] === s;
      const ok3 = am.ndim === 3 && am.shape[0] === n * h && am.shape[1] === l && am.shape[2] === s;
      if (!ok2 && !ok3) {
        throw new ShapeError(`${this.describe()}: attnMask must be [L, S] = ${fmt([l, s])} or [N·numHeads, L, S] = ${fmt([n * h, l, s])}, got ${fmt(am.shape)}`);
      }
      const a = ok3 ? additive(am).reshape([n, h, l, s]) : additive(am);
      out = out === null ? a : out.add(a);
    }
    return out;
  }

  /** Returns `[output, weights]`; see the class documentation for the layouts. */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const unbatched = query.ndim === 2;
    const q0 = this.batched('query', query, this.embedDim, unbatched);
    const k0 = this.batched('key', key, this.kdim, unbatched);
    const v0 = this.batched('value', value, this.vdim, unbatched);
    const [n, l] = q0.shape as [number, number, number];
    const s = k0.shape[1]!;
    if (k0.shape[0] !== n || v0.shape[0] !== n) {
      throw new ShapeError(`${this.describe()}: query, key and value must share the batch size N, got ${fmt(query.shape)}, ${fmt(key.shape)}, ${fmt(value.shape)}`);
    }
    if (v0.shape[1] !== s) throw new ShapeError(`${this.describe()}: key and value must share the source length S, got ${fmt(key.shape)} and ${fmt(value.shape)}`);
    const e = this.embedDim;
    const b = this.inProjBias;
    const bias = (i: number): Tensor | undefined => (b === null ? undefined : b.narrow(0, i * e, e));
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    if (this.inProjWeight !== null && query === key && key === value) {
      // Self-attention: one product with the stacked weight, then split.
      [q, k, v] = linear(q0, this.inProjWeight, b ?? undefined).split(e, -1) as [Tensor, Tensor, Tensor];
    } else {
      const w = (i: number, sep: Parameter | null): Tensor => sep ?? this.inProjWeight!.narrow(0, i * e, e);
      q = linear(q0, w(0, this.qProjWeight), bias(0));
      k = linear(k0, w(1, this.kProjWeight), bias(1));
      v = linear(v0, w(2, this.vProjWeight), bias(2));
    }
    const dt = q.dtype === 'float64' ? 'float64' : 'float32';
    const attn = {
      attnMask: this.combinedMask(opts, n, l, s, unbatched, dt),
      isCausal: opts.isCausal === true,
      dropoutP: this.training ? this.dropout : 0,
      generator: this.generator,
    };
    const finish = (heads: Tensor): Tensor => {
      const out = this.outProj.forward(heads.transpose(1, 2).reshape([n, l, e]));
      return unbatched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    };
    if (opts.needWeights === false && attn.isCausal && attn.attnMask === null) {
      // No weights to return and the causal triangle alone: scaledDotProductAttention, which
      // runs the fused causal op when it applies (no dropout, L = S) and the same products otherwise.
      return [finish(scaledDotProductAttention(this.heads(q), this.heads(k), this.heads(v), attn)), null];
    }
    const weights = attentionWeights(this.heads(q), this.heads(k), attn, this.describe());
    const out = finish(weights.matmul(this.heads(v)));
    if (opts.needWeights === false) return [out, null];
    let w = opts.averageAttnWeights === false ? weights : weights.mean(1);
    if (unbatched) w = w.squeeze(0);
    return [out, w];
  }

  override extraRepr(): string {
    const dims = this.kdim !== this.embedDim || this.vdim !== this.embedDim ? `, kdim=${this.kdim}, vdim=${this.vdim}` : '';
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, bias=${this.inProjBias !== null}, batchFirst=${this.batchFirst}${dims}`;
  }
}
