import { ArgumentError } from '../errors.js';
import * as act from '../ops/activation.js';
import * as ew from '../ops/elementwise.js';
import * as idx from '../ops/indexing.js';
import { matmul } from '../ops/linalg.js';
import * as mv from '../ops/movement.js';
import * as red from '../ops/reduce.js';
import type { TensorLike } from '../ops/util.js';
import { type DType, type TypedArray, dtypeOf } from '../tensor/dtype.js';
import { formatTensor } from '../tensor/format.js';
import type { Shape } from '../tensor/shape.js';
import { type BackwardOptions, backward } from './backprop.js';
import { type Node, bindTensorClass } from './engine.js';
import { type GradHook, type HookHandle, registerHook, retainGrad, retainsGrad } from './hooks.js';

/** Nested arrays of numbers, as returned by {@link Tensor.toArray}. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32, float64 or int32 values in row-major
 * order, with reverse-mode automatic differentiation.
 *
 * Storage is an ordinary typed array that the garbage collector frees: there is
 * nothing to dispose. Every op exists both as a function (`add(a, b)`) and as a
 * method (`a.add(b)`). Create tensors with `tensor`, `zeros`, `randn` and friends.
 *
 * @example
 * ```ts
 * const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = w.mul(w).sum();
 * loss.backward();
 * w.grad?.toArray(); // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  /** Row-major storage. Writing to it changes the tensor in place (as optimizers do). */
  readonly data: TypedArray;
  /** Dimensions, outermost first. */
  readonly shape: Shape;
  /** Whether gradients flow to (leaf) or through (result) this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after {@link backward}; null before. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, for backward; null for leaves. */
  node: Node | null = null;

  /** Wraps storage without copying. Prefer the creation functions (`tensor`, `zeros`, ...). */
  constructor(data: TypedArray, shape: Shape, requiresGrad = false) {
    this.data = data;
    this.shape = shape;
    this.requiresGrad = requiresGrad;
  }

  /** Element type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }
  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number, stride: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset]!;
      const n = this.shape[axis]!;
      const inner = stride / Math.max(n, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * inner, inner));
      return out;
    };
    return build(0, 0, this.size);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ArgumentError(`item: only one-element tensors can be converted to a number; this one has shape [${this.shape.join(', ')}]`);
    }
    return this.data[0]!;
  }

  /** PyTorch-style rendering, e.g. `tensor([[1.0000, 2.5000]])`. */
  toString(): string {
    return formatTensor(this.data, this.shape, this.dtype, this.requiresGrad ? 'requiresGrad=true' : '');
  }

  /**
   * Back-propagates from this tensor into the `.grad` of the leaves. The graph
   * is freed afterwards unless `{ retainGraph: true }`; `createGraph` makes the
   * gradients differentiable; `inputs` limits accumulation to those tensors.
   */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    backward(this, grad, opts);
  }

  /** The same values, cut from the graph (shares storage). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Converts to float32 (differentiable between float types). */
  float(): Tensor {
    return mv.cast(this, 'float32');
  }
  /** Converts to float64. */
  double(): Tensor {
    return mv.cast(this, 'float64');
  }
  /** Converts to int32, truncating toward zero. */
  int(): Tensor {
    return mv.cast(this, 'int32');
  }
  /** Converts to `dtype`. */
  astype(dtype: DType): Tensor {
    return mv.cast(this, dtype);
  }

  // Arithmetic
  add(other: TensorLike): Tensor {
    return ew.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ew.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ew.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ew.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ew.pow(this, exponent);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  sign(): Tensor {
    return ew.sign(this);
  }
  maximum(other: TensorLike): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ew.minimum(this, other);
  }
  clamp(min?: number, max?: number): Tensor {
    return ew.clamp(this, min, max);
  }
  /** `this` where `cond` is non-zero, else `other`. */
  where(cond: Tensor, other: TensorLike): Tensor {
    return ew.where(cond, this, other);
  }

  // Comparisons
  eq(other: TensorLike): Tensor {
    return ew.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ew.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ew.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return ew.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return ew.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ew.ge(this, other);
  }

  // Activations
  sigmoid(): Tensor {
    return act.sigmoid(this);
  }
  tanh(): Tensor {
    return act.tanh(this);
  }
  relu(): Tensor {
    return act.relu(this);
  }
  leakyRelu(negativeSlope?: number): Tensor {
    return act.leakyRelu(this, negativeSlope);
  }
  elu(alpha?: number): Tensor {
    return act.elu(this, alpha);
  }
  gelu(): Tensor {
    return act.gelu(this);
  }
  softplus(): Tensor {
    return act.softplus(this);
  }
  softmax(axis?: number): Tensor {
    return act.softmax(this, axis);
  }
  logSoftmax(axis?: number): Tensor {
    return act.logSoftmax(this, axis);
  }

  // Reductions
  sum(axis?: red.Axes, keepDims?: boolean): Tensor {
    return red.sum(this, axis, keepDims);
  }
  mean(axis?: red.Axes, keepDims?: boolean): Tensor {
    return red.mean(this, axis, keepDims);
  }
  max(axis?: red.Axes, keepDims?: boolean): Tensor {
    return red.max(this, axis, keepDims);
  }
  min(axis?: red.Axes, keepDims?: boolean): Tensor {
    return red.min(this, axis, keepDims);
  }
  argmax(axis?: number, keepDims?: boolean): Tensor {
    return red.argmax(this, axis, keepDims);
  }
  argmin(axis?: number, keepDims?: boolean): Tensor {
    return red.argmin(this, axis, keepDims);
  }
  logSumExp(axis?: red.Axes, keepDims?: boolean): Tensor {
    return red.logSumExp(this, axis, keepDims);
  }
  variance(axis?: red.Axes, keepDims?: boolean, correction?: number): Tensor {
    return red.variance(this, axis, keepDims, correction);
  }
  std(axis?: red.Axes, keepDims?: boolean, correction?: number): Tensor {
    return red.std(this, axis, keepDims, correction);
  }

  // Linear algebra
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // Movement
  reshape(shape: readonly number[]): Tensor {
    return mv.reshape(this, shape);
  }
  flatten(startAxis?: number, endAxis?: number): Tensor {
    return mv.flatten(this, startAxis, endAxis);
  }
  transpose(axis0?: number, axis1?: number): Tensor {
    return mv.transpose(this, axis0, axis1);
  }
  /** Shorthand for {@link transpose} of the last two axes. */
  get T(): Tensor {
    return mv.transpose(this);
  }
  permute(perm: readonly number[]): Tensor {
    return mv.permute(this, perm);
  }
  expand(shape: readonly number[]): Tensor {
    return mv.expand(this, shape);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return mv.broadcastTo(this, shape);
  }
  squeeze(axis?: number | readonly number[]): Tensor {
    return mv.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return mv.unsqueeze(this, axis);
  }
  slice(begin: readonly number[], end?: readonly number[]): Tensor {
    return mv.slice(this, begin, end);
  }
  narrow(axis: number, start: number, length: number): Tensor {
    return mv.narrow(this, axis, start, length);
  }
  pad(pads: readonly (readonly [number, number])[], value?: number): Tensor {
    return mv.pad(this, pads, value);
  }
  split(sizeOrSizes: number | readonly number[], axis?: number): Tensor[] {
    return mv.split(this, sizeOrSizes, axis);
  }
  gather(axis: number, index: Tensor): Tensor {
    return idx.gather(this, axis, index);
  }
  indexSelect(axis: number, indices: Tensor | readonly number[]): Tensor {
    return idx.indexSelect(this, axis, indices);
  }
  oneHot(numClasses: number): Tensor {
    return idx.oneHot(this, numClasses);
  }

  // Autograd hooks
  /**
   * Runs `fn` on this tensor's gradient whenever one is computed (by `backward`
   * or `grad`), before it reaches `.grad` or flows further back; a returned
   * tensor replaces the gradient. `remove()` on the handle unregisters it.
   *
   * @example
   * ```ts
   * const h = x.registerHook((g) => g.mul(2)); // doubles every gradient of x
   * h.remove();
   * ```
   */
  registerHook(fn: GradHook): HookHandle {
    return registerHook(this, fn);
  }
  /** Keeps this non-leaf tensor's gradient in `.grad` after `backward` (leaves always keep theirs). */
  retainGrad(): void {
    retainGrad(this);
  }
  /** True for a tensor no recorded op produced (a leaf of the graph). */
  get isLeaf(): boolean {
    return this.node === null;
  }
  /** True for a non-leaf on which {@link retainGrad} was called. */
  get retainsGrad(): boolean {
    return retainsGrad(this);
  }
}

bindTensorClass(Tensor);
