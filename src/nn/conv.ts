/**
 * `Conv1d`, `Conv2d` and `ConvTranspose2d`: the convolution ops with their
 * weight and bias, PyTorch's constructor semantics, parameter names and
 * default initialisation.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type ConvPadding, checkGroups, convGeometry, convTransposeGeometry, spatial } from '../ops/conv-geometry.js';
import { conv1d, conv2d, conv2dMaxPool2d, convTranspose2d } from '../ops/conv.js';
import type { MaxPoolOptions, Size2 } from '../ops/pool.js';
import { fmt, sizeOf } from '../tensor/shape.js';
import type { Generator } from '../tensor/random.js';
import { fans, kaimingUniform, uniform } from './init.js';
import type { LayerOptions } from './linear.js';
import { Module, Parameter } from './module.js';

/** Options of {@link Conv1d} and {@link Conv2d}: PyTorch's keyword arguments. */
export interface ConvLayerOptions extends LayerOptions {
  /** Step between kernel positions (default 1). */
  stride?: number | readonly number[];
  /** Zero padding: a number, one per spatial axis, `'same'` (stride 1 only) or `'valid'` (default 0). */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** Channel groups; `groups == inChannels` is a depthwise convolution (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/** Options of {@link ConvTranspose2d}: PyTorch's keyword arguments. */
export interface ConvTransposeLayerOptions extends LayerOptions {
  /** Stride (default 1). */
  stride?: number | readonly number[];
  /** Padding of the convolution this layer is the adjoint of (default 0). */
  padding?: number | readonly number[];
  /** Extra size at the bottom/right of the output, smaller than the stride or the dilation (default 0). */
  outputPadding?: number | readonly number[];
  /** Channel groups (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | readonly number[];
}

function checkSize(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

/** Shared parts of the convolution layers over `nd` spatial axes. */
abstract class ConvBase extends Module {
  /** Weight: [out, in/groups, ...kernel], or [in, out/groups, ...kernel] for a transposed convolution. */
  readonly weight: Parameter;
  /** Bias [out], or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  /** Kernel size per spatial axis. */
  readonly kernelSize: number[];
  /** Stride per spatial axis. */
  readonly stride: number[];
  /** Dilation per spatial axis. */
  readonly dilation: number[];
  /** Channel groups. */
  readonly groups: number;

  constructor(
    readonly layer: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | readonly number[],
    nd: number,
    transposed: boolean,
    options: ConvLayerOptions | ConvTransposeLayerOptions,
  ) {
    super();
    checkSize(layer, 'inChannels', inChannels);
    checkSize(layer, 'outChannels', outChannels);
    this.kernelSize = spatial(layer, 'kernelSize', kernelSize, nd, 1);
    this.stride = spatial(layer, 'stride', options.stride ?? 1, nd, 1);
    this.dilation = spatial(layer, 'dilation', options.dilation ?? 1, nd, 1);
    this.groups = options.groups ?? 1;
    checkGroups(layer, this.groups, inChannels, outChannels);
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = this.param('weight', new Parameter(new Float32Array(sizeOf(shape)), shape));
    this.bias = this.param('bias', options.bias === false ? null : new Parameter(new Float32Array(outChannels), [outChannels]));
    this.resetParameters(options.generator);
  }

  /**
   * Re-draws the parameters with PyTorch's default initialisation: the weight
   * kaiming-uniform with a = √5, the bias from U(−1/√fanIn, 1/√fanIn), fanIn
   * taken from the weight's second axis times the kernel size.
   */
  resetParameters(generator?: Generator): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = 1 / Math.sqrt(fans(this.weight.shape).fanIn);
      uniform(this.bias, -bound, bound, generator);
    }
  }

  /** Throws a ShapeError naming the layer unless `x` is [N, inChannels, ...spatial] or unbatched. */
  protected checkInput(x: Tensor): void {
    const nd = this.kernelSize.length;
    const layout = nd === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
    const channel = x.ndim === nd + 2 ? x.shape[1] : x.ndim === nd + 1 ? x.shape[0] : undefined;
    if (channel !== this.inChannels) {
      throw new ShapeError(
        `${this.layer}(${this.inChannels}, ${this.outChannels}): expected input ${layout.replaceAll('C', String(this.inChannels))}, got ${fmt(x.shape)}`,
      );
    }
  }

  /** PyTorch-like description of the shared options. */
  protected describe(extra: string): string {
    const t = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${t(this.kernelSize)}, stride=${t(this.stride)}${extra}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${t(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}

/** A forward convolution layer over `nd` spatial axes. */
abstract class ConvNd extends ConvBase {
  /** Padding: one number per spatial axis, or `'same'`/`'valid'`. */
  readonly padding: number[] | 'same' | 'valid';

  constructor(layer: string, inChannels: number, outChannels: number, kernelSize: number | readonly number[], nd: number, options: ConvLayerOptions) {
    super(layer, inChannels, outChannels, kernelSize, nd, false, options);
    const p = options.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : spatial(layer, 'padding', p, nd, 0);
    // Validates 'same' against the stride (the sizes here are only a probe).
    convGeometry(layer, this.kernelSize.map((k, i) => this.dilation[i]! * (k - 1) + 1), this.kernelSize, this.options());
  }

  /** The options of the functional op. */
  options(): { stride: number[]; padding: number[] | 'same' | 'valid'; dilation: number[]; groups: number } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  override extraRepr(): string {
    const p = this.padding;
    const pad = typeof p === 'string' ? `, padding='${p}'` : p.some((v) => v !== 0) ? `, padding=(${p.join(', ')}${p.length === 1 ? ',' : ''})` : '';
    return this.describe(pad);
  }
}

/**
 * A 1-D convolution over [N, C, L] inputs (or unbatched [C, L]) with weight
 * [out, in/groups, k] and bias [out], as PyTorch's `nn.Conv1d`.
 *
 * @example
 * ```ts
 * const conv = new Conv1d(16, 32, 5, { padding: 'same' });
 * conv.forward(x); // [batch, 16, len] -> [batch, 32, len]
 * ```
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvLayerOptions = {}) {
    super('Conv1d', inChannels, outChannels, kernelSize, 1, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return conv1d(x, this.weight, this.bias ?? undefined, this.options());
  }
}

/**
 * A 2-D convolution over [N, C, H, W] inputs (or unbatched [C, H, W]) with
 * weight [out, in/groups, kh, kw] and bias [out], as PyTorch's `nn.Conv2d`.
 *
 * @example
 * ```ts
 * const conv = new Conv2d(1, 8, 3, { padding: 1 });
 * conv.forward(images); // [batch, 1, 28, 28] -> [batch, 8, 28, 28]
 * ```
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvLayerOptions = {}) {
    super('Conv2d', inChannels, outChannels, kernelSize, 2, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return conv2d(x, this.weight, this.bias ?? undefined, this.options());
  }

  /**
   * `maxPool2d(this.forward(x), kernelSize, poolOptions)` as one fused op
   * ({@link conv2dMaxPool2d}); `Sequential` runs Conv2d → ReLU → MaxPool2d as this
   * followed by the ReLU.
   */
  forwardMaxPooled(x: Tensor, kernelSize: Size2, poolOptions: MaxPoolOptions = {}): Tensor {
    this.checkInput(x);
    return conv2dMaxPool2d(x, this.weight, this.bias ?? undefined, this.options(), kernelSize, poolOptions);
  }
}

/**
 * A 2-D transposed convolution (the adjoint of {@link Conv2d}, used to
 * upsample) with weight [in, out/groups, kh, kw] and bias [out], as
 * PyTorch's `nn.ConvTranspose2d`.
 *
 * @example
 * ```ts
 * const up = new ConvTranspose2d(16, 8, 2, { stride: 2 });
 * up.forward(x); // [batch, 16, 7, 7] -> [batch, 8, 14, 14]
 * ```
 */
export class ConvTranspose2d extends ConvBase {
  /** Padding per spatial axis. */
  readonly padding: number[];
  /** Output padding per spatial axis. */
  readonly outputPadding: number[];

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, 2, true, options);
    this.padding = spatial(this.layer, 'padding', options.padding ?? 0, 2, 0);
    this.outputPadding = spatial(this.layer, 'outputPadding', options.outputPadding ?? 0, 2, 0);
    // Validates outputPadding against the stride and dilation (a probe input of generous size).
    convTransposeGeometry(this.layer, this.padding.map((p) => 2 * p + 1), this.kernelSize, this.options());
  }

  /** The options of the functional op. */
  options(): { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number } {
    return { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups };
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return convTranspose2d(x, this.weight, this.bias ?? undefined, this.options());
  }

  override extraRepr(): string {
    let extra = this.padding.some((v) => v !== 0) ? `, padding=(${this.padding.join(', ')})` : '';
    if (this.outputPadding.some((v) => v !== 0)) extra += `, outputPadding=(${this.outputPadding.join(', ')})`;
    return this.describe(extra);
  }
}
