/**
 * Convolutions over NCHW tensors, with PyTorch's weight layouts and options.
 *
 * `conv2d` and `conv1d` are one primitive each over the backend's fused
 * convolution kernels (`./conv-fused.ts`). The transposed convolution is
 * composed of two primitives and the batched matmul: `im2col` unfolds
 * the input's patches into columns `[C·kh·kw, N·oh·ow]` (kernel `im2col`), and
 * one matmul per channel group multiplies them by the weight. Its adjoint
 * `col2im` (kernel `col2im`) folds columns back into an image. The two are
 * each other's gradient, so every convolution is differentiable to any order:
 * the input gradient is a matmul and a col2im, the weight gradient a matmul
 * with the columns, the bias gradient a sum.
 * @module
 */
import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import type { Im2colSpec } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { type FloatArray, promote } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import {
  type ConvGeometry,
  type ConvOptions,
  type ConvTransposeOptions,
  checkGroups,
  convGeometry,
  convTransposeGeometry,
} from './conv-geometry.js';
import { conv2dFused, conv2dMaxPoolFused } from './conv-fused.js';
import { type MaxPoolOptions, type Size2, maxPool2d, maxPool2dSpec } from './pool.js';
import { matmul } from './linalg.js';
import { cast } from './movement.js';
import { backend, floats } from './util.js';

export type { ConvOptions, ConvPadding, ConvTransposeOptions, SpatialArg } from './conv-geometry.js';

/** Patches of `x` ([n, c, h, w]) as columns [c·kh·kw, n·outH·outW]; gradient: {@link fold}. */
function unfold(x: Tensor, spec: Im2colSpec): Tensor {
  const rows = spec.c * spec.kh * spec.kw;
  const out = make(backend().im2col(valuesOf(x) as FloatArray, spec), [rows, spec.n * spec.outH * spec.outW]);
  const def: OpDef = { name: 'im2col', backward: (g) => [fold(g, spec)] };
  return recording(x) ? record(def, [x], out) : out;
}

/** Columns back into an image [n, c, h, w], overlapping taps summed; gradient: {@link unfold}. */
function fold(cols: Tensor, spec: Im2colSpec): Tensor {
  const out = make(backend().col2im(valuesOf(cols) as FloatArray, spec), [spec.n, spec.c, spec.h, spec.w]);
  const def: OpDef = { name: 'col2im', backward: (g) => [unfold(g, spec)] };
  return recording(cols) ? record(def, [cols], out) : out;
}

/** The kernel geometry of an image [n, c, h, w], a kh×kw kernel and a resolved geometry. */
export function specOf(image: readonly number[], kernel: readonly number[], g: ConvGeometry, positions: readonly number[]): Im2colSpec {
  const [n, c, h, w] = image as [number, number, number, number];
  return {
    n,
    c,
    h,
    w,
    kh: kernel[0]!,
    kw: kernel[1]!,
    strideH: g.stride[0]!,
    strideW: g.stride[1]!,
    padH: g.padBefore[0]!,
    padW: g.padBefore[1]!,
    dilationH: g.dilation[0]!,
    dilationW: g.dilation[1]!,
    outH: positions[0]!,
    outW: positions[1]!,
  };
}

/** The operands in one float dtype (promoted as matmul does), or a DTypeError naming the op. */
function sameFloat(op: string, x: Tensor, w: Tensor, b: Tensor | undefined): [Tensor, Tensor, Tensor | undefined] {
  floats(op, x);
  floats(op, w);
  if (b !== undefined) floats(op, b);
  const dt = promote(promote(x.dtype, w.dtype), b?.dtype ?? x.dtype);
  const to = (t: Tensor): Tensor => (t.dtype === dt ? t : cast(t, dt));
  return [to(x), to(w), b === undefined ? undefined : to(b)];
}

/**
 * Checks ranks, channels and bias of a convolution over `nd` spatial axes;
 * returns the output channels. `transposed`: weight [in, out/groups, ...k].
 */
function checkShapes(op: string, nd: number, x: Tensor, w: Tensor, b: Tensor | undefined, groups: number, transposed: boolean): number {
  const layout = nd === 1 ? '[N, C, L]' : '[N, C, H, W]';
  if (x.ndim !== nd + 2) throw new ShapeError(`${op}: the input must be ${nd + 2}-d ${layout} (or ${nd + 1}-d unbatched), got ${fmt(x.shape)}`);
  const wl = transposed ? 'in, out/groups' : 'out, in/groups';
  if (w.ndim !== nd + 2) throw new ShapeError(`${op}: the weight must be ${nd + 2}-d [${wl}, ...kernel], got ${fmt(w.shape)}`);
  const c = x.shape[1]!;
  const perGroup = transposed ? w.shape[0]! / groups : w.shape[1]!;
  const out = transposed ? w.shape[1]! * groups : w.shape[0]!;
  checkGroups(op, groups, transposed ? w.shape[0]! : c, out);
  if (c !== perGroup * groups) {
    throw new ShapeError(
      `${op}: input has ${c} channels but the weight expects ${perGroup * groups} (weight ${fmt(w.shape)}, groups ${groups})`,
    );
  }
  if (w.shape.slice(2).some((k) => k < 1)) throw new ShapeError(`${op}: the kernel ${fmt(w.shape.slice(2))} is empty`);
  if (b !== undefined && (b.ndim !== 1 || b.shape[0] !== out)) {
    throw new ShapeError(`${op}: bias ${fmt(b.shape)} must be [${out}], the output channels of weight ${fmt(w.shape)}`);
  }
  return out;
}

/** `y + b` with `b` [C] broadcast over [N, C, ...], or a contiguous `y`. */
function addBias(y: Tensor, b: Tensor | undefined, nd: number): Tensor {
  if (b === undefined) return y.contiguous();
  return y.add(b.reshape([b.shape[0]!, ...new Array<number>(nd).fill(1)]));
}

/** conv over two spatial axes of a batched input, checked by the caller: the fused primitive ({@link conv2dFused}). */
function conv2dCore(x: Tensor, w: Tensor, b: Tensor | undefined, groups: number, g: ConvGeometry): Tensor {
  const spec = specOf(x.shape, w.shape.slice(2), g, g.output);
  return conv2dFused(x, w, b, { ...spec, outC: w.shape[0]!, groups });
}

/** Runs `core` on a batched input; an unbatched one gets a batch axis of 1 and loses it after. */
function batched(x: Tensor, nd: number, core: (xb: Tensor) => Tensor): Tensor {
  if (x.ndim === nd + 1) return core(x.unsqueeze(0)).squeeze(0);
  return core(x);
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of `x` [N, C, H, W]
 * (or unbatched [C, H, W]) with `weight` [O, C/groups, kh, kw] and optional
 * `bias` [O]: output [N, O, oh, ow].
 *
 * @example
 * ```ts
 * const y = conv2d(x, w, b, { stride: 2, padding: 1 });        // x [8, 3, 32, 32], w [16, 3, 3, 3] → [8, 16, 16, 16]
 * const d = conv2d(x, dw, undefined, { padding: 'same', groups: 3 }); // depthwise: dw [3, 1, 3, 3]
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor, options: ConvOptions = {}): Tensor {
  const op = 'conv2d';
  [x, weight, bias] = sameFloat(op, x, weight, bias);
  const groups = options.groups ?? 1;
  return batched(x, 2, (xb) => {
    checkShapes(op, 2, xb, weight, bias, groups, false);
    const g = convGeometry(op, xb.shape.slice(2), weight.shape.slice(2), options);
    return conv2dCore(xb, weight, bias, groups, g);
  });
}

/**
 * `maxPool2d(conv2d(x, weight, bias, options), kernelSize, poolOptions)`, the same values
 * and gradients, as one primitive on a batched float32 input: the backend convolves and
 * pools image by image and never hands out the convolution's output (the Fashion-MNIST
 * CNN's Conv → ReLU → MaxPool runs as this, then the ReLU; see `Sequential`). Other
 * inputs run the two ops.
 */
export function conv2dMaxPool2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  options: ConvOptions,
  kernelSize: Size2,
  poolOptions: MaxPoolOptions = {},
): Tensor {
  if (x.ndim !== 4 || x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias !== undefined && bias.dtype !== 'float32')) {
    return maxPool2d(conv2d(x, weight, bias, options), kernelSize, poolOptions);
  }
  const op = 'conv2d';
  const groups = options.groups ?? 1;
  checkShapes(op, 2, x, weight, bias, groups, false);
  const g = convGeometry(op, x.shape.slice(2), weight.shape.slice(2), options);
  const spec = { ...specOf(x.shape, weight.shape.slice(2), g, g.output), outC: weight.shape[0]!, groups };
  const pool = maxPool2dSpec([spec.n, spec.outC, spec.outH, spec.outW], kernelSize, poolOptions);
  return conv2dMaxPoolFused(x, weight, bias, spec, pool);
}

/**
 * 1-D convolution of `x` [N, C, L] (or unbatched [C, L]) with `weight`
 * [O, C/groups, k] and optional `bias` [O]: output [N, O, l]. Options as in
 * {@link conv2d}, with one number per option.
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor, options: ConvOptions = {}): Tensor {
  const op = 'conv1d';
  [x, weight, bias] = sameFloat(op, x, weight, bias);
  const groups = options.groups ?? 1;
  return batched(x, 1, (xb) => {
    checkShapes(op, 1, xb, weight, bias, groups, false);
    const g = convGeometry(op, xb.shape.slice(2), weight.shape.slice(2), options);
    const lift = (a: number[]): number[] => [1, ...a];
    const g2: ConvGeometry = {
      stride: lift(g.stride),
      dilation: lift(g.dilation),
      padBefore: [0, ...g.padBefore],
      padAfter: [0, ...g.padAfter],
      output: lift(g.output),
    };
    return conv2dCore(xb.unsqueeze(2), weight.unsqueeze(2), bias, groups, g2).squeeze(2);
  });
}

/**
 * 2-D transposed convolution (the adjoint of {@link conv2d}, sometimes called
 * deconvolution) of `x` [N, C, H, W] (or unbatched) with `weight`
 * [C, O/groups, kh, kw] and optional `bias` [O]: output [N, O, oh, ow] with
 * `oh = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1`.
 *
 * @example
 * ```ts
 * const up = convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }); // doubles H and W for a 3×3 kernel
 * ```
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor, options: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  [x, weight, bias] = sameFloat(op, x, weight, bias);
  const groups = options.groups ?? 1;
  return batched(x, 2, (xb) => {
    const o = checkShapes(op, 2, xb, weight, bias, groups, true);
    const [n, c, h, w] = xb.shape as [number, number, number, number];
    const kernel = weight.shape.slice(2);
    const g = convTransposeGeometry(op, [h, w], kernel, options);
    const spec = specOf([n, o, g.output[0]!, g.output[1]!], kernel, g, [h, w]);
    const k = (o / groups) * kernel[0]! * kernel[1]!;
    const xm = xb.permute([1, 0, 2, 3]).reshape([groups, c / groups, n * h * w]);
    const wg = weight.reshape([groups, c / groups, k]).transpose(1, 2);
    const cols = matmul(wg, xm).reshape([o * kernel[0]! * kernel[1]!, n * h * w]);
    return addBias(fold(cols, spec), bias, 2);
  });
}
