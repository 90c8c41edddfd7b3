/**
 * `TransformerEncoderLayer` and `TransformerEncoder`, with PyTorch's
 * sub-module names so that PyTorch state dicts load one to one.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { gelu, relu } from '../ops/index.js';
import type { Generator } from '../tensor/random.js';
import { MultiheadAttention } from './attention.js';
import { Sequential } from './container.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { LayerNorm } from './norm.js';

/** The feed-forward activations of {@link TransformerEncoderLayer}. */
export type TransformerActivation = 'relu' | 'gelu';

const activate = (a: TransformerActivation, x: Tensor): Tensor => (a === 'relu' ? relu(x) : gelu(x));

/** Options of {@link TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the layer (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default 'relu'). */
  activation?: TransformerActivation;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are `[N, S, E]` instead of `[S, N, E]` (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before attention and feed-forward instead of after (default false). */
  normFirst?: boolean;
  /** Generator for the initial weights and the dropout masks. */
  generator?: Generator;
}

/** Options of {@link TransformerEncoderLayer.forward} and {@link TransformerEncoder.forward}. */
export interface TransformerEncoderForwardOptions {
  /** `[S, S]` or `[N·nhead, S, S]` attention mask (int32 nonzero = may not attend; float added). */
  srcMask?: Tensor | null;
  /** `[N, S]` padding mask (int32 nonzero = padding; float added). */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal self-attention, without a mask tensor. */
  isCausal?: boolean;
}

/**
 * One transformer encoder block (Vaswani et al.), PyTorch's
 * `nn.TransformerEncoderLayer`: self-attention and a feed-forward block, each
 * with dropout, a residual connection and LayerNorm (after the residual, or
 * before the block with `normFirst`). Sub-modules: `self_attn`, `linear1`,
 * `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`.
 *
 * @example
 * ```ts
 * const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true, normFirst: true });
 * const y = layer.forward(randn([2, 10, 32]), { isCausal: true }); // [2, 10, 32]
 * ```
 */
export class TransformerEncoderLayer extends Module<[Tensor, TransformerEncoderForwardOptions?], Tensor> {
  readonly dimFeedforward: number;
  readonly dropoutP: number;
  readonly activation: TransformerActivation;
  readonly layerNormEps: number;
  readonly batchFirst: boolean;
  readonly normFirst: boolean;
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  private readonly generator: Generator | undefined;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    options: TransformerEncoderLayerOptions = {},
  ) {
    super();
    this.dimFeedforward = options.dimFeedforward ?? 2048;
    this.dropoutP = options.dropout ?? 0.1;
    this.activation = options.activation ?? 'relu';
    if (this.activation !== 'relu' && this.activation !== 'gelu') {
      throw new ArgumentError(`TransformerEncoderLayer: activation must be 'relu' or 'gelu', got '${String(this.activation)}'`);
    }
    this.layerNormEps = options.layerNormEps ?? 1e-5;
    this.batchFirst = options.batchFirst ?? false;
    this.normFirst = options.normFirst ?? false;
    const { generator } = options;
    this.generator = generator;
    const p = this.dropoutP;
    this.selfAttn = this.module('self_attn', new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: this.batchFirst, generator }));
    this.linear1 = this.module('linear1', new Linear(dModel, this.dimFeedforward, { generator }));
    this.dropout = this.module('dropout', new Dropout(p, { generator }));
    this.linear2 = this.module('linear2', new Linear(this.dimFeedforward, dModel, { generator }));
    const norm = { eps: this.layerNormEps, elementwiseAffine: true };
    this.norm1 = this.module('norm1', new LayerNorm(dModel, norm));
    this.norm2 = this.module('norm2', new LayerNorm(dModel, norm));
    this.dropout1 = this.module('dropout1', new Dropout(p, { generator }));
    this.dropout2 = this.module('dropout2', new Dropout(p, { generator }));
  }

  private attend(x: Tensor, o: TransformerEncoderForwardOptions): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, {
      attnMask: o.srcMask ?? null,
      keyPaddingMask: o.srcKeyPaddingMask ?? null,
      isCausal: o.isCausal === true,
      needWeights: false,
    });
    return this.dropout1.forward(y);
  }

  private feedForward(x: Tensor): Tensor {
    // relu is fused into linear1 unless linear1 is hooked (its hooks then see its own output).
    const fuse = this.activation === 'relu' && this.linear1.forward === Linear.prototype.forward;
    const h = fuse ? this.linear1.forwardActivated(x, 'relu') : activate(this.activation, this.linear1.forward(x));
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(h)));
  }

  /** `src` `[S, N, E]` (`[N, S, E]` with `batchFirst`, or unbatched `[S, E]`) → the same shape. */
  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    if (this.normFirst) {
      const x = src.add(this.attend(this.norm1.forward(src), opts));
      return x.add(this.feedForward(this.norm2.forward(x)));
    }
    const x = this.norm1.forward(src.add(this.attend(src, opts)));
    return this.norm2.forward(x.add(this.feedForward(x)));
  }

  /** A new layer with the same options and a copy of this one's weights (PyTorch's deep copy in `TransformerEncoder`). */
  clone(): TransformerEncoderLayer {
    const copy = new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.options(), generator: this.generator });
    copy.loadStateDict(this.stateDict());
    copy.train(this.training);
    return copy;
  }

  /** The constructor options that rebuild this layer (without the generator). */
  options(): TransformerEncoderLayerOptions {
    return {
      dimFeedforward: this.dimFeedforward,
      dropout: this.dropoutP,
      activation: this.activation,
      layerNormEps: this.layerNormEps,
      batchFirst: this.batchFirst,
      normFirst: this.normFirst,
    };
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, dimFeedforward=${this.dimFeedforward}, dropout=${this.dropoutP}, activation=${this.activation}, batchFirst=${this.batchFirst}, normFirst=${this.normFirst}`;
  }
}

/**
 * A stack of `numLayers` copies of `layer` (each starts from `layer`'s
 * weights, as PyTorch's deep copies do), then `norm` if given: PyTorch's
 * `nn.TransformerEncoder`, with state-dict keys `layers.0.self_attn.in_proj_weight`, …, `norm.weight`.
 *
 * @example
 * ```ts
 * const enc = new TransformerEncoder(new TransformerEncoderLayer(32, 4, { batchFirst: true }), 2, new LayerNorm(32));
 * const y = enc.forward(randn([2, 10, 32]), { isCausal: true });
 * ```
 */
export class TransformerEncoder extends Module<[Tensor, TransformerEncoderForwardOptions?], Tensor> {
  /** The layers, as a container whose children are named `0`, `1`, … */
  readonly layers: Sequential;
  readonly norm: LayerNorm | null;
  private readonly stack: TransformerEncoderLayer[];

  constructor(
    layer: TransformerEncoderLayer,
    readonly numLayers: number,
    norm: LayerNorm | null = null,
  ) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new ArgumentError(`TransformerEncoder: numLayers must be a positive integer, got ${numLayers}`);
    }
    this.stack = Array.from({ length: numLayers }, () => layer.clone());
    this.layers = this.module('layers', new Sequential(...this.stack));
    this.norm = norm === null ? null : this.module('norm', norm);
  }

  /** The `i`-th layer. */
  layer(i: number): TransformerEncoderLayer {
    const l = this.stack.at(i);
    if (l === undefined) throw new ArgumentError(`TransformerEncoder: layer ${i} does not exist (numLayers=${this.numLayers})`);
    return l;
  }

  /** Runs every layer with the same masks, then the final norm. */
  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const l of this.stack) x = l.forward(x, opts);
    return this.norm === null ? x : this.norm.forward(x);
  }

  override extraRepr(): string {
    return `numLayers=${this.numLayers}`;
  }
}
