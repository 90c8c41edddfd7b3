/**
 * Pooling layers: `MaxPool1d`, `MaxPool2d`, `AvgPool2d` and `AdaptiveAvgPool2d`. Each
 * wraps the functional op of the same name in `src/ops/pool.ts`.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ShapeError } from '../errors.js';
import {
  type AvgPoolOptions,
  type MaxPoolOptions,
  type Size2,
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
} from '../ops/index.js';
import { fmt } from '../tensor/shape.js';
import { Module } from './module.js';

const show = (v: Size2 | null | readonly [number | null, number | null]): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

/** A ShapeError naming the layer when `x` has neither rank. */
function checkRank(layer: string, x: Tensor, ranks: [number, number], want: string): void {
  if (x.ndim !== ranks[0] && x.ndim !== ranks[1]) throw new ShapeError(`${layer}: expected input ${want}, got ${fmt(x.shape)}`);
}

/**
 * 2-D max pooling over `[N, C, H, W]` (or `[C, H, W]`) inputs; see {@link maxPool2d}.
 *
 * @example
 * ```ts
 * const pool = new MaxPool2d(2); // halves H and W
 * ```
 */
export class MaxPool2d extends Module {
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly ceilMode: boolean;

  constructor(
    readonly kernelSize: Size2,
    options: MaxPoolOptions = {},
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
  }

  forward(x: Tensor): Tensor {
    checkRank(`MaxPool2d(${show(this.kernelSize)})`, x, [3, 4], '[N, C, H, W] or [C, H, W]');
    const { stride, padding, dilation, ceilMode } = this;
    return maxPool2d(x, this.kernelSize, { stride, padding, dilation, ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * 1-D max pooling over `[N, C, L]` (or `[C, L]`) inputs; see {@link maxPool1d}.
 *
 * @example
 * ```ts
 * const pool = new MaxPool1d(3, { stride: 2 });
 * ```
 */
export class MaxPool1d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly ceilMode: boolean;

  constructor(
    readonly kernelSize: number,
    options: MaxPoolOptions<number> = {},
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
  }

  forward(x: Tensor): Tensor {
    checkRank(`MaxPool1d(${this.kernelSize})`, x, [2, 3], '[N, C, L] or [C, L]');
    const { stride, padding, dilation, ceilMode } = this;
    return maxPool1d(x, this.kernelSize, { stride, padding, dilation, ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * 2-D average pooling over `[N, C, H, W]` (or `[C, H, W]`) inputs; see {@link avgPool2d}.
 *
 * @example
 * ```ts
 * const pool = new AvgPool2d(3, { stride: 2, padding: 1 });
 * ```
 */
export class AvgPool2d extends Module {
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    readonly kernelSize: Size2,
    options: AvgPoolOptions = {},
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(x: Tensor): Tensor {
    checkRank(`AvgPool2d(${show(this.kernelSize)})`, x, [3, 4], '[N, C, H, W] or [C, H, W]');
    const { stride, padding, ceilMode, countIncludePad } = this;
    const divisorOverride = this.divisorOverride ?? undefined;
    return avgPool2d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride });
  }

  override extraRepr(): string {
    const div = this.divisorOverride === null ? '' : `, divisorOverride=${this.divisorOverride}`;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, ceilMode=${this.ceilMode}, countIncludePad=${this.countIncludePad}${div}`;
  }
}

/**
 * Adaptive 2-D average pooling to a fixed output size, whatever the input's; see
 * {@link adaptiveAvgPool2d}. `null` keeps that axis's input size.
 *
 * @example
 * ```ts
 * const gap = new AdaptiveAvgPool2d(1); // global average pooling: [N, C, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkRank(`AdaptiveAvgPool2d(${show(this.outputSize)})`, x, [3, 4], '[N, C, H, W] or [C, H, W]');
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${show(this.outputSize)}`;
  }
}
