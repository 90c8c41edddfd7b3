import { type Grads, type OpDef, gradTarget, make, makeOn, makeView, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type FloatArray, assertFloat, promote } from '../tensor/dtype.js';
import { cast, contiguous } from './movement.js';
import { type Shape, broadcastShapes, fmt, sameShape, sizeOf } from '../tensor/shape.js';
import { type Storage, isRowMajor } from '../tensor/storage.js';
import { backend, sumToShape } from './util.js';
import { valuesOf, wantsGrad } from '../autograd/values.js';

/**
 * op(a) · op(b) for tensors of rank ≥ 2 with broadcast batch dimensions,
 * where op transposes the last two axes when asked. No recording. With
 * `into` (of the result's size and dtype), the product is written there.
 */
function product(a: Tensor, b: Tensor, transA: boolean, transB: boolean, into?: Storage): Tensor {
  // A transposed view of a row-major matrix is read in place with the transpose flag flipped.
  const at = untransposed(a);
  if (at !== null) return product(at, b, !transA, transB, into);
  const bt = untransposed(b);
  if (bt !== null) return product(a, bt, transA, !transB, into);
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
  const out = into !== undefined && into.dtype === a.dtype && into.length === batch * m * n ? (into.array as FloatArray) : undefined;
  const data = backend().matmul(ad, bd, { batch, m, k, n, transA, transB, strideA, strideB, out });
  return out !== undefined && data === out ? makeOn(into!, [...batchShape, m, n]) : make(data, [...batchShape, m, n]);
}

/**
 * `t` when {@link product} reads it in place (contiguous, or the transpose of a
 * row-major matrix), else its contiguous copy, recorded: a matmul then saves
 * the copy for its backward, which reads it again instead of copying the view
 * a second time (attention's heads are such views).
 */
function dense(t: Tensor): Tensor {
  return t.isContiguous() || t.ndim < 2 || untransposed(t) !== null ? t : contiguous(t);
}

/**
 * When `t` is not contiguous but swapping its last two axes makes it so (it
 * is `m.transpose(-2, -1)` of a row-major `m`), that row-major view of `m`;
 * else null.
 */
function untransposed(t: Tensor): Tensor | null {
  if (t.isContiguous() || t.ndim < 2) return null;
  const r = t.ndim;
  const shape = [...t.shape];
  const strides = [...t.strides];
  [shape[r - 2], shape[r - 1]] = [shape[r - 1]!, shape[r - 2]!];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1]!, strides[r - 2]!];
  return isRowMajor(shape, strides) ? makeView(t, shape, strides, t.offset) : null;
}

/** The operand's storage laid out for `batchShape`, with its batch stride (0 when shared). */
function batchOperand(t: Tensor, own: Shape, batchShape: Shape): [FloatArray, number] {
  const mat = t.shape[t.ndim - 2]! * t.shape[t.ndim - 1]!;
  const data = valuesOf(t) as FloatArray;
  if (sizeOf(own) === 1) return [data, 0];
  const padded = [...new Array<number>(batchShape.length - own.length).fill(1), ...own];
  if (sameShape(padded, batchShape)) return [data, mat];
  const full = t.expand([...batchShape, ...t.shape.slice(-2)]);
  return [valuesOf(full) as FloatArray, mat];
}

/**
 * The gradient rule of op(A)·op(B) for each pair of transpose flags. With
 * Â = op(A), B̂ = op(B) and C = Â·B̂: dÂ = G·B̂ᵀ and dB̂ = Âᵀ·G, transposed back
 * where A or B was, and summed over broadcast batch dimensions. The products
 * are recorded ({@link mm}) when the backward records (createGraph).
 */
function productDef(transA: boolean, transB: boolean): OpDef {
  return {
    name: 'matmul',
    backward: (g0, n) => {
      const [a, b] = n.inputs as [Tensor, Tensor];
      // Both products read g: a strided g (attention's joined heads) is copied once, not twice.
      const g = dense(g0);
      // A leaf's gradient may be computed straight into its last gradient's block (gradTarget).
      const da = transA ? mm(b, g, transB, true, a) : mm(g, b, false, !transB, a);
      const db = transB ? mm(g, a, true, transA, b) : mm(a, g, !transA, false, b);
      // Both come from new matmul or sum outputs, so a leaf may keep them without a copy.
      const ga = a.requiresGrad ? sumToShape(da(), a.shape) : null;
      const gb = b.requiresGrad ? sumToShape(db(), b.shape) : null;
      return [ownedGradient(ga), ownedGradient(gb)];
    },
  };
}

const PRODUCT: readonly OpDef[] = [productDef(false, false), productDef(false, true), productDef(true, false), productDef(true, true)];
const MATMUL = PRODUCT[0]!;

/**
 * A deferred {@link product} that records when gradients are being recorded.
 * `gradOf`: the tensor whose gradient this product is, so it may be written
 * into that leaf's last gradient block ({@link gradTarget}).
 */
function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean, gradOf?: Tensor): () => Tensor {
  return () => {
    // Only plain 2-d products have exactly the leaf's shape (no batch sum follows).
    const into = gradOf?.requiresGrad === true && gradOf.ndim === 2 && a.ndim === 2 && b.ndim === 2 ? gradTarget(gradOf) : undefined;
    const out = product(a, b, transA, transB, into);
    return recording(a, b) ? record(PRODUCT[(transA ? 2 : 0) + (transB ? 1 : 0)]!, [a, b], out) : out;
  };
}

/**
 * Matrix product with NumPy semantics: 2-D × 2-D, batched with broadcast batch
 * dimensions, and 1-D operands treated as a row (left) or column (right) vector.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ArgumentError(`matmul: both operands need at least one dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  // The dtype check only: `floats` would also copy a strided view (attention's heads) just to discard it.
  assertFloat('matmul', a.dtype);
  assertFloat('matmul', b.dtype);
  if (a.dtype !== b.dtype) {
    const dt = promote(a.dtype, b.dtype);
    a = cast(a, dt);
    b = cast(b, dt);
  }
  if (b.ndim === 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  if (a.ndim === 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  a = dense(a);
  b = dense(b);
  const out = product(a, b, false, false);
  return recording(a, b) ? record(MATMUL, [a, b], out) : out;
}

/** Activations `linear` can fuse: those whose gradient needs only the output. */
export type LinearActivation = 'relu' | 'sigmoid' | 'tanh';

const LINEAR_ACTIVATIONS: readonly LinearActivation[] = ['relu', 'sigmoid', 'tanh'];

/** dL/dx, dL/dW and dL/db of `y = x·Wᵀ + b` from dL/dy `g`. No transpose is materialised. */
function linearGrads(g: Tensor, x: Tensor, w: Tensor, b: Tensor | undefined): Grads {
  const rows = sizeOf(x.shape.slice(0, -1));
  const g2 = g.reshape([rows, g.shape[g.ndim - 1]!]);
  const x2 = x.reshape([rows, x.shape[x.ndim - 1]!]);
  const gx = x.requiresGrad ? mm(g2, w, false, false)().reshape(x.shape) : null;
  // A private (DP-SGD) step computes the parameters' gradients itself: then these are skipped.
  const gw = wantsGrad(w) ? mm(g2, x2, true, false, w)() : null;
  const gb = b !== undefined && wantsGrad(b) ? g2.sum(0) : null;
  // All three are new matmul or sum outputs (gx a reshaped view of one), so a
  // leaf may keep them without a copy.
  return [ownedGradient(gx), ownedGradient(gw), ownedGradient(gb)];
}

/**
 * g ⊙ act′(z) from the output y = act(z), as an op of its own: the values come
 * from the backend's fused gradient kernel, and its rule makes it
 * differentiable for `createGraph` (through y, itself a recorded output).
 */
function outputActivationGrad(act: LinearActivation, y: Tensor, g: Tensor): Tensor {
  const yd = valuesOf(y) as FloatArray;
  const out = make(backend().activationGrad(act, yd, yd, valuesOf(g) as FloatArray, 0), g.shape);
  return recording(y, g) ? record(OUTPUT_GRAD[act], [y, g], out) : out;
}

function outputGradDef(act: LinearActivation): OpDef {
  return {
    name: `${act}Grad`,
    backward: (u, n) => {
      const [y, g] = n.inputs as [Tensor, Tensor];
      // relu: g·[y > 0] is flat in y; sigmoid: g·y(1 − y); tanh: g·(1 − y²).
      let dy: Tensor | null = null;
      if (y.requiresGrad && act === 'sigmoid') dy = u.mul(g).mul(y.mul(-2).add(1));
      if (y.requiresGrad && act === 'tanh') dy = u.mul(g).mul(y).mul(-2);
      return [dy, g.requiresGrad ? outputActivationGrad(act, y, u) : null];
    },
  };
}

const OUTPUT_GRAD: Record<LinearActivation, OpDef> = {
  relu: outputGradDef('relu'),
  sigmoid: outputGradDef('sigmoid'),
  tanh: outputGradDef('tanh'),
};

/**
 * The gradient rule of `linear` with activation `act` (none for the plain
 * affine map). The activation's gradient comes from the output alone: for
 * relu, `y > 0` exactly where the pre-activation is > 0.
 */
function linearDef(act: LinearActivation | null): OpDef {
  return {
    name: act === null ? 'linear' : `linear+${act}`,
    backward: (g, n) => {
      const [x, w, b] = n.inputs as [Tensor, Tensor, Tensor | undefined];
      if (act === null) return linearGrads(g, x, w, b);
      return linearGrads(outputActivationGrad(act, n.output, g), x, w, b);
    },
  };
}

const LINEAR = linearDef(null);
const LINEAR_ACT: Record<LinearActivation, OpDef> = {
  relu: linearDef('relu'),
  sigmoid: linearDef('sigmoid'),
  tanh: linearDef('tanh'),
};

/**
 * The affine map of a dense layer, `x · Wᵀ + b`, as one primitive: `weight` is
 * [out, in] as in PyTorch, `x` is [..., in], `bias` (optional) is [out].
 * Forward and backward use the transposed matmul kernels directly.
 *
 * With `activation`, returns `act(x · Wᵀ + b)` as one primitive: the bias and
 * the activation are applied in one pass over the product (the backend's
 * `biasActivation` kernel), and the backward applies the activation's
 * gradient kernel before the matmuls. Values equal `relu(linear(x, w, b))` etc.
 *
 * @example
 * ```ts
 * const h = linear(x, w1, b1, 'relu'); // same values as relu(linear(x, w1, b1))
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor, activation?: LinearActivation): Tensor {
  assertFloat('linear', x.dtype);
  if (activation !== undefined && !LINEAR_ACTIVATIONS.includes(activation)) {
    throw new ArgumentError(
      `linear: activation must be one of ${LINEAR_ACTIVATIONS.join(', ')}, got '${String(activation)}'; apply other activations after linear`,
    );
  }
  if (weight.ndim !== 2) throw new ShapeError(`linear: the weight must be 2-d [out, in], got ${fmt(weight.shape)}`);
  const [out, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${fmt(x.shape)} does not end in ${inF}, the in-features of weight ${fmt(weight.shape)}`);
  }
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== out)) {
    throw new ShapeError(`linear: bias ${fmt(bias.shape)} must be [${out}] for weight ${fmt(weight.shape)}`);
  }
  if (weight.dtype !== x.dtype) weight = cast(weight, x.dtype);
  if (bias !== undefined && bias.dtype !== x.dtype) bias = cast(bias, x.dtype);
  const rows = sizeOf(x.shape.slice(0, -1));
  const x2 = x.ndim === 2 ? x : make(valuesOf(x), [rows, inF]);
  let y = valuesOf(product(x2, weight, false, true)) as FloatArray;
  if (bias !== undefined) y = backend().biasActivation(activation ?? 'none', y, rows, out, valuesOf(bias) as FloatArray, 0);
  else if (activation !== undefined) y = backend().unary(activation, y);
  const result = make(y, [...x.shape.slice(0, -1), out]);
  const inputs = bias === undefined ? [x, weight] : [x, weight, bias];
  const def = activation === undefined ? LINEAR : LINEAR_ACT[activation];
  return recording(x, weight, bias) ? record(def, inputs, result) : result;
}
