import { type Attrs, type Node, type OpDef, make, makeView, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import { type DType, castArray, promote } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { type TensorLike, backend, floatData, floats, lift, sumToShape } from './util.js';
import { valuesOf } from '../autograd/values.js';

/* ---------- unary primitives ---------- */

function unaryPrim(op: UnaryOp, def: OpDef | null, x: Tensor): Tensor {
  const data = backend().unary(op, floatData(x));
  const out = make(data, x.shape);
  return def !== null && recording(x) ? record(def, [x], out) : out;
}

const NEG: OpDef = { name: 'neg', backward: (g) => [g.neg()] };
const EXP: OpDef = { name: 'exp', backward: (g, n) => [g.mul(n.output)] };
const LOG: OpDef = { name: 'log', backward: (g, n) => [g.div(n.inputs[0]!)] };
const SQRT: OpDef = { name: 'sqrt', backward: (g, n) => [g.div(n.output.mul(2))] };
const ABS: OpDef = { name: 'abs', backward: (g, n) => [g.mul(n.inputs[0]!.sign())] };
/** sign is flat almost everywhere: its gradient is zero (as in PyTorch). */
const SIGN: OpDef = { name: 'sign', backward: (g) => [g.mul(0)] };

/** The int32 kernel of `op` on an int32 tensor (exact; −2³¹ wraps to itself). */
function intUnary(op: 'neg' | 'abs' | 'sign', x: Tensor): Tensor {
  return make(backend().unary(op, valuesOf(x) as Int32Array), x.shape);
}

/** −x. */
export function neg(x: Tensor): Tensor {
  if (x.dtype === 'int32') return intUnary('neg', x);
  return unaryPrim('neg', NEG, x);
}
/** eˣ. */
export function exp(x: Tensor): Tensor {
  return unaryPrim('exp', EXP, x);
}
/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return unaryPrim('log', LOG, x);
}
/** Square root. */
export function sqrt(x: Tensor): Tensor {
  return unaryPrim('sqrt', SQRT, x);
}
/** |x|. */
export function abs(x: Tensor): Tensor {
  if (x.dtype === 'int32') return intUnary('abs', x);
  return unaryPrim('abs', ABS, x);
}
/** −1, 0 or 1 by the sign of x; its gradient is zero. */
export function sign(x: Tensor): Tensor {
  if (x.dtype === 'int32') return intUnary('sign', x);
  return unaryPrim('sign', SIGN, x);
}

/* ---------- binary primitives ---------- */

/**
 * A view that repeats one value everywhere (stride 0 on every axis longer
 * than 1: the gradient of a full reduction, broadcast back) as that one
 * value, which every backend broadcasts itself, so the view is not
 * materialised. Any other tensor is returned as it is.
 */
function unexpanded(t: Tensor): Tensor {
  if (t.size <= 1 || !t.shape.every((d, i) => d === 1 || t.strides[i] === 0)) return t;
  return makeView(t, t.shape.map(() => 1), t.strides, t.offset);
}

function binaryPrim(op: BinaryOp, def: OpDef | null, a: TensorLike, b: TensorLike): Tensor {
  const x = lift(a, b);
  const y = lift(b, a);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const dt = promote(x.dtype, y.dtype);
  const xv = unexpanded(x);
  const yv = unexpanded(y);
  let out: Tensor;
  if (dt === 'int32' && op !== 'div' && op !== 'pow') {
    // Exact int32 arithmetic (wrapping modulo 2³² like PyTorch); comparisons still give float32 0/1.
    const data = backend().binary(op, valuesOf(xv) as Int32Array, xv.shape, valuesOf(yv) as Int32Array, yv.shape, shape);
    out = make(def === null ? castArray(data, 'float32') : data, shape);
  } else {
    out = make(backend().binary(op, floatData(xv, dt), xv.shape, floatData(yv, dt), yv.shape, shape), shape);
  }
  return def !== null && recording(x, y) ? record(def, [x, y], out) : out;
}

const ADD: OpDef = {
  name: 'add',
  backward: (g, n) => [sumToShape(g, n.inputs[0]!.shape), sumToShape(g, n.inputs[1]!.shape)],
};
const SUB: OpDef = {
  name: 'sub',
  backward: (g, n) => [sumToShape(g, n.inputs[0]!.shape), sumToShape(g.neg(), n.inputs[1]!.shape)],
};
const MUL: OpDef = {
  name: 'mul',
  backward: (g, n) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    // x·x (a square written as a product): one gradient, 2·g·x, instead of two products and their sum.
    if (a === b) return [sumToShape(g.mul(a).mul(2), a.shape), null];
    return [a.requiresGrad ? sumToShape(g.mul(b), a.shape) : null, b.requiresGrad ? sumToShape(g.mul(a), b.shape) : null];
  },
};
const DIV: OpDef = {
  name: 'div',
  backward: (g, n) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    const ga = g.div(b);
    return [sumToShape(ga, a.shape), b.requiresGrad ? sumToShape(ga.mul(n.output).neg(), b.shape) : null];
  },
};
const POW: OpDef = {
  name: 'pow',
  backward: (g, n) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    const ga = a.requiresGrad ? sumToShape(where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))), a.shape) : null;
    let gb: Tensor | null = null;
    if (b.requiresGrad) {
      // d/db a^b = a^b ln a, taken as 0 where a = 0 and b ≥ 0 (the limit), as PyTorch does.
      const lnA = where(a.eq(0).mul(b.ge(0)), 0, a.log());
      gb = sumToShape(g.mul(n.output).mul(lnA), b.shape);
    }
    return [ga, gb];
  },
};
/** Splits the gradient of max/min between the operands; ties share it equally. */
function extremumBackward(g: Tensor, n: Node, wantMax: boolean): readonly (Tensor | null)[] {
  const [a, b] = n.inputs as [Tensor, Tensor];
  const win = wantMax ? a.gt(b) : a.lt(b);
  const tie = a.eq(b).mul(0.5);
  const wa = win.add(tie);
  return [sumToShape(g.mul(wa), a.shape), sumToShape(g.mul(wa.neg().add(1)), b.shape)];
}
const MAXIMUM: OpDef = { name: 'maximum', backward: (g, n) => extremumBackward(g, n, true) };
const MINIMUM: OpDef = { name: 'minimum', backward: (g, n) => extremumBackward(g, n, false) };

/** a + b, broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('add', ADD, a, b);
}
/** a − b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('sub', SUB, a, b);
}
/** a · b elementwise, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('mul', MUL, a, b);
}
/** a / b elementwise, broadcasting (true division: int32 inputs give float32). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('div', DIV, a, b);
}
/** a to the power b, broadcasting. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('pow', POW, a, b);
}
/** Elementwise maximum (NaN propagates). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('maximum', MAXIMUM, a, b);
}
/** Elementwise minimum (NaN propagates). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('minimum', MINIMUM, a, b);
}

/* ---------- comparisons: 1 where true, 0 where false; no gradient ---------- */

/** a == b. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('eq', null, a, b);
}
/** a != b. */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('ne', null, a, b);
}
/** a < b. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('lt', null, a, b);
}
/** a ≤ b. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('le', null, a, b);
}
/** a > b. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('gt', null, a, b);
}
/** a ≥ b. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return binaryPrim('ge', null, a, b);
}

/* ---------- clamp and where ---------- */

const CLAMP: OpDef = {
  name: 'clamp',
  backward: (g, n) => {
    const x = n.inputs[0]!;
    const { a = Number.NEGATIVE_INFINITY, b = Number.POSITIVE_INFINITY } = n.attrs as Attrs;
    return [g.mul(x.ge(a).mul(x.le(b)))];
  },
};

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Whether `v` is an integer or infinite (a bound an int32 clamp keeps exact). */
function intBound(v: number): boolean {
  return Number.isInteger(v) || !Number.isFinite(v);
}

/**
 * Limits x to [min, max]; either bound may be omitted. On an int32 tensor
 * with integer bounds the result is int32 (bounds beyond the int32 range act
 * as that range's ends); a fractional bound gives float32, as PyTorch's type
 * promotion does.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new ArgumentError(`clamp: min (${lo}) must not exceed max (${hi})`);
  }
  if (x.dtype === 'int32') {
    if (!intBound(lo) || !intBound(hi)) return make(backend().scalar('clamp', floatData(x), lo, hi), x.shape);
    const a = Math.min(Math.max(lo, INT32_MIN), INT32_MAX);
    const b = Math.min(Math.max(hi, INT32_MIN), INT32_MAX);
    return make(backend().scalar('clamp', valuesOf(x) as Int32Array, a, b), x.shape);
  }
  const data = backend().scalar('clamp', floats('clamp', x), lo, hi);
  const out = make(data, x.shape);
  return recording(x) ? record(CLAMP, [x], out, { a: lo, b: hi }) : out;
}

const WHERE: OpDef = {
  name: 'where',
  backward: (g, n) => {
    const [c, a, b] = n.inputs as [Tensor, Tensor, Tensor];
    return [
      null,
      a.requiresGrad ? sumToShape(where(c, g, 0), a.shape) : null,
      b.requiresGrad ? sumToShape(where(c, 0, g), b.shape) : null,
    ];
  },
};

/** Picks `a` where `cond` is non-zero and `b` elsewhere, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const x = lift(a, b);
  const y = lift(b, a);
  const dt: DType = promote(x.dtype, y.dtype);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const data =
    dt === 'int32'
      ? backend().where(valuesOf(cond), cond.shape, valuesOf(x) as Int32Array, x.shape, valuesOf(y) as Int32Array, y.shape, shape)
      : backend().where(floatData(cond, dt), cond.shape, floatData(x, dt), x.shape, floatData(y, dt), y.shape, shape);
  const out = make(data, shape);
  return recording(x, y) ? record(WHERE, [cond, x, y], out) : out;
}
