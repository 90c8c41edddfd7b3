/**
 * Option checking and output sizes of the convolutions, shared by the ops
 * (`conv.ts`), the layers, the model-file codecs and the ONNX export.
 * @module
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { fmt } from '../tensor/shape.js';

/** One integer per spatial axis, or one integer for all of them. */
export type SpatialArg = number | readonly number[];

/**
 * Padding of a convolution: zeros on both sides of each spatial axis (one
 * number for all axes, or one per axis), or `'valid'` (none) or `'same'` (the
 * output has the input's size; stride 1 only). As in PyTorch, `'same'` with an
 * even dilated kernel pads one more zero after than before.
 */
export type ConvPadding = SpatialArg | 'same' | 'valid';

/** Options of `conv1d` and `conv2d`, as in PyTorch's functional API. */
export interface ConvOptions {
  /** Step between kernel positions (default 1). */
  stride?: SpatialArg;
  /** Zero padding (default 0); see {@link ConvPadding}. */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Channel groups: input and output channels are split into `groups` independent parts (default 1). */
  groups?: number;
}

/** Options of `convTranspose2d`, as in PyTorch's functional API. */
export interface ConvTransposeOptions {
  /** Stride of the convolution this op is the adjoint of (default 1). */
  stride?: SpatialArg;
  /** Padding of that convolution: `dilation·(k − 1) − padding` zeros are added around the input (default 0). */
  padding?: SpatialArg;
  /** Extra rows/columns added at the bottom/right of the output; each must be smaller than the stride or the dilation (default 0). */
  outputPadding?: SpatialArg;
  /** Channel groups (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
}

/** Resolved geometry of a convolution over `nd` spatial axes. */
export interface ConvGeometry {
  stride: number[];
  dilation: number[];
  /** Zeros before each spatial axis (top, left). */
  padBefore: number[];
  /** Zeros after each spatial axis (bottom, right). */
  padAfter: number[];
  /** Output size of each spatial axis. */
  output: number[];
}

/**
 * `v` as `nd` integers ≥ `min`: a number is repeated, an array must have
 * length `nd`. Otherwise an ArgumentError naming the op and the option.
 */
export function spatial(op: string, name: string, v: SpatialArg, nd: number, min: number): number[] {
  const out = typeof v === 'number' ? new Array<number>(nd).fill(v) : [...v];
  if (out.length !== nd || !out.every((d) => Number.isInteger(d) && d >= min)) {
    const what = nd === 1 ? 'an integer' : `an integer or ${nd} integers`;
    throw new ArgumentError(`${op}: ${name} must be ${what} ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** Checks `groups` is a positive integer dividing both channel counts. */
export function checkGroups(op: string, groups: number, inChannels: number, outChannels: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, got ${groups}`);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ArgumentError(
      `${op}: groups ${groups} must divide both the input channels (${inChannels}) and the output channels (${outChannels})`,
    );
  }
}

/**
 * The geometry of a convolution of an input of spatial size `input` with a
 * kernel of spatial size `kernel`, or a ShapeError when the padded input is
 * smaller than the dilated kernel.
 */
export function convGeometry(op: string, input: readonly number[], kernel: readonly number[], o: ConvOptions): ConvGeometry {
  const nd = kernel.length;
  const stride = spatial(op, 'stride', o.stride ?? 1, nd, 1);
  const dilation = spatial(op, 'dilation', o.dilation ?? 1, nd, 1);
  const padding = o.padding ?? 0;
  let padBefore: number[];
  let padAfter: number[];
  if (padding === 'valid') {
    padBefore = new Array<number>(nd).fill(0);
    padAfter = [...padBefore];
  } else if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new ArgumentError(`${op}: padding 'same' needs stride 1, got stride ${fmt(stride)}`);
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    padBefore = total.map((t) => Math.floor(t / 2));
    padAfter = total.map((t, i) => t - padBefore[i]!);
  } else if (typeof padding === 'string') {
    throw new ArgumentError(`${op}: padding must be 'same', 'valid', or integers ≥ 0, got '${String(padding)}'`);
  } else {
    padBefore = spatial(op, 'padding', padding, nd, 0);
    padAfter = [...padBefore];
  }
  const output = input.map((n, i) => {
    const span = dilation[i]! * (kernel[i]! - 1) + 1;
    const padded = n + padBefore[i]! + padAfter[i]!;
    if (padded < span) {
      throw new ShapeError(
        `${op}: the input's spatial size ${fmt(input)} padded to ${padded} on axis ${i} is smaller than the dilated kernel (${span}); use a larger input or more padding`,
      );
    }
    return Math.floor((padded - span) / stride[i]!) + 1;
  });
  return { stride, dilation, padBefore, padAfter, output };
}

/**
 * The geometry of a transposed convolution: `output` is the size of its
 * result, `(in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`.
 */
export function convTransposeGeometry(
  op: string,
  input: readonly number[],
  kernel: readonly number[],
  o: ConvTransposeOptions,
): ConvGeometry {
  const nd = kernel.length;
  const stride = spatial(op, 'stride', o.stride ?? 1, nd, 1);
  const dilation = spatial(op, 'dilation', o.dilation ?? 1, nd, 1);
  const padding = spatial(op, 'padding', o.padding ?? 0, nd, 0);
  const outPad = spatial(op, 'outputPadding', o.outputPadding ?? 0, nd, 0);
  outPad.forEach((p, i) => {
    if (p >= stride[i]! && p >= dilation[i]!) {
      throw new ArgumentError(`${op}: outputPadding ${fmt(outPad)} must be smaller than the stride ${fmt(stride)} or the dilation ${fmt(dilation)}`);
    }
  });
  const output = input.map((n, i) => (n - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + outPad[i]! + 1);
  if (output.some((n) => n < 1)) {
    throw new ShapeError(`${op}: the output's spatial size ${fmt(output)} for input ${fmt(input)} is empty; use less padding`);
  }
  return { stride, dilation, padBefore: padding, padAfter: padding.map((p, i) => p - outPad[i]!), output };
}
