/**
 * `Linear`, `Flatten` and `Embedding`.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { type LinearActivation, flatten, indexSelect, linear, reshape } from '../ops/index.js';
import type { Generator } from '../tensor/random.js';
import { kaimingUniform, normal, uniform } from './init.js';
import { Module, Parameter } from './module.js';

/** Options shared by layers with parameters. */
export interface LayerOptions {
  /** Generator for the initial weights (default: the global one; see `manualSeed`). */
  generator?: Generator;
}

/** Throws an ArgumentError naming the layer unless `v` is a positive integer. */
export function checkSize(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

/**
 * A fully connected layer, `y = x·Wᵀ + b`, with `W` of shape `[out, in]` as in PyTorch.
 * Initialised like PyTorch: W and b from U(−1/√in, 1/√in).
 *
 * @example
 * ```ts
 * const fc = new Linear(784, 128);
 * const y = fc.forward(x); // [batch, 128]
 * ```
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LayerOptions & { bias?: boolean } = {},
  ) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.weight = this.param('weight', new Parameter(new Float32Array(outFeatures * inFeatures), [outFeatures, inFeatures]));
    this.bias = this.param('bias', options.bias === false ? null : new Parameter(new Float32Array(outFeatures), [outFeatures]));
    this.resetParameters(options.generator);
  }

  /** Re-draws the weights with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      uniform(this.bias, -bound, bound, generator);
    }
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return linear(x, this.weight, this.bias ?? undefined);
  }

  /**
   * `activation(forward(x))` as one fused primitive: the bias and the activation
   * are applied in one pass over the product. Values and gradients equal
   * `new ReLU().forward(fc.forward(x))` (and likewise for sigmoid and tanh); a
   * container can call this when a Linear layer is directly followed by one of them.
   *
   * @example
   * ```ts
   * const h = fc.forwardActivated(x, 'relu'); // same as relu(fc.forward(x))
   * ```
   */
  forwardActivated(x: Tensor, activation: LinearActivation): Tensor {
    this.checkInput(x);
    return linear(x, this.weight, this.bias ?? undefined, activation);
  }

  private checkInput(x: Tensor): void {
    const last = x.shape[x.ndim - 1];
    if (last !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures}, ${this.outFeatures}): expected input with ${this.inFeatures} features in the last dimension, got shape [${x.shape.join(', ')}]`,
      );
    }
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Flattens dimensions `startDim..endDim` into one (by default everything but the batch).
 * @example
 * ```ts
 * new Flatten().forward(images); // [batch, 28, 28] -> [batch, 784]
 * ```
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, indexed by int32 ids.
 * Initialised from N(0, 1), as in PyTorch.
 *
 * @example
 * ```ts
 * const emb = new Embedding(1000, 16);
 * emb.forward(tensor([[1, 2, 3]], { dtype: 'int32' })); // [1, 3, 16]
 * ```
 */
export class Embedding extends Module {
  readonly weight: Parameter;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: LayerOptions = {},
  ) {
    super();
    checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    checkSize('Embedding', 'embeddingDim', embeddingDim);
    this.weight = this.param(
      'weight',
      new Parameter(new Float32Array(numEmbeddings * embeddingDim), [numEmbeddings, embeddingDim]),
    );
    normal(this.weight, 0, 1, options.generator);
  }

  forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32') {
      throw new DTypeError(`Embedding: indices must be an int32 tensor, got ${indices.dtype}; convert with .int()`);
    }
    const ids = indices.dataSync();
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      if (v < 0 || v >= this.numEmbeddings) {
        throw new ArgumentError(`Embedding: index ${v} is out of range [0, ${this.numEmbeddings})`);
      }
    }
    const rows = indexSelect(this.weight, 0, reshape(indices, [indices.size]));
    return reshape(rows, [...indices.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
