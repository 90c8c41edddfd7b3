import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type FloatArray, promote } from '../tensor/dtype.js';
import { cast } from './movement.js';
import { type Shape, broadcastShapes, fmt, sameShape, sizeOf } from '../tensor/shape.js';
import { backend, floats, sumToShape } from './util.js';

/**
 * op(a) · op(b) for tensors of rank ≥ 2 with broadcast batch dimensions,
 * where op transposes the last two axes when asked. No recording.
 */
function product(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const ra = a.ndim;
  const rb = b.ndim;
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new ShapeError(
      `matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: the inner dimensions ${k} and ${kb} differ`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul (batch dimensions)', aBatch, bBatch);
  const batch = sizeOf(batchShape);
  const [ad, strideA] = batchOperand(a, aBatch, batchShape);
  const [bd, strideB] = batchOperand(b, bBatch, batchShape);
  const data = backend().matmul(ad, bd, { batch, m, k, n, transA, transB, strideA, strideB });
  return make(data, [...batchShape, m, n]);
}

/** The operand's storage laid out for `batchShape`, with its batch stride (0 when shared). */
function batchOperand(t: Tensor, own: Shape, batchShape: Shape): [FloatArray, number] {
  const mat = t.shape[t.ndim - 2]! * t.shape[t.ndim - 1]!;
  const data = t.data as FloatArray;
  if (sizeOf(own) === 1) return [data, 0];
  const padded = [...new Array<number>(batchShape.length - own.length).fill(1), ...own];
  if (sameShape(padded, batchShape)) return [data, mat];
  const full = t.expand([...batchShape, ...t.shape.slice(-2)]);
  return [full.data as FloatArray, mat];
}

const MATMUL: OpDef = {
  name: 'matmul',
  backward: (g, n) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    // C = A·B  ⇒  dA = G·Bᵀ, dB = Aᵀ·G, summed over broadcast batch dimensions.
    const ga = a.requiresGrad ? sumToShape(product(g, b, false, true), a.shape) : null;
    const gb = b.requiresGrad ? sumToShape(product(a, g, true, false), b.shape) : null;
    return [ga, gb];
  },
};

/**
 * Matrix product with NumPy semantics: 2-D × 2-D, batched with broadcast batch
 * dimensions, and 1-D operands treated as a row (left) or column (right) vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ArgumentError(`matmul: both operands need at least one dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  floats('matmul', a);
  floats('matmul', b);
  if (a.dtype !== b.dtype) {
    const dt = promote(a.dtype, b.dtype);
    a = cast(a, dt);
    b = cast(b, dt);
  }
  if (a.ndim === 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.ndim === 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  const out = product(a, b, false, false);
  return recording(a, b) ? record(MATMUL, [a, b], out) : out;
}
