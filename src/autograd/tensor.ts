import { ArgumentError, ShapeError } from '../errors.js';
import * as act from '../ops/activation.js';
import * as ew from '../ops/elementwise.js';
import * as idx from '../ops/indexing.js';
import * as ip from '../ops/inplace.js';
import { matmul } from '../ops/linalg.js';
import * as mv from '../ops/movement.js';
import * as red from '../ops/reduce.js';
import type { TensorLike } from '../ops/util.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { type NestedArray, formatTensor, nestedArray } from '../tensor/format.js';
import { type Shape, fmt, sizeOf, stridesOf } from '../tensor/shape.js';
import { Storage, isRowMajor } from '../tensor/storage.js';
import { type BackwardOptions, backward } from './backprop.js';
import { type Node, bindTensorClass } from './engine.js';
import { type GradHook, type HookHandle, registerHook, retainGrad, retainsGrad } from './hooks.js';
import { GRAD, exposeGrad, valuesOf } from './values.js';

export { valuesOf } from './values.js';

export type { NestedArray } from '../tensor/format.js';

/**
 * An n-dimensional array of float32, float64 or int32 values in row-major
 * order, with reverse-mode automatic differentiation.
 *
 * A tensor is a view of a {@link Storage} with a shape, strides and an offset,
 * so `transpose`, `permute`, `slice`, `narrow`, `expand`, `squeeze` and
 * `unsqueeze` copy nothing. Storage is freed by the garbage collector: there is
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
  /** The memory this tensor is a view of; possibly shared with other tensors (see {@link Storage}). */
  readonly storage: Storage;
  /** Dimensions, outermost first. */
  readonly shape: Shape;
  /** Elements to step in {@link storage} for one step along each axis (0 on an expanded axis). */
  readonly strides: readonly number[];
  /** Index in {@link storage} of the first element. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to (leaf) or through (result) this tensor. */
  requiresGrad: boolean;
  /** The gradient slot behind {@link grad}. */
  [GRAD]: Tensor | null = null;
  /** The op that produced this tensor, for backward; null for leaves. */
  node: Node | null = null;
  readonly #rowMajor: boolean;

  /**
   * Wraps `data` (without copying) as a row-major tensor of `shape`. With a
   * `layout`, the tensor is instead a strided view of a storage; views are
   * usually made by ops (`transpose`, `slice`, `expand`, ...), not by hand.
   * Prefer the creation functions (`tensor`, `zeros`, ...).
   */
  constructor(
    data: TypedArray | Storage,
    shape: Shape,
    requiresGrad = false,
    layout?: { readonly strides: readonly number[]; readonly offset: number },
  ) {
    this.storage = data instanceof Storage ? data : new Storage(data);
    this.shape = shape;
    this.size = sizeOf(shape);
    this.requiresGrad = requiresGrad;
    if (layout === undefined) {
      if (this.storage.length !== this.size) {
        throw new ShapeError(`Tensor: ${this.storage.length} values cannot have shape ${fmt(shape)} (${this.size} elements)`);
      }
      this.strides = stridesOf(shape);
      this.offset = 0;
      this.#rowMajor = true;
    } else {
      this.strides = layout.strides;
      this.offset = layout.offset;
      this.#rowMajor = isRowMajor(shape, layout.strides);
    }
  }

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * True when the elements lie in row-major order with no gaps in {@link storage}
   * (a transposed or expanded view is not contiguous; a slice of leading rows is).
   */
  isContiguous(): boolean {
    return this.#rowMajor;
  }

  /**
   * Accumulated gradient of a leaf after {@link backward} (and of a non-leaf
   * after {@link retainGrad}); null before. `optimizer.zeroGrad()` sets it to
   * null. A gradient you have read here keeps its values after that; one
   * nobody read may have its memory reused for the next gradient.
   */
  get grad(): Tensor | null {
    const g = this[GRAD];
    if (g !== null) exposeGrad(g);
    return g;
  }

  set grad(g: Tensor | null) {
    if (g !== null) exposeGrad(g);
    this[GRAD] = g;
  }

  /**
   * The values in row-major order, as a copy the caller owns, once the backend
   * has them. On today's CPU backends the promise is already settled; a backend
   * that computes asynchronously (a GPU) resolves it when the values are read
   * back, without blocking the thread.
   *
   * @example
   * ```ts
   * const values = await model.forward(x).data();
   * ```
   */
  async data(): Promise<TypedArray> {
    return valuesOf(this).slice();
  }

  /**
   * The values in row-major order, synchronously. For a contiguous tensor in
   * host memory this is the storage itself (no copy: do not write into it;
   * use {@link copy_} and the other in-place ops); for a view, or storage that
   * lives in a backend's memory, it is a copy the caller owns. A small array
   * may be a view into a buffer shared with other tensors: to transfer its
   * `buffer` to a worker, transfer a copy (`slice()`) or use {@link data}.
   */
  dataSync(): TypedArray {
    const v = valuesOf(this);
    return this.storage.device === 'host' || v.buffer !== this.storage.array.buffer ? v : v.slice();
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    return nestedArray(valuesOf(this), this.shape);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ArgumentError(`item: only one-element tensors can be converted to a number; this one has shape [${this.shape.join(', ')}]`);
    }
    return this.storage.array[this.offset]!;
  }

  /** PyTorch-style rendering, e.g. `tensor([[1.0000, 2.5000]])`. */
  toString(): string {
    return formatTensor(valuesOf(this), this.shape, this.dtype, this.requiresGrad ? 'requiresGrad=true' : '');
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
    return new Tensor(this.storage, this.shape, false, { strides: this.strides, offset: this.offset });
  }

  /** A contiguous copy with its own storage, cut from the graph. */
  clone(): Tensor {
    const d = valuesOf(this);
    return new Tensor(this.#rowMajor ? d.slice() : d, this.shape);
  }

  /** This tensor if it is contiguous, else a contiguous copy (differentiable). */
  contiguous(): Tensor {
    return mv.contiguous(this);
  }

  // In-place updates (not recorded; see ops/inplace).
  /** Copies `src` (broadcast, converted) into this tensor, through views. Returns this. */
  copy_(src: TensorLike): Tensor {
    return ip.copy_(this, src);
  }
  /** Sets every element to `value`. Returns this. */
  fill_(value: number): Tensor {
    return ip.fill_(this, value);
  }
  /** Sets every element to zero. Returns this. */
  zero_(): Tensor {
    return ip.zero_(this);
  }
  /** Multiplies by `factor` in place. Returns this. */
  mul_(factor: TensorLike): Tensor {
    return ip.mul_(this, factor);
  }
  /** Adds `alpha · other` in place. Returns this. */
  add_(other: TensorLike, alpha?: number): Tensor {
    return ip.add_(this, other, alpha);
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
