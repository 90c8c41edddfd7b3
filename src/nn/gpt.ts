/**
 * A GPT language model in nanoGPT's layout: token and learned position embeddings, pre-LN
 * transformer blocks (causal self-attention, then a 4× GELU MLP, each in a residual branch),
 * a final LayerNorm and a language-model head that shares the token embedding's weight.
 * Parameter names follow nanoGPT's (`transformer.h.0.attn.c_attn.weight`, …), so its state
 * dicts map one to one (its `lm_head.weight` is the tied `transformer.wte.weight`).
 * @module
 */
import { recycleTransient } from '../autograd/recycle.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { add, contiguous, gelu, linear, narrow, permute, reshape, scaledDotProductAttention, transpose } from '../ops/index.js';
import type { Generator } from '../tensor/random.js';
import { Sequential } from './container.js';
import { Dropout } from './dropout.js';
import { normal, zeros } from './init.js';
import { Embedding, Linear } from './linear.js';
import { Module, type Parameter } from './module.js';
import { LayerNorm } from './norm.js';

/** The shape of a {@link GPT}. */
export interface GPTConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** The longest context, in tokens (the number of learned positions). */
  blockSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  nHead: number;
  /** Width of the residual stream. */
  nEmbd: number;
  /** Dropout on embeddings, attention weights and residual branches (default 0). */
  dropout?: number;
  /** Biases in the Linear and LayerNorm layers (default false, as nanoGPT's `train.py`). */
  bias?: boolean;
}

/** `GPTConfig` with every field filled in. */
export type FullGPTConfig = Required<GPTConfig>;

function checkConfig(c: GPTConfig): FullGPTConfig {
  const full: FullGPTConfig = { dropout: 0, bias: false, ...c };
  for (const k of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
    const v = full[k];
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`GPT: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (full.nEmbd % full.nHead !== 0) throw new ArgumentError(`GPT: nHead (${full.nHead}) must divide nEmbd (${full.nEmbd})`);
  if (!(full.dropout >= 0 && full.dropout < 1)) throw new ArgumentError(`GPT: dropout must be in [0, 1), got ${full.dropout}`);
  if (typeof full.bias !== 'boolean') throw new ArgumentError(`GPT: bias must be true or false, got ${String(full.bias)}`);
  return full;
}

/** Multi-head causal self-attention: one Linear to q, k, v for all heads, attention, an output Linear. */
export class CausalSelfAttention extends Module {
  readonly c_attn: Linear;
  readonly c_proj: Linear;
  readonly resid_dropout: Dropout;
  readonly nHead: number;
  readonly dropout: number;

  constructor(c: FullGPTConfig, generator?: Generator) {
    super();
    this.nHead = c.nHead;
    this.dropout = c.dropout;
    this.c_attn = this.module('c_attn', new Linear(c.nEmbd, 3 * c.nEmbd, { bias: c.bias, generator }));
    this.c_proj = this.module('c_proj', new Linear(c.nEmbd, c.nEmbd, { bias: c.bias, generator }));
    this.resid_dropout = this.module('resid_dropout', new Dropout(c.dropout));
  }

  /** `x`: `[batch, time, nEmbd]`. */
  forward(x: Tensor): Tensor {
    const [b, t, c] = x.shape as [number, number, number];
    const nh = this.nHead;
    const hs = c / nh;
    // [b, t, 3c] → [3, b, nh, t, hs] in one copy; q, k and v are then contiguous blocks of it, which
    // the batched products read in place (splitting first and moving each head made two copies of each).
    const qkv = contiguous(permute(reshape(this.c_attn.forward(x), [b, t, 3, nh, hs]), [2, 0, 3, 1, 4]));
    const head = (i: number): Tensor => reshape(narrow(qkv, 0, i, 1), [b, nh, t, hs]);
    const y = scaledDotProductAttention(head(0), head(1), head(2), { isCausal: true, dropoutP: this.training ? this.dropout : 0 });
    const joined = reshape(transpose(y, 1, 2), [b, t, c]);
    // The heads were copied into joined, and no rule reads y's values again: its array is reused.
    recycleTransient(y, joined);
    return this.resid_dropout.forward(this.c_proj.forward(joined));
  }

  override extraRepr(): string {
    return `nHead=${this.nHead}`;
  }
}

/** The block's feed-forward part: Linear to 4× width, GELU, Linear back. */
export class GPTMLP extends Module {
  readonly c_fc: Linear;
  readonly c_proj: Linear;
  readonly dropout: Dropout;

  constructor(c: FullGPTConfig, generator?: Generator) {
    super();
    this.c_fc = this.module('c_fc', new Linear(c.nEmbd, 4 * c.nEmbd, { bias: c.bias, generator }));
    this.c_proj = this.module('c_proj', new Linear(4 * c.nEmbd, c.nEmbd, { bias: c.bias, generator }));
    this.dropout = this.module('dropout', new Dropout(c.dropout));
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(gelu(this.c_fc.forward(x))));
  }
}

/** A pre-LN transformer block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`. */
export class GPTBlock extends Module {
  readonly ln_1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln_2: LayerNorm;
  readonly mlp: GPTMLP;

  constructor(c: FullGPTConfig, generator?: Generator) {
    super();
    this.ln_1 = this.module('ln_1', new LayerNorm(c.nEmbd, { bias: c.bias }));
    this.attn = this.module('attn', new CausalSelfAttention(c, generator));
    this.ln_2 = this.module('ln_2', new LayerNorm(c.nEmbd, { bias: c.bias }));
    this.mlp = this.module('mlp', new GPTMLP(c, generator));
  }

  forward(x: Tensor): Tensor {
    const h = add(x, this.attn.forward(this.ln_1.forward(x)));
    return add(h, this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** The trunk (nanoGPT's `transformer` dict): embeddings, blocks and the final LayerNorm. */
export class GPTTrunk extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly drop: Dropout;
  readonly h: Sequential;
  readonly ln_f: LayerNorm;

  constructor(c: FullGPTConfig, generator?: Generator) {
    super();
    this.wte = this.module('wte', new Embedding(c.vocabSize, c.nEmbd, { generator }));
    this.wpe = this.module('wpe', new Embedding(c.blockSize, c.nEmbd, { generator }));
    this.drop = this.module('drop', new Dropout(c.dropout));
    this.h = this.module('h', new Sequential(...Array.from({ length: c.nLayer }, () => new GPTBlock(c, generator))));
    this.ln_f = this.module('ln_f', new LayerNorm(c.nEmbd, { bias: c.bias }));
  }

  /** Token ids `[batch, time]` → final hidden states `[batch, time, nEmbd]`. */
  forward(idx: Tensor): Tensor {
    const t = idx.shape[1]!;
    const positions = this.wpe.forward(new Tensor(new Int32Array(t).map((_, i) => i), [t]));
    let x = this.drop.forward(add(this.wte.forward(idx), positions));
    for (const block of this.h) x = block.forward(x);
    return this.ln_f.forward(x);
  }
}

/**
 * nanoGPT's GPT. `forward(idx)` maps int32 token ids `[batch, time]` (time ≤ blockSize) to
 * logits `[batch, time, vocabSize]`. Weights are initialised as nanoGPT does: every Linear and
 * Embedding weight from N(0, 0.02), biases zero, and the residual projections (`c_proj`) from
 * N(0, 0.02/√(2·nLayer)).
 *
 * @example
 * ```ts
 * const model = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 }, { generator: new Generator(1337) });
 * const logits = model.forward(x); // x: int32 [12, 64] → [12, 64, 65]
 * const loss = crossEntropy(logits.reshape([-1, 65]), y.reshape([-1]));
 * ```
 */
export class GPT extends Module {
  readonly config: FullGPTConfig;
  readonly transformer: GPTTrunk;

  constructor(config: GPTConfig, options: { generator?: Generator } = {}) {
    super();
    this.config = checkConfig(config);
    const g = options.generator;
    this.transformer = this.module('transformer', new GPTTrunk(this.config, g));
    const std = 0.02;
    const projStd = std / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) {
      if (p.ndim === 1) {
        if (name.endsWith('.bias')) zeros(p);
        continue;
      }
      normal(p, 0, name.endsWith('c_proj.weight') ? projStd : std, g);
    }
  }

  /** Token ids `[batch, time]` → logits `[batch, time, vocabSize]`. */
  forward(idx: Tensor): Tensor {
    if (idx.dtype !== 'int32') throw new DTypeError(`GPT: token ids must be an int32 tensor, got ${idx.dtype}`);
    if (idx.ndim !== 2) {
      throw new ShapeError(`GPT: expected token ids of shape [batch, time], got [${idx.shape.join(', ')}]`);
    }
    if (idx.shape[1]! > this.config.blockSize || idx.shape[1] === 0) {
      throw new ShapeError(`GPT: a sequence of ${idx.shape[1]} tokens does not fit the block size ${this.config.blockSize}; crop the context to its last ${this.config.blockSize} tokens`);
    }
    // The head shares the token embedding's weight (weight tying).
    return linear(this.transformer.forward(idx), this.transformer.wte.weight);
  }

  /**
   * nanoGPT's optimizer groups: weight decay on the matrices (Linear and Embedding weights),
   * none on the vectors (LayerNorm scales, biases). Pass them to `AdamW`.
   *
   * @example
   * ```ts
   * const opt = new AdamW(model.paramGroups(0.1), { lr: 1e-3, betas: [0.9, 0.99] });
   * ```
   */
  paramGroups(weightDecay: number): { params: Parameter[]; weightDecay: number }[] {
    const params = this.parameters();
    return [
      { params: params.filter((p) => p.ndim >= 2), weightDecay },
      { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
    ];
  }

  /** The number of parameters; without the position embeddings when `nonEmbedding` (nanoGPT's count). */
  numParams(nonEmbedding = true): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return nonEmbedding ? n - this.transformer.wpe.weight.size : n;
  }

  override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, dropout=${c.dropout}, bias=${c.bias}`;
  }
}
