/**
 * Elementwise arithmetic, activations, comparisons, reductions, softmax and the matrix
 * products (MatMul, Gemm) of the ONNX importer, on Cortex's differentiable ops.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { erf, linear, tensor, where } from '../../../ops/index.js';
import { OnnxDataType } from '../proto.js';
import { onnxTypeName } from '../tensors.js';
import type { OpContext, OpImpl } from './graph.js';
import { floatValue, intValue, isFloatType, numbers, truncate, type Value } from './values.js';

/** Input `i` as a float tensor, or an OnnxError naming the node. */
export function floatInput(ctx: OpContext, i: number): Tensor {
  const v = ctx.input(i);
  if (!isFloatType(v.type)) throw ctx.error(`input ${i} must be float32 or float64, got ${onnxTypeName(v.type)}`);
  return v.t;
}

/** `axis` in [−rank, rank) normalized to [0, rank), or an OnnxError. */
export function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw ctx.error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

type Binary = (a: Tensor, b: Tensor) => Tensor;

/** The dtype to compute two values in: float64 if either float is, else float32 (integers follow the float side). */
function commonFloat(a: Value, b: Value): 'float32' | 'float64' {
  const f64 = (v: Value): boolean => isFloatType(v.type) && v.t.dtype === 'float64';
  return f64(a) || f64(b) ? 'float64' : 'float32';
}

/**
 * A broadcasting binary op on floats, or exactly on integers (Div truncates toward zero);
 * integer scalars (shape arithmetic) are computed with `scalar` on plain numbers.
 */
function binary(fn: Binary, scalar: (a: number, b: number) => number, intDiv = false): OpImpl {
  return (ctx) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    if (isFloatType(a.type) || isFloatType(b.type)) {
      const dt = commonFloat(a, b);
      return [floatValue(fn(a.t.astype(dt), b.t.astype(dt)))];
    }
    // Integer scalars (shape arithmetic): plain numbers.
    if (a.t.ndim === 0 && b.t.ndim === 0) {
      const v = scalar(numbers(a)[0]!, numbers(b)[0]!);
      return [intValue([intDiv ? Math.trunc(v) : v], [], a.type)];
    }
    const out = fn(a.t, b.t);
    return [{ t: intDiv ? truncate(out) : out, type: a.type }];
  };
}

/** A unary op on float inputs only. */
function unaryFloat(fn: (x: Tensor) => Tensor): OpImpl {
  return (ctx) => [floatValue(fn(floatInput(ctx, 0)))];
}

/** A unary op that keeps the element type (also on integers). */
function unaryAny(fn: (x: Tensor) => Tensor): OpImpl {
  return (ctx) => {
    const x = ctx.input(0);
    return [{ t: fn(x.t), type: x.type }];
  };
}

/** A comparison: a bool value (0/1). */
function compare(fn: Binary): OpImpl {
  return (ctx) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    const dt = a.t.dtype === b.t.dtype ? a.t.dtype : 'float64';
    return [{ t: fn(a.t.astype(dt), b.t.astype(dt)).astype('float64'), type: OnnxDataType.BOOL }];
  };
}

/** A logical op on bools (nonzero is true), as 0/1. */
function logical(fn: Binary): OpImpl {
  return (ctx) => {
    const a = ctx.input(0).t.ne(0).astype('float64');
    const b = ctx.input(1).t.ne(0).astype('float64');
    return [{ t: fn(a, b).astype('float64'), type: OnnxDataType.BOOL }];
  };
}

/** Softmax or LogSoftmax: opset 13 normalizes along `axis` (default −1); earlier opsets flatten to 2-D at `axis` (default 1). */
function softmaxLike(log: boolean): OpImpl {
  return (ctx) => {
    const x = floatInput(ctx, 0);
    const f = (t: Tensor, axis: number): Tensor => (log ? t.logSoftmax(axis) : t.softmax(axis));
    if (ctx.opset >= 13) return [floatValue(f(x, normAxis(ctx, ctx.int('axis', -1), x.ndim)))];
    const axis = normAxis(ctx, ctx.int('axis', 1), Math.max(x.ndim, 1));
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    return [floatValue(f(x.reshape([outer, -1]), 1).reshape(x.shape))];
  };
}

/** Gemm: alpha · op(A) · op(B) + beta · C, where op transposes when transA/transB is set. */
const gemm: OpImpl = (ctx) => {
  const a = floatInput(ctx, 0);
  const b = floatInput(ctx, 1);
  const c = ctx.optional(2)?.t;
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  const transA = ctx.int('transA', 0) !== 0;
  const transB = ctx.int('transB', 0) !== 0;
  if (a.ndim !== 2 || b.ndim !== 2) throw ctx.error(`A and B must be 2-d, got [${a.shape}] and [${b.shape}]`);
  const aa = transA ? a.transpose() : a;
  // The common Linear layer: y = x·Wᵀ + b, through Cortex's fused linear.
  if (transB && alpha === 1 && beta === 1 && (c === undefined || c.ndim === 1)) return [floatValue(linear(aa, b, c))];
  let y = aa.matmul(transB ? b.transpose() : b);
  if (alpha !== 1) y = y.mul(alpha);
  if (c !== undefined && beta !== 0) y = y.add(beta === 1 ? c : c.mul(beta));
  return [floatValue(y)];
};

/** The axes of a reduction: the `axes` attribute, or (ReduceSum from opset 13) input 1. */
function reduceAxes(ctx: OpContext, rank: number, fromInput: boolean): number[] | null {
  const given = fromInput ? (ctx.optional(1) ? numbers(ctx.input(1)) : undefined) : ctx.ints('axes');
  if (given === undefined || given.length === 0) return ctx.int('noop_with_empty_axes', 0) !== 0 ? [] : null;
  return given.map((a) => normAxis(ctx, a, rank));
}

type Reducer = (x: Tensor, axes: number[], keep: boolean) => Tensor;

/** A reduction over the `axes` attribute (or, from opset `axesInputFrom` on, input 1), all axes when none. */
export function reduce(fn: Reducer, axesInputFrom = 99): OpImpl {
  return (ctx) => {
    const x = ctx.input(0);
    const axes = reduceAxes(ctx, x.t.ndim, ctx.opset >= axesInputFrom);
    if (axes !== null && axes.length === 0) return [x];
    const all = axes ?? x.t.shape.map((_, i) => i);
    const keep = ctx.int('keepdims', 1) !== 0;
    return [{ t: fn(x.t, all, keep), type: x.type }];
  };
}

/** Clip: bounds from inputs 1 and 2 (opset 11 on) or the min/max attributes. */
const clip: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const bound = (i: number, attr: string): number | undefined => {
    if (ctx.opset >= 11) {
      const v = ctx.optional(i);
      return v === undefined ? undefined : numbers(v)[0];
    }
    return ctx.has(attr) ? ctx.float(attr, 0) : undefined;
  };
  return [{ t: x.t.clamp(bound(1, 'min'), bound(2, 'max')), type: x.type }];
};

/** Where(cond, X, Y): X where cond is true, else Y, broadcasting all three. */
const whereOp: OpImpl = (ctx) => {
  const cond = ctx.input(0).t;
  const x = ctx.input(1);
  const y = ctx.input(2);
  if (!isFloatType(x.type) && !isFloatType(y.type)) return [{ t: where(cond.ne(0), x.t, y.t), type: x.type }];
  const dt = commonFloat(x, y);
  return [floatValue(where(cond.ne(0), x.t.astype(dt), y.t.astype(dt)))];
};

/** `x` cast to element type `to`: float→integer truncates toward zero, anything→bool is ≠ 0. */
export function castValue(ctx: OpContext, x: Value, to: number): Value {
  if (to === OnnxDataType.FLOAT) return { t: x.t.astype('float32'), type: to };
  if (to === OnnxDataType.DOUBLE) return { t: x.t.astype('float64'), type: to };
  if (to === OnnxDataType.BOOL) return { t: x.t.ne(0).astype('float64'), type: to };
  if (to === 8 || to === 10 || to === 16 || to > 13) throw ctx.error(`casting to ONNX element type ${to} is not supported`);
  return { t: isFloatType(x.type) ? truncate(x.t.detach()) : x.t, type: to };
}

const cast: OpImpl = (ctx) => [castValue(ctx, ctx.input(0), ctx.int('to', OnnxDataType.FLOAT))];

/** Variadic Sum, Max, Min, Mean with broadcasting. */
function variadic(fn: Binary, mean = false): OpImpl {
  return (ctx) => {
    const xs = ctx.all();
    const first = xs[0];
    if (first === undefined) throw ctx.error('needs at least one input');
    let acc = first;
    for (const v of xs.slice(1)) {
      const dt = isFloatType(acc.type) || isFloatType(v.type) ? commonFloat(acc, v) : 'float64';
      const t = fn(acc.t.astype(dt), v.t.astype(dt));
      acc = isFloatType(acc.type) || isFloatType(v.type) ? floatValue(t) : { t, type: acc.type };
    }
    return [mean ? { t: acc.t.div(xs.length), type: acc.type } : acc];
  };
}

/**
 * A piecewise-constant function (Floor, Ceil, Round) computed on the host: its gradient is
 * zero almost everywhere (as in PyTorch), so the result is a constant of the graph.
 */
function stepwise(f: (v: number) => number): OpImpl {
  return (ctx) => {
    const x = ctx.input(0);
    const src = x.t.dataSync();
    const out = x.t.dtype === 'float32' ? new Float32Array(src.length) : new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
    return [{ t: tensor(out, { shape: [...x.t.shape] }), type: x.type }];
  };
}

/** Round half to even, as ONNX's Round. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ArgMax / ArgMin along `axis` (the first index of ties), as int64. */
function argReduce(max: boolean): OpImpl {
  return (ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx, ctx.int('axis', 0), x.t.ndim);
    const keep = ctx.int('keepdims', 1) !== 0;
    const last = ctx.int('select_last_index', 0) !== 0;
    const n = x.t.shape[axis]!;
    // The last of ties: the first in the reversed axis, counted from the end.
    const src = last ? x.t.indexSelect(axis, Array.from({ length: n }, (_, i) => n - 1 - i)) : x.t;
    const t = (max ? src.argmax(axis, keep) : src.argmin(axis, keep)).astype('float64');
    return [{ t: last ? t.neg().add(n - 1) : t, type: OnnxDataType.INT64 }];
  };
}

const identity: OpImpl = (ctx) => [ctx.input(0)];

/** Dropout at inference: the input, and an all-true mask when asked for. */
const dropout: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const training = ctx.optional(2);
  if (training !== undefined && numbers(training)[0] !== 0) throw ctx.error('training-mode Dropout is not supported (import runs the inference graph)');
  const out: Value[] = [x];
  if (ctx.wants(1)) out.push({ t: x.t.detach().mul(0).add(1).astype('float64'), type: OnnxDataType.BOOL });
  return out;
};

/** The math, activation, comparison and reduction ops, by ONNX op type. */
export const MATH_OPS: Record<string, OpImpl> = {
  Add: binary((a, b) => a.add(b), (a, b) => a + b),
  Sub: binary((a, b) => a.sub(b), (a, b) => a - b),
  Mul: binary((a, b) => a.mul(b), (a, b) => a * b),
  Div: binary((a, b) => a.div(b), (a, b) => a / b, true),
  Pow: (ctx) => {
    const x = ctx.input(0);
    const y = ctx.input(1).t.astype(x.t.dtype);
    // An integer base gives an integer power (the exponent truncates, as in onnxruntime).
    return [isFloatType(x.type) ? floatValue(x.t.pow(y)) : { t: truncate(x.t.pow(truncate(y))), type: x.type }];
  },
  Max: variadic((a, b) => a.maximum(b)),
  Min: variadic((a, b) => a.minimum(b)),
  Sum: variadic((a, b) => a.add(b)),
  Mean: variadic((a, b) => a.add(b), true),
  Neg: unaryAny((x) => x.neg()),
  Abs: unaryAny((x) => x.abs()),
  Sign: unaryAny((x) => x.sign()),
  Sqrt: unaryFloat((x) => x.sqrt()),
  Exp: unaryFloat((x) => x.exp()),
  Log: unaryFloat((x) => x.log()),
  Reciprocal: unaryFloat((x) => x.pow(-1)),
  Erf: unaryFloat((x) => erf(x)),
  Relu: unaryFloat((x) => x.relu()),
  Sigmoid: unaryFloat((x) => x.sigmoid()),
  Tanh: unaryFloat((x) => x.tanh()),
  Softplus: unaryFloat((x) => x.softplus()),
  LeakyRelu: (ctx) => [floatValue(floatInput(ctx, 0).leakyRelu(ctx.float('alpha', 0.01)))],
  Elu: (ctx) => [floatValue(floatInput(ctx, 0).elu(ctx.float('alpha', 1)))],
  Selu: (ctx) => [floatValue(floatInput(ctx, 0).elu(ctx.float('alpha', Math.fround(1.6732632423543772))).mul(ctx.float('gamma', Math.fround(1.0507009873554805))))],
  Celu: (ctx) => {
    const alpha = ctx.float('alpha', 1);
    return [floatValue(floatInput(ctx, 0).div(alpha).elu(1).mul(alpha))];
  },
  Softsign: unaryFloat((x) => x.div(x.abs().add(1))),
  PRelu: (ctx) => {
    const x = floatInput(ctx, 0);
    return [floatValue(where(x.gt(0), x, x.mul(floatInput(ctx, 1))))];
  },
  HardSwish: unaryFloat((x) => x.mul(x.div(6).add(0.5).clamp(0, 1))),
  Floor: stepwise(Math.floor),
  Ceil: stepwise(Math.ceil),
  Round: stepwise(roundHalfEven),
  ArgMax: argReduce(true),
  ArgMin: argReduce(false),
  ReduceL2: reduce((x, a, k) => x.mul(x).sum(a, k).sqrt()),
  ReduceSumSquare: reduce((x, a, k) => x.mul(x).sum(a, k)),
  ReduceLogSumExp: reduce((x, a, k) => x.logSumExp(a, k)),
  HardSigmoid: (ctx) => [floatValue(floatInput(ctx, 0).mul(ctx.float('alpha', 0.2)).add(ctx.float('beta', 0.5)).clamp(0, 1))],
  Clip: clip,
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  MatMul: (ctx) => [floatValue(floatInput(ctx, 0).matmul(floatInput(ctx, 1)))],
  Gemm: gemm,
  ReduceMean: reduce((x, a, k) => x.mean(a, k)),
  ReduceSum: reduce((x, a, k) => x.sum(a, k), 13),
  ReduceMax: reduce((x, a, k) => x.max(a, k)),
  ReduceMin: reduce((x, a, k) => x.min(a, k)),
  Equal: compare((a, b) => a.eq(b)),
  Less: compare((a, b) => a.lt(b)),
  LessOrEqual: compare((a, b) => a.le(b)),
  Greater: compare((a, b) => a.gt(b)),
  GreaterOrEqual: compare((a, b) => a.ge(b)),
  And: logical((a, b) => a.mul(b)),
  Or: logical((a, b) => a.maximum(b)),
  Xor: logical((a, b) => a.ne(b)),
  Not: (ctx) => [{ t: ctx.input(0).t.eq(0).astype('float64'), type: OnnxDataType.BOOL }],
  Where: whereOp,
  Cast: cast,
  Identity: identity,
  Dropout: dropout,
};
