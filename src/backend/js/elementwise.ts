import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import { type Shape, sameShape } from '../../tensor/shape.js';
import type { ActivationOp, BinaryOp, ScalarOp, UnaryOp } from '../backend.js';
import { gelu, geluF32, geluGrad, geluGradF32, sigmoid, softplus } from './math.js';
import { alike, broadcastStrides, stridedRead } from './strided.js';

function unaryFn(op: UnaryOp): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'abs':
      return Math.abs;
    case 'sign':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN);
    case 'relu':
      return (x) => (x > 0 ? x : x === x ? 0 : x);
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      return softplus;
    case 'gelu':
      return gelu;
  }
}

// Int32 arrays: every value is exact in a double, and storing into the
// Int32Array output wraps modulo 2^32 (-(-2^31) and |-2^31| give -2^31).
export function unary<T extends TypedArray>(op: UnaryOp, x: T): T {
  const out = alike(x, x.length);
  // Float32 results need no float64-accurate erf series: a 1.2e-7 fit is several times faster.
  const f = op === 'gelu' && x instanceof Float32Array ? geluF32 : unaryFn(op);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

export function scalar<T extends TypedArray>(op: ScalarOp, x: T, a: number, b: number): T {
  const n = x.length;
  const out = alike(x, n);
  switch (op) {
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : a * x[i]!;
      break;
    case 'elu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : a * Math.expm1(x[i]!);
      break;
    case 'clamp':
      for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(x[i]!, a), b);
      break;
  }
  return out;
}

export function activationGrad(op: ActivationOp, x: FloatArray, y: FloatArray, g: FloatArray, a: number): FloatArray {
  const n = g.length;
  const out = alike(g, n);
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? g[i]! : 0;
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = g[i]! * y[i]! * (1 - y[i]!);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = g[i]! * (1 - y[i]! * y[i]!);
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) out[i] = g[i]! * sigmoid(x[i]!);
      break;
    case 'gelu': {
      const d = g instanceof Float32Array ? geluGradF32 : geluGrad;
      for (let i = 0; i < n; i++) out[i] = g[i]! * d(x[i]!);
      break;
    }
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? g[i]! : a * g[i]!;
      break;
    case 'elu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? g[i]! : g[i]! * (y[i]! + a);
      break;
  }
  return out;
}

/**
 * `out[i] = f(a[i*sa], b[i*sb])` for the given op; sa, sb are 0 (scalar) or 1.
 * On int32 arrays sums and differences are exact in a double and wrap modulo
 * 2^32 when stored; products use `Math.imul`, which wraps the same way.
 */
function loop(op: BinaryOp, a: TypedArray, sa: number, b: TypedArray, sb: number, out: TypedArray): void {
  const n = out.length;
  const isInt = out instanceof Int32Array;
  let i = 0;
  let ia = 0;
  let ib = 0;
  switch (op) {
    case 'add':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! + b[ib]!;
      return;
    case 'sub':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! - b[ib]!;
      return;
    case 'mul':
      if (isInt) for (; i < n; i++, ia += sa, ib += sb) out[i] = Math.imul(a[ia]!, b[ib]!);
      else for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! * b[ib]!;
      return;
    case 'div':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! / b[ib]!;
      return;
    case 'pow':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! ** b[ib]!;
      return;
    case 'maximum':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = Math.max(a[ia]!, b[ib]!);
      return;
    case 'minimum':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = Math.min(a[ia]!, b[ib]!);
      return;
    case 'eq':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! === b[ib]! ? 1 : 0;
      return;
    case 'ne':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! !== b[ib]! ? 1 : 0;
      return;
    case 'lt':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! < b[ib]! ? 1 : 0;
      return;
    case 'le':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! <= b[ib]! ? 1 : 0;
      return;
    case 'gt':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! > b[ib]! ? 1 : 0;
      return;
    case 'ge':
      for (; i < n; i++, ia += sa, ib += sb) out[i] = a[ia]! >= b[ib]! ? 1 : 0;
      return;
  }
}

/** Brings an operand to `outShape`: itself when it already has it, else a broadcast copy. */
function toShape<T extends TypedArray>(x: T, shape: Shape, outShape: Shape): T {
  if (sameShape(shape, outShape)) return x;
  return stridedRead(x, 0, broadcastStrides(shape, outShape), outShape);
}

export function binary<T extends TypedArray>(op: BinaryOp, a: T, aShape: Shape, b: T, bShape: Shape, outShape: Shape): T {
  let n = 1;
  for (const d of outShape) n *= d;
  const out = alike(a, n);
  if (n === 0) return out;
  const aFull = a.length === n;
  const bFull = b.length === n;
  if (aFull && b.length === 1) loop(op, a, 1, b, 0, out);
  else if (a.length === 1 && bFull) loop(op, a, 0, b, 1, out);
  else loop(op, toShape(a, aShape, outShape), 1, toShape(b, bShape, outShape), 1, out);
  return out;
}

export function where<T extends TypedArray>(
  cond: TypedArray,
  condShape: Shape,
  a: T,
  aShape: Shape,
  b: T,
  bShape: Shape,
  outShape: Shape,
): T {
  const c = toShape(cond, condShape, outShape);
  const x = toShape(a, aShape, outShape);
  const y = toShape(b, bShape, outShape);
  const out = alike(a, c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] !== 0 ? x[i]! : y[i]!;
  return out;
}

