import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { ReduceOp } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import { type FloatArray, castArray } from '../tensor/dtype.js';
import { normAxes, normAxis, reducedShape, sizeOf } from '../tensor/shape.js';
import { backend, floatData, reduceAxes } from './util.js';
import { valuesOf } from '../autograd/values.js';

/** Axes to reduce: one axis, several, or all when omitted. */
export type Axes = number | readonly number[];

const SUM: OpDef = {
  name: 'sum',
  backward: (g, n) => {
    const x = n.inputs[0]!;
    return [g.reshape(reducedShape(x.shape, n.attrs.axes ?? [], true)).expand(x.shape)];
  },
};

function extremumDef(name: 'max' | 'min'): OpDef {
  return {
    name,
    backward: (g, n) => {
      const x = n.inputs[0]!;
      const kept = reducedShape(x.shape, n.attrs.axes ?? [], true);
      // The gradient goes to every element equal to the extremum, shared equally among ties.
      const mask = x.eq(n.output.reshape(kept));
      const count = mask.sum(n.attrs.axes, true);
      return [mask.div(count).mul(g.reshape(kept))];
    },
  };
}
const MAX = extremumDef('max');
const MIN = extremumDef('min');

function reduceOp(op: ReduceOp, def: OpDef, x: Tensor, axis: Axes | undefined, keepDims: boolean): Tensor {
  const axes = normAxes(op, axis, x.ndim);
  if (op !== 'sum') {
    for (const a of axes) {
      if (x.shape[a] === 0) throw new ArgumentError(`${op}: cannot reduce over axis ${a} of size 0`);
    }
  }
  const isInt = x.dtype === 'int32';
  const src = isInt ? (castArray(valuesOf(x), 'float64') as FloatArray) : (valuesOf(x) as FloatArray);
  const data = reduceAxes(op, src, x.shape, axes);
  const out = make(isInt ? castArray(data, 'int32') : data, reducedShape(x.shape, axes, keepDims));
  return recording(x) ? record(def, [x], out, { axes }) : out;
}

/** Sum over `axis` (one, several, or all when omitted), keeping reduced axes as 1 when `keepDims`. */
export function sum(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduceOp('sum', SUM, x, axis, keepDims);
}

/** Maximum over `axis` (or all). The gradient is shared among ties. */
export function max(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduceOp('max', MAX, x, axis, keepDims);
}

/** Minimum over `axis` (or all). The gradient is shared among ties. */
export function min(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduceOp('min', MIN, x, axis, keepDims);
}

function countOf(x: Tensor, axis: Axes | undefined): number {
  const axes = normAxes('mean', axis, x.ndim);
  return sizeOf(axes.map((a) => x.shape[a]!));
}

/** Arithmetic mean over `axis` (or all). */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const xf = x.dtype === 'int32' ? x.float() : x;
  return sum(xf, axis, keepDims).div(countOf(x, axis));
}

/**
 * Variance over `axis` (or all) with Bessel's `correction` (1 by default, as
 * PyTorch: divide by N − 1; pass 0 for the population variance).
 */
export function variance(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor {
  if (!Number.isInteger(correction) || correction < 0) {
    throw new ArgumentError(`variance: correction must be a non-negative integer, got ${correction}`);
  }
  const xf = x.dtype === 'int32' ? x.float() : x;
  const centered = xf.sub(mean(xf, axis, true));
  const n = countOf(x, axis);
  return sum(centered.mul(centered), axis, keepDims).div(Math.max(n - correction, 0));
}

/** Standard deviation: the square root of {@link variance}. */
export function std(x: Tensor, axis?: Axes, keepDims = false, correction = 1): Tensor {
  return variance(x, axis, keepDims, correction).sqrt();
}

/** log Σ exp(x) over `axis` (or all), stable for large |x|. */
export function logSumExp(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  const m = max(x.detach(), axis, true);
  // An all −∞ slice would give −∞ − −∞ = NaN; shift by 0 there instead.
  const shift = m.where(m.abs().lt(Number.POSITIVE_INFINITY), 0);
  const out = x.sub(shift).exp().sum(axis, true).log().add(shift);
  return keepDims ? out : out.reshape(reducedShape(x.shape, normAxes('logSumExp', axis, x.ndim), false));
}

function argOp(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis === undefined) {
    if (x.size === 0) throw new ArgumentError(`${op}: the tensor is empty`);
    const flat = backend().argReduce(op, floatData(x), [x.size], 0);
    return make(flat, keepDims ? x.shape.map(() => 1) : []);
  }
  const ax = normAxis(op, axis, x.ndim);
  if (x.shape[ax] === 0) throw new ArgumentError(`${op}: cannot reduce over axis ${ax} of size 0`);
  const data = backend().argReduce(op, floatData(x), x.shape, ax);
  return make(data, reducedShape(x.shape, [ax], keepDims));
}

/** Index (int32) of the maximum along `axis`, or in the flattened tensor. The first on ties. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argOp('argmax', x, axis, keepDims);
}

/** Index (int32) of the minimum along `axis`, or in the flattened tensor. The first on ties. */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argOp('argmin', x, axis, keepDims);
}
