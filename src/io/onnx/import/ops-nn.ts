/**
 * Convolution, pooling and normalization ops of the ONNX importer. Cortex has no
 * convolution primitive, so Conv and the pools gather image patches ("im2col": one
 * `indexSelect` of the padded input with precomputed positions) and reduce them with a
 * matrix product, a max or a mean: every step is a differentiable Cortex op, so an
 * imported CNN trains.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { concat, tensor } from '../../../ops/index.js';
import type { OpContext, OpImpl } from './graph.js';
import { floatInput, normAxis } from './ops-math.js';
import { floatValue, type Value } from './values.js';

/** The geometry of a 2-D sliding window over an [N, C, H, W] input. */
interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** Padding [top, left, bottom, right]. */
  pads: [number, number, number, number];
  /** Output height and width. */
  out: [number, number];
}

/** A per-axis attribute as [height, width]; a 1-D input's height takes `fallback` (its neutral value). */
function pair(ctx: OpContext, name: string, values: readonly number[] | undefined, spatial: number, fallback: number): [number, number] {
  const v = values ?? Array.from({ length: spatial }, () => fallback);
  if (v.length !== spatial) throw ctx.error(`attribute "${name}" has ${v.length} values for ${spatial} spatial dimensions`);
  return spatial === 1 ? [fallback, v[0]!] : [v[0]!, v[1]!];
}

/**
 * Reads kernel_shape, strides, dilations, pads, auto_pad and ceil_mode for a 1-D or 2-D
 * window over `x` ([N, C, W] or [N, C, H, W]), always as 2-D (height 1 for 1-D).
 */
function windowOf(ctx: OpContext, x: Tensor, kernelShape: readonly number[]): Window {
  const spatial = x.ndim - 2;
  if (spatial !== 1 && spatial !== 2) throw ctx.error(`only 1-d and 2-d inputs are supported, got shape [${x.shape}]`);
  const size: [number, number] = spatial === 1 ? [1, x.shape[2]!] : [x.shape[2]!, x.shape[3]!];
  const kernel = pair(ctx, 'kernel_shape', kernelShape, spatial, 1);
  const strides = pair(ctx, 'strides', ctx.ints('strides'), spatial, 1);
  const dilations = pair(ctx, 'dilations', ctx.ints('dilations'), spatial, 1);
  const rawPads = ctx.ints('pads') ?? Array.from({ length: 2 * spatial }, () => 0);
  if (rawPads.length !== 2 * spatial) throw ctx.error(`attribute "pads" has ${rawPads.length} values for ${spatial} spatial dimensions`);
  let pads: [number, number, number, number] =
    spatial === 1 ? [0, rawPads[0]!, 0, rawPads[1]!] : [rawPads[0]!, rawPads[1]!, rawPads[2]!, rawPads[3]!];
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const ceil = ctx.int('ceil_mode', 0) !== 0;
  const out: [number, number] = [0, 0];
  for (const i of [0, 1] as const) {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out[i] = Math.ceil(size[i] / strides[i]);
      const total = Math.max((out[i] - 1) * strides[i] + extent - size[i], 0);
      const small = Math.floor(total / 2);
      const begin = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i] = begin;
      pads[(i + 2) as 2 | 3] = total - begin;
      continue;
    }
    if (autoPad === 'VALID') pads = [0, 0, 0, 0];
    else if (autoPad !== 'NOTSET') throw ctx.error(`auto_pad "${autoPad}" is not supported`);
    const padded = size[i] + pads[i] + pads[(i + 2) as 2 | 3];
    const span = padded - extent;
    if (span < 0) throw ctx.error(`the window (${extent}) is larger than the padded input (${padded})`);
    out[i] = (ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    // As in PyTorch: the last window must start inside the input or the leading padding.
    if (ceil && (out[i] - 1) * strides[i] >= size[i] + pads[i]) out[i] -= 1;
  }
  return { kernel, strides, dilations, pads, out };
}

/** x as [N, C, H, W] (a 1-D input gets height 1). */
function as2d(x: Tensor): Tensor {
  return x.ndim === 3 ? x.unsqueeze(2) : x;
}

/** The result of a 2-D computation in the rank of the original input. */
function back(y: Tensor, inputRank: number): Tensor {
  return inputRank === 3 ? y.squeeze(2) : y;
}

/**
 * Image patches of `x` ([N, C, H, W]) padded with `value`: [N, C, KH·KW, OH·OW]. Padding
 * needed by ceil_mode beyond `pads` is added on the bottom and right.
 */
function patches(x: Tensor, w: Window, value: number): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [kh, kw] = w.kernel;
  const [sh, sw] = w.strides;
  const [dh, dw] = w.dilations;
  const [oh, ow] = w.out;
  const bottom = Math.max(w.pads[2], (oh - 1) * sh + (kh - 1) * dh + 1 - h - w.pads[0]);
  const right = Math.max(w.pads[3], (ow - 1) * sw + (kw - 1) * dw + 1 - wd - w.pads[1]);
  const xp = x.pad(
    [
      [0, 0],
      [0, 0],
      [w.pads[0], bottom],
      [w.pads[1], right],
    ],
    value,
  );
  const wp = wd + w.pads[1] + right;
  const idx: number[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) idx.push((p * sh + i * dh) * wp + (q * sw + j * dw));
    }
  }
  return xp
    .reshape([n, c, xp.shape[2]! * wp])
    .indexSelect(2, idx)
    .reshape([n, c, kh * kw, oh * ow]);
}

/** Conv (1-D or 2-D) with pads, strides, dilations and groups, as im2col and a matrix product per group. */
const conv: OpImpl = (ctx) => {
  const x0 = floatInput(ctx, 0);
  const weight = floatInput(ctx, 1);
  const bias = ctx.optional(2)?.t;
  const x = as2d(x0);
  const wt = as2d(weight);
  const group = ctx.int('group', 1);
  const [m, cg, kh, kw] = wt.shape as [number, number, number, number];
  const c = x.shape[1]!;
  if (c !== cg * group || m % group !== 0) {
    throw ctx.error(`input channels ${c}, weight [${weight.shape}] and group ${group} do not fit together`);
  }
  const w = windowOf(ctx, x0, ctx.ints('kernel_shape') ?? weight.shape.slice(2));
  if (w.kernel[0] !== kh || w.kernel[1] !== kw) throw ctx.error(`kernel_shape [${ctx.ints('kernel_shape')}] does not match the weight [${weight.shape}]`);
  let y = convolve(x, wt, group, w);
  if (bias !== undefined) y = y.add(bias.reshape([1, m, 1, 1]));
  return [floatValue(back(y, x0.ndim))];
};

/** The grouped convolution of x [N, C, H, W] with a weight [M, C/g, KH, KW] over window `w`: [N, M, OH, OW]. */
function convolve(x: Tensor, wt: Tensor, group: number, w: Window): Tensor {
  const [m, cg, kh, kw] = wt.shape as [number, number, number, number];
  const n = x.shape[0]!;
  const cols = patches(x, w, 0);
  const k = kh * kw;
  const mg = m / group;
  const outs: Tensor[] = [];
  for (let g = 0; g < group; g++) {
    const cgCols = (group === 1 ? cols : cols.narrow(1, g * cg, cg)).reshape([n, cg * k, w.out[0] * w.out[1]]);
    const wg = (group === 1 ? wt : wt.narrow(0, g * mg, mg)).reshape([mg, cg * k]);
    outs.push(wg.matmul(cgCols));
  }
  return (group === 1 ? outs[0]! : concat(outs, 1)).reshape([n, m, w.out[0], w.out[1]]);
}

/** `t` reversed along `axis`. */
function flip(t: Tensor, axis: number): Tensor {
  const n = t.shape[axis]!;
  return t.indexSelect(
    axis,
    Array.from({ length: n }, (_, i) => n - 1 - i),
  );
}

/**
 * ConvTranspose (1-D or 2-D): the input spread out by inserting stride − 1 zeros between
 * its cells, padded by (k − 1)·d less the pads (plus output_padding at the end), then
 * convolved with the weight flipped and its channel axes swapped, group by group.
 */
const convTranspose: OpImpl = (ctx) => {
  const x0 = floatInput(ctx, 0);
  const weight = floatInput(ctx, 1);
  const bias = ctx.optional(2)?.t;
  const spatial = x0.ndim - 2;
  if (spatial !== 1 && spatial !== 2) throw ctx.error(`only 1-d and 2-d inputs are supported, got shape [${x0.shape}]`);
  const x = as2d(x0);
  const wt = as2d(weight);
  const group = ctx.int('group', 1);
  const [cin, mg, kh, kw] = wt.shape as [number, number, number, number];
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  if (c !== cin || cin % group !== 0) throw ctx.error(`input channels ${c}, weight [${weight.shape}] and group ${group} do not fit together`);
  const strides = pair(ctx, 'strides', ctx.ints('strides'), spatial, 1);
  const dilations = pair(ctx, 'dilations', ctx.ints('dilations'), spatial, 1);
  const outPad = pair(ctx, 'output_padding', ctx.ints('output_padding'), spatial, 0);
  const rawPads = ctx.ints('pads') ?? Array.from({ length: 2 * spatial }, () => 0);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  let outShape = ctx.ints('output_shape');
  if (outShape !== undefined && outShape.length === spatial + 2) outShape = outShape.slice(2);
  const size = [h, wd];
  const kernel = [kh, kw];
  const pads = [0, 0, 0, 0];
  for (const i of [0, 1] as const) {
    const full = strides[i] * (size[i]! - 1) + outPad[i] + (kernel[i]! - 1) * dilations[i] + 1;
    const target = outShape !== undefined ? (spatial === 1 ? [1, outShape[0]!] : outShape)[i] : autoPad.startsWith('SAME') ? size[i]! * strides[i] : undefined;
    if (target !== undefined) {
      const total = full - target;
      const half = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + 2] = total - pads[i]!;
    } else if (autoPad === 'NOTSET') {
      pads[i] = spatial === 1 ? (i === 0 ? 0 : rawPads[0]!) : rawPads[i]!;
      pads[i + 2] = spatial === 1 ? (i === 0 ? 0 : rawPads[1]!) : rawPads[i + 2]!;
    } else if (autoPad !== 'VALID') throw ctx.error(`auto_pad "${autoPad}" is not supported`);
  }
  let u = x;
  if (strides[0] > 1 || strides[1] > 1) {
    const [sh, sw] = strides;
    u = x
      .reshape([n, c, h, 1, wd, 1])
      .pad([
        [0, 0],
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
      ])
      .reshape([n, c, h * sh, wd * sw])
      .narrow(2, 0, (h - 1) * sh + 1)
      .narrow(3, 0, (wd - 1) * sw + 1);
  }
  for (const i of [0, 1] as const) {
    const axis = i + 2;
    const ext = (kernel[i]! - 1) * dilations[i];
    const before = ext - pads[i]!;
    const after = ext - pads[i + 2]! + outPad[i];
    const len = u.shape[axis]!;
    u = u.narrow(axis, Math.max(-before, 0), len - Math.max(-before, 0) - Math.max(-after, 0));
    const grow: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    grow[axis] = [Math.max(before, 0), Math.max(after, 0)];
    u = u.pad(grow);
  }
  const cg = cin / group;
  const parts: Tensor[] = [];
  for (let g = 0; g < group; g++) parts.push(flip(flip(wt.narrow(0, g * cg, cg).permute([1, 0, 2, 3]), 2), 3));
  const wf = group === 1 ? parts[0]! : concat(parts, 0);
  const out: [number, number] = [u.shape[2]! - (kh - 1) * dilations[0], u.shape[3]! - (kw - 1) * dilations[1]];
  if (out[0] <= 0 || out[1] <= 0) throw ctx.error(`the output would be empty (${out.join(' × ')})`);
  const w: Window = { kernel: [kh, kw], strides: [1, 1], dilations, pads: [0, 0, 0, 0], out };
  let y = convolve(u, wf, group, w);
  if (bias !== undefined) y = y.add(bias.reshape([1, mg * group, 1, 1]));
  return [floatValue(back(y, x0.ndim))];
};

/** MaxPool and AveragePool over 1-D or 2-D windows. */
function pool(kind: 'max' | 'avg'): OpImpl {
  return (ctx) => {
    if (kind === 'max' && ctx.wants(1)) throw ctx.error('the Indices output of MaxPool is not supported');
    // MaxPool also takes integer images (computed exactly in float64); AveragePool needs floats.
    const v = ctx.input(0);
    const x0 = kind === 'max' ? v.t : floatInput(ctx, 0);
    const kernelShape = ctx.ints('kernel_shape');
    if (kernelShape === undefined) throw ctx.error('needs the kernel_shape attribute');
    const x = as2d(x0);
    const w = windowOf(ctx, x0, kernelShape);
    const [n, c] = x.shape as [number, number];
    const shape = [n, c, w.out[0], w.out[1]];
    if (kind === 'max') return [{ t: back(patches(x, w, Number.NEGATIVE_INFINITY).max(2).reshape(shape), x0.ndim), type: v.type }];
    const sums = patches(x, w, 0).sum(2);
    // The divisor of each window: the count of input cells in it, plus its explicit pads
    // when count_include_pad is set (never the extra padding of ceil_mode).
    const includePad = ctx.int('count_include_pad', 0) !== 0;
    const [h, wd] = [x.shape[2]!, x.shape[3]!];
    let ones = tensor(new Float32Array(h * wd).fill(1), { shape: [1, 1, h, wd] });
    if (includePad) {
      ones = ones.pad(
        [
          [0, 0],
          [0, 0],
          [w.pads[0], w.pads[2]],
          [w.pads[1], w.pads[3]],
        ],
        1,
      );
    }
    const countWindow: Window = includePad ? { ...w, pads: [0, 0, 0, 0] } : w;
    const counts = patches(ones, countWindow, 0).sum(2);
    return [floatValue(back(sums.div(counts.astype(sums.dtype)).reshape(shape), x0.ndim))];
  };
}

/** GlobalAveragePool / GlobalMaxPool: over every spatial axis, kept as size 1. */
function globalPool(kind: 'max' | 'avg'): OpImpl {
  return (ctx) => {
    const x = floatInput(ctx, 0);
    const axes = x.shape.map((_, i) => i).slice(2);
    return [floatValue(kind === 'max' ? x.max(axes, true) : x.mean(axes, true))];
  };
}

/** A per-channel vector [C] shaped to broadcast over [N, C, ...]. */
function channels(t: Tensor, rank: number): Tensor {
  return t.reshape([1, t.size, ...Array.from({ length: Math.max(rank - 2, 0) }, () => 1)]);
}

/** BatchNormalization at inference: the running mean and variance (inputs 3 and 4) normalize. */
const batchNorm: OpImpl = (ctx) => {
  const x = floatInput(ctx, 0);
  if (ctx.int('training_mode', 0) !== 0 || ctx.wants(1)) throw ctx.error('training-mode BatchNormalization is not supported (import runs the inference graph)');
  const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => channels(floatInput(ctx, i), x.ndim)) as [Tensor, Tensor, Tensor, Tensor];
  const eps = ctx.float('epsilon', 1e-5);
  return [floatValue(x.sub(mean).mul(scale.div(variance.add(eps).sqrt())).add(b))];
};

/** LayerNormalization over the axes from `axis` to the last; Mean and InvStdDev outputs when asked. */
const layerNorm: OpImpl = (ctx) => {
  const x = floatInput(ctx, 0);
  const axis = normAxis(ctx, ctx.int('axis', -1), x.ndim);
  const axes = x.shape.map((_, i) => i).slice(axis);
  const eps = ctx.float('epsilon', 1e-5);
  const mean = x.mean(axes, true);
  const centred = x.sub(mean);
  const inv = centred.mul(centred).mean(axes, true).add(eps).sqrt().pow(-1);
  let y = centred.mul(inv).mul(floatInput(ctx, 1));
  const bias = ctx.optional(2);
  if (bias !== undefined) y = y.add(bias.t);
  const out: Value[] = [floatValue(y)];
  if (ctx.wants(1)) out.push(floatValue(mean));
  if (ctx.wants(2)) out.push(floatValue(inv));
  return out;
};

/** InstanceNormalization: each (sample, channel) normalized over its spatial axes. */
const instanceNorm: OpImpl = (ctx) => {
  const x = floatInput(ctx, 0);
  const axes = x.shape.map((_, i) => i).slice(2);
  const eps = ctx.float('epsilon', 1e-5);
  const centred = x.sub(x.mean(axes, true));
  const y = centred.div(centred.mul(centred).mean(axes, true).add(eps).sqrt());
  return [floatValue(y.mul(channels(floatInput(ctx, 1), x.ndim)).add(channels(floatInput(ctx, 2), x.ndim)))];
};

/** The convolution, pooling and normalization ops, by ONNX op type. */
export const NN_OPS: Record<string, OpImpl> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  InstanceNormalization: instanceNorm,
};
