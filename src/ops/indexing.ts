import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { type FloatArray, castArray } from '../tensor/dtype.js';
import { fmt, normAxis } from '../tensor/shape.js';
import { backend } from './util.js';
import { valuesOf } from '../autograd/values.js';

/** Validates an index tensor against a dimension and returns its values as non-negative int32. */
function indexData(op: string, index: Tensor, dim: number, axis: number): Int32Array {
  const src = valuesOf(index);
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    let v = src[i]!;
    if (!Number.isInteger(v)) throw new DTypeError(`${op}: indices must be integers, got ${v}; pass an int32 tensor`);
    if (v < 0) v += dim;
    if (!(v >= 0 && v < dim)) {
      throw new ArgumentError(`${op}: index ${src[i]} is out of range for axis ${axis} of size ${dim}`);
    }
    out[i] = v;
  }
  return out;
}

const INDEX_SELECT: OpDef = {
  name: 'indexSelect',
  backward: (g, n) => [indexAdd(g, n.inputs[0]!.shape, n.attrs.axis ?? 0, n.attrs.index!)],
};

/**
 * The adjoint of indexSelect: `g` added into zeros of `shape` at entries `index`
 * of `axis`. Recorded (under createGraph) with indexSelect as its own gradient.
 */
function indexAdd(g: Tensor, shape: readonly number[], axis: number, index: Tensor): Tensor {
  const out = make(backend().indexAdd(valuesOf(g) as FloatArray, shape, axis, valuesOf(index) as Int32Array), shape);
  return recording(g) ? record(INDEX_ADD, [g], out, { axis, index }) : out;
}

const INDEX_ADD: OpDef = {
  name: 'indexAdd',
  backward: (u, n) => [indexSelect(u, n.attrs.axis ?? 0, n.attrs.index!)],
};

/** Picks entries `indices` (1-D, negative counts from the end) along `axis`. */
export function indexSelect(x: Tensor, axis: number, indices: Tensor | readonly number[]): Tensor {
  const ax = normAxis('indexSelect', axis, x.ndim);
  const idxT = Array.isArray(indices) ? make(Int32Array.from(indices as readonly number[]), [indices.length]) : (indices as Tensor);
  if (idxT.ndim > 1) throw new ShapeError(`indexSelect: indices must be 1-d, got ${fmt(idxT.shape)}`);
  const idx = indexData('indexSelect', idxT, x.shape[ax]!, ax);
  const shape = x.shape.map((d, i) => (i === ax ? idx.length : d));
  const out = make(backend().indexSelect(valuesOf(x), x.shape, ax, idx), shape);
  return recording(x) ? record(INDEX_SELECT, [x], out, { axis: ax, index: make(idx, [idx.length]) }) : out;
}

const GATHER: OpDef = {
  name: 'gather',
  backward: (g, n) => [scatterAdd(g, n.inputs[0]!.shape, n.attrs.axis ?? 0, n.attrs.index!)],
};

/**
 * The adjoint of gather: `g` added into zeros of `shape` at the positions
 * `index` names along `axis`. Recorded (under createGraph) with gather as its own gradient.
 */
function scatterAdd(g: Tensor, shape: readonly number[], axis: number, index: Tensor): Tensor {
  const d = backend().scatterAdd(valuesOf(g) as FloatArray, shape, axis, valuesOf(index) as Int32Array, index.shape);
  const out = make(d, shape);
  return recording(g) ? record(SCATTER_ADD, [g], out, { axis, index }) : out;
}

const SCATTER_ADD: OpDef = {
  name: 'scatterAdd',
  backward: (u, n) => [gather(u, n.attrs.axis ?? 0, n.attrs.index!)],
};

/**
 * PyTorch's gather: `out[i][j] = x[i][index[i][j]]` for axis 1, and likewise for
 * any axis. `index` has the rank of `x` and the output's shape; along every
 * other axis it may not be larger than `x`.
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const ax = normAxis('gather', axis, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== ax && d > x.shape[i]!)) {
    throw new ShapeError(
      `gather: index ${fmt(index.shape)} must have the rank of the input ${fmt(x.shape)} and be no larger on axes other than ${ax}`,
    );
  }
  const idx = indexData('gather', index, x.shape[ax]!, ax);
  const out = make(backend().gather(valuesOf(x), x.shape, ax, idx, index.shape), index.shape);
  return recording(x) ? record(GATHER, [x], out, { axis: ax, index: make(idx, index.shape) }) : out;
}

/** One-hot float32 encoding of integer labels: shape [...labels.shape, numClasses]. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses <= 0) {
    throw new ArgumentError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  }
  const src = castArray(valuesOf(labels), 'float64');
  const out = new Float32Array(src.length * numClasses);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new ArgumentError(`oneHot: label ${c} at position ${i} is not an integer in [0, ${numClasses})`);
    }
    out[i * numClasses + c] = 1;
  }
  return make(out, [...labels.shape, numClasses]);
}
