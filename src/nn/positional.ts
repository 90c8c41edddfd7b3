/**
 * Positional embeddings for sequence models: learned (`PositionalEmbedding`)
 * and fixed sinusoidal (`SinusoidalPositionalEncoding`).
 * @module
 */
import { make } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { DTypeError, ShapeError } from '../errors.js';
import { fmt } from '../tensor/shape.js';
import { normal } from './init.js';
import { type Embedding, type LayerOptions, checkSize } from './linear.js';
import { Module, Parameter } from './module.js';

/** Checks `x` `[..., T, dim]` against `maxLen` and `dim`; returns T. */
function seqLength(layer: string, x: Tensor, dim: number, maxLen: number): number {
  if (x.dtype === 'int32') throw new DTypeError(`${layer}: the input must be a float tensor [..., T, ${dim}] (embed token ids first), got int32`);
  if (x.ndim < 2 || x.shape[x.ndim - 1] !== dim) {
    throw new ShapeError(`${layer}: the input must be [..., T, ${dim}] (batch first), got ${fmt(x.shape)}`);
  }
  const t = x.shape[x.ndim - 2]!;
  if (t > maxLen) throw new ShapeError(`${layer}: sequence length ${t} exceeds maxLen ${maxLen} (input ${fmt(x.shape)})`);
  return t;
}

/**
 * A learned position embedding, as in GPT-2: `x + weight[0..T)` for `x`
 * `[..., T, dim]`, where `weight` `[maxLen, dim]` is an embedding table over
 * positions (initialised from N(0, 1) like {@link Embedding}). Its state-dict
 * key is `weight`, as an `nn.Embedding` of positions has in PyTorch (nanoGPT's
 * `wpe.weight` loads into a `PositionalEmbedding` registered as `wpe`).
 *
 * @example
 * ```ts
 * const pos = new PositionalEmbedding(64, 128);
 * const h = pos.forward(tokenEmbeddings); // [batch, T, 128], T ≤ 64
 * ```
 */
export class PositionalEmbedding extends Module {
  readonly weight: Parameter;

  constructor(
    readonly maxLen: number,
    readonly dim: number,
    options: LayerOptions = {},
  ) {
    super();
    checkSize('PositionalEmbedding', 'maxLen', maxLen);
    checkSize('PositionalEmbedding', 'dim', dim);
    this.weight = this.param('weight', new Parameter(new Float32Array(maxLen * dim), [maxLen, dim]));
    normal(this.weight, 0, 1, options.generator);
  }

  forward(x: Tensor): Tensor {
    const t = seqLength('PositionalEmbedding', x, this.dim, this.maxLen);
    return x.add(this.weight.narrow(0, 0, t));
  }

  override extraRepr(): string {
    return `maxLen=${this.maxLen}, dim=${this.dim}`;
  }
}

/**
 * The fixed sinusoidal encoding of Vaswani et al. (2017), added to `x`
 * `[..., T, dim]`: `pe[p, 2i] = sin(p / 10000^(2i/dim))` and
 * `pe[p, 2i+1] = cos(p / 10000^(2i/dim))`. `pe` `[maxLen, dim]` is a buffer
 * (saved, not trained).
 *
 * @example
 * ```ts
 * const pe = new SinusoidalPositionalEncoding(128, 512);
 * const h = pe.forward(x); // x: [batch, T, 128]
 * ```
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly pe: Tensor;

  constructor(
    readonly dim: number,
    readonly maxLen = 5000,
  ) {
    super();
    checkSize('SinusoidalPositionalEncoding', 'dim', dim);
    checkSize('SinusoidalPositionalEncoding', 'maxLen', maxLen);
    this.pe = this.buffer('pe', make(sinusoidTable(maxLen, dim), [maxLen, dim]));
  }

  forward(x: Tensor): Tensor {
    const t = seqLength('SinusoidalPositionalEncoding', x, this.dim, this.maxLen);
    return x.add(this.pe.narrow(0, 0, t));
  }

  override extraRepr(): string {
    return `dim=${this.dim}, maxLen=${this.maxLen}`;
  }
}

/** The `[maxLen, dim]` table of {@link SinusoidalPositionalEncoding}, computed in float64. */
export function sinusoidTable(maxLen: number, dim: number): Float32Array {
  const out = new Float32Array(maxLen * dim);
  for (let i = 0; i < dim; i += 2) {
    const freq = Math.exp((-i * Math.log(10000)) / dim);
    for (let p = 0; p < maxLen; p++) {
      out[p * dim + i] = Math.sin(p * freq);
      if (i + 1 < dim) out[p * dim + i + 1] = Math.cos(p * freq);
    }
  }
  return out;
}
