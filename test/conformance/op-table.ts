/**
 * How each fixture op maps onto the Cortex API: one line per op. The inputs arrive
 * as tensors in the fixture's order; `a` holds the case's attributes.
 * @module
 */
import {
  type Tensor,
  abs,
  add,
  arange,
  argmax,
  argmin,
  broadcastTo,
  clamp,
  concat,
  div,
  elu,
  eq,
  exp,
  expand,
  eye,
  flatten,
  gather,
  ge,
  gelu,
  gt,
  indexSelect,
  le,
  leakyRelu,
  linear,
  linspace,
  log,
  logSoftmax,
  logSumExp,
  lt,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  narrow,
  ne,
  neg,
  oneHot,
  pad,
  permute,
  pow,
  relu,
  reshape,
  sigmoid,
  sign,
  slice,
  softmax,
  softplus,
  split,
  sqrt,
  squeeze,
  stack,
  std,
  sub,
  sum,
  tanh,
  transpose,
  unsqueeze,
  variance,
  where,
} from '../../src/index.js';
// pooling and normalisation
import { adaptiveAvgPool2d, avgPool2d, batchNorm2d, groupNorm, maxPool1d, maxPool2d } from '../../src/index.js';
import { type Args, axisArg, flag, num, nums, optNum, pairs } from './fixtures.js';
// convolution
import { type ConvPadding, type SpatialArg, conv1d, conv2d, convTranspose2d } from '../../src/index.js';

/** Runs one op on fixture inputs; `dtype` is the float type of the pass (used by creation ops). */
export type OpRunner = (x: readonly Tensor[], a: Args, dtype: 'float32' | 'float64') => Tensor | readonly Tensor[];

/** The i-th input, or a clear error when the fixture has fewer. */
function at(x: readonly Tensor[], i: number): Tensor {
  const t = x[i];
  if (t === undefined) throw new Error(`fixture: expected at least ${i + 1} inputs`);
  return t;
}

/** The second operand: a tensor input or the scalar attribute. */
function rhs(x: readonly Tensor[], a: Args): Tensor | number {
  return x.length > 1 ? at(x, 1) : num(a, 'scalar');
}

/** Reduction over `axis` (a single axis for the arg-reductions). */
function single(a: Args): number | undefined {
  return optNum(a, 'axis');
}

// convolution
/** A spatial option of a conv fixture: a number, a list, or (padding) 'same'/'valid'; undefined when absent. */
function spatialArg(a: Args, key: string): SpatialArg | undefined {
  const v = a[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? v : nums(a, key);
}

/** One conv fixture case: `a.kind` names the function, the other attributes are its options. */
function conv(x: readonly Tensor[], a: Args): Tensor {
  const p = a.padding;
  const padding: ConvPadding | undefined = p === 'same' || p === 'valid' ? p : spatialArg(a, 'padding');
  const common = { stride: spatialArg(a, 'stride'), dilation: spatialArg(a, 'dilation'), groups: optNum(a, 'groups') };
  const [input, weight, bias] = [at(x, 0), at(x, 1), x[2]];
  if (a.kind === 'conv1d') return conv1d(input, weight, bias, { ...common, padding });
  if (a.kind === 'conv2d') return conv2d(input, weight, bias, { ...common, padding });
  if (a.kind === 'convTranspose2d') {
    const pad = typeof padding === 'string' ? undefined : padding;
    return convTranspose2d(input, weight, bias, { ...common, padding: pad, outputPadding: spatialArg(a, 'outputPadding') });
  }
  throw new Error(`fixture: unknown conv kind ${JSON.stringify(a.kind)}`);
}

/** A pooling size attribute: one number or `[h, w]`; undefined when absent. */
function size2(a: Args, key: string): number | [number, number] | undefined {
  const v = a[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  const [h, w] = nums(a, key);
  return [h!, w!];
}

/** Every op with PyTorch fixtures, and the Cortex call that computes it. */
export const OPS: Readonly<Record<string, OpRunner>> = {
  add: (x, a) => add(at(x, 0), rhs(x, a)),
  sub: (x, a) => sub(at(x, 0), rhs(x, a)),
  mul: (x, a) => mul(at(x, 0), rhs(x, a)),
  div: (x, a) => div(at(x, 0), rhs(x, a)),
  pow: (x, a) => pow(at(x, 0), x.length > 1 ? at(x, 1) : num(a, 'exponent')),
  maximum: (x) => maximum(at(x, 0), at(x, 1)),
  minimum: (x) => minimum(at(x, 0), at(x, 1)),
  neg: (x) => neg(at(x, 0)),
  exp: (x) => exp(at(x, 0)),
  log: (x) => log(at(x, 0)),
  sqrt: (x) => sqrt(at(x, 0)),
  abs: (x) => abs(at(x, 0)),
  sign: (x) => sign(at(x, 0)),
  clamp: (x, a) => clamp(at(x, 0), optNum(a, 'min'), optNum(a, 'max')),
  where: (x) => where(at(x, 0), at(x, 1), at(x, 2)),
  eq: (x, a) => eq(at(x, 0), rhs(x, a)),
  ne: (x, a) => ne(at(x, 0), rhs(x, a)),
  lt: (x, a) => lt(at(x, 0), rhs(x, a)),
  le: (x, a) => le(at(x, 0), rhs(x, a)),
  gt: (x, a) => gt(at(x, 0), rhs(x, a)),
  ge: (x, a) => ge(at(x, 0), rhs(x, a)),
  sigmoid: (x) => sigmoid(at(x, 0)),
  tanh: (x) => tanh(at(x, 0)),
  relu: (x) => relu(at(x, 0)),
  leakyRelu: (x, a) => leakyRelu(at(x, 0), num(a, 'negativeSlope')),
  elu: (x, a) => elu(at(x, 0), num(a, 'alpha')),
  gelu: (x) => gelu(at(x, 0)),
  softplus: (x) => softplus(at(x, 0)),
  softmax: (x, a) => softmax(at(x, 0), num(a, 'axis')),
  logSoftmax: (x, a) => logSoftmax(at(x, 0), num(a, 'axis')),
  sum: (x, a) => sum(at(x, 0), axisArg(a), flag(a, 'keepDims')),
  mean: (x, a) => mean(at(x, 0), axisArg(a), flag(a, 'keepDims')),
  max: (x, a) => max(at(x, 0), axisArg(a), flag(a, 'keepDims')),
  min: (x, a) => min(at(x, 0), axisArg(a), flag(a, 'keepDims')),
  argmax: (x, a) => argmax(at(x, 0), single(a), flag(a, 'keepDims')),
  argmin: (x, a) => argmin(at(x, 0), single(a), flag(a, 'keepDims')),
  logSumExp: (x, a) => logSumExp(at(x, 0), axisArg(a), flag(a, 'keepDims')),
  variance: (x, a) => variance(at(x, 0), axisArg(a), flag(a, 'keepDims'), num(a, 'correction')),
  std: (x, a) => std(at(x, 0), axisArg(a), flag(a, 'keepDims'), num(a, 'correction')),
  matmul: (x) => matmul(at(x, 0), at(x, 1)),
  linear: (x) => linear(at(x, 0), at(x, 1), x[2]),
  reshape: (x, a) => reshape(at(x, 0), nums(a, 'shape')),
  flatten: (x, a) => flatten(at(x, 0), num(a, 'startDim'), num(a, 'endDim')),
  transpose: (x, a) => transpose(at(x, 0), num(a, 'dim0'), num(a, 'dim1')),
  permute: (x, a) => permute(at(x, 0), nums(a, 'dims')),
  expand: (x, a) => expand(at(x, 0), nums(a, 'shape')),
  broadcastTo: (x, a) => broadcastTo(at(x, 0), nums(a, 'shape')),
  squeeze: (x, a) => squeeze(at(x, 0), optNum(a, 'axis')),
  unsqueeze: (x, a) => unsqueeze(at(x, 0), num(a, 'axis')),
  slice: (x, a) => slice(at(x, 0), nums(a, 'begin'), nums(a, 'begin').map((b, i) => b + (nums(a, 'size')[i] ?? 0))),
  narrow: (x, a) => narrow(at(x, 0), num(a, 'axis'), num(a, 'start'), num(a, 'length')),
  concat: (x, a) => concat(x, num(a, 'axis')),
  stack: (x, a) => stack(x, num(a, 'axis')),
  split: (x, a) => split(at(x, 0), typeof a.split === 'number' ? num(a, 'split') : nums(a, 'split'), num(a, 'axis')),
  pad: (x, a) => pad(at(x, 0), pairs(a, 'pads'), num(a, 'value')),
  gather: (x, a) => gather(at(x, 0), num(a, 'axis'), at(x, 1)),
  indexSelect: (x, a) => indexSelect(at(x, 0), num(a, 'axis'), at(x, 1)),
  oneHot: (x, a) => oneHot(at(x, 0), num(a, 'numClasses')),
  arange: (_x, a, dtype) => {
    const [start = 0, stop, step] = nums(a, 'args');
    return arange(start, stop, step, { dtype });
  },
  linspace: (_x, a, dtype) => linspace(num(a, 'start'), num(a, 'stop'), num(a, 'num'), { dtype }),
  eye: (_x, a, dtype) => eye(num(a, 'n'), optNum(a, 'm'), { dtype }),
  // convolution
  conv,
  // pooling and normalisation
  maxPool2d: (x, a) =>
    maxPool2d(at(x, 0), size2(a, 'kernelSize')!, {
      stride: size2(a, 'stride'),
      padding: size2(a, 'padding'),
      dilation: size2(a, 'dilation'),
      ceilMode: flag(a, 'ceilMode'),
    }),
  maxPool1d: (x, a) =>
    maxPool1d(at(x, 0), num(a, 'kernelSize'), {
      stride: optNum(a, 'stride'),
      padding: optNum(a, 'padding'),
      dilation: optNum(a, 'dilation'),
      ceilMode: flag(a, 'ceilMode'),
    }),
  avgPool2d: (x, a) =>
    avgPool2d(at(x, 0), size2(a, 'kernelSize')!, {
      stride: size2(a, 'stride'),
      padding: size2(a, 'padding'),
      ceilMode: flag(a, 'ceilMode'),
      countIncludePad: a.countIncludePad === undefined ? undefined : flag(a, 'countIncludePad'),
      divisorOverride: optNum(a, 'divisorOverride'),
    }),
  adaptiveAvgPool2d: (x, a) => adaptiveAvgPool2d(at(x, 0), size2(a, 'outputSize')!),
  batchNorm2d: (x, a) =>
    flag(a, 'training')
      ? batchNorm2d(at(x, 0), { weight: x[1] ?? null, bias: x[2] ?? null, training: true, eps: num(a, 'eps') })
      : batchNorm2d(at(x, 0), { runningMean: at(x, 1), runningVar: at(x, 2), weight: at(x, 3), bias: at(x, 4), eps: num(a, 'eps') }),
  groupNorm: (x, a) => groupNorm(at(x, 0), num(a, 'numGroups'), x[1] ?? null, x[2] ?? null, { eps: num(a, 'eps') }),
};
