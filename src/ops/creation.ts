import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { type DType, type TypedArray, allocate, castArray, dtypeOf, parseDType } from '../tensor/dtype.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { checkShape, fmt, sizeOf } from '../tensor/shape.js';
import { zeroStorageLike } from '../tensor/storage.js';

/** Nested arrays of numbers (any depth), as accepted by {@link tensor}. */
export type NestedNumbers = number | readonly NestedNumbers[];

/** Options shared by the creation functions. */
export interface CreateOptions {
  /** Element type (default float32; int32 for Int32Array input and randint). */
  dtype?: DType;
  /** Track gradients for this leaf. */
  requiresGrad?: boolean;
}

/** Options of {@link tensor}. */
export interface TensorOptions extends CreateOptions {
  /** Shape for flat input (a typed array or flat list); inferred from nesting otherwise. */
  shape?: readonly number[];
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** Source of randomness; the global seeded generator ({@link manualSeed}) by default. */
  generator?: Generator;
}

function inferShape(value: NestedNumbers): number[] {
  const shape: number[] = [];
  let v: NestedNumbers = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = (v as readonly NestedNumbers[])[0]!;
  }
  return shape;
}

function flattenInto(value: NestedNumbers, shape: readonly number[], axis: number, out: number[]): void {
  if (axis === shape.length) {
    if (typeof value !== 'number') {
      throw new ShapeError(`tensor: ragged nested array: expected a number at depth ${axis}, found an array`);
    }
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[axis]) {
    const got = Array.isArray(value) ? `length ${value.length}` : 'a number';
    throw new ShapeError(`tensor: ragged nested array: expected length ${shape[axis]} at depth ${axis}, found ${got}`);
  }
  for (const v of value as readonly NestedNumbers[]) flattenInto(v, shape, axis + 1, out);
}

function isTypedArray(v: unknown): v is TypedArray {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array;
}

function leaf(data: TypedArray, shape: readonly number[], opts?: CreateOptions): Tensor {
  const dtype = opts?.dtype === undefined ? dtypeOf(data) : parseDType(opts.dtype);
  if (opts?.requiresGrad === true && dtype === 'int32') {
    throw new DTypeError('only float tensors can require gradients; create it with dtype float32 or float64');
  }
  return new Tensor(castArray(data, dtype), shape, opts?.requiresGrad ?? false);
}

/**
 * Creates a tensor from nested arrays, a flat list or a typed array.
 * A typed array of the requested dtype is used without copying.
 *
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);                       // float32, shape [2, 2]
 * tensor(new Float32Array(6), { shape: [2, 3] });
 * tensor([0, 2, 1], { dtype: 'int32' });          // class labels
 * ```
 */
export function tensor(value: NestedNumbers | TypedArray, opts: TensorOptions = {}): Tensor {
  let data: TypedArray;
  let shape: number[];
  if (isTypedArray(value)) {
    data = value;
    shape = opts.shape === undefined ? [value.length] : checkShape('tensor', opts.shape);
  } else {
    const inferred = inferShape(value);
    const flat: number[] = [];
    flattenInto(value, inferred, 0, flat);
    // Integers beyond 2^24 survive only through float64, so build int32 from it too.
    data = opts.dtype === undefined || opts.dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
    shape = opts.shape === undefined ? inferred : checkShape('tensor', opts.shape);
  }
  if (sizeOf(shape) !== data.length) {
    throw new ShapeError(`tensor: ${data.length} values do not fit shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
  }
  return leaf(data, shape, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  const s = checkShape('full', shape);
  const data = allocate(opts.dtype ?? 'float32', sizeOf(s));
  if (value !== 0) data.fill(value);
  return leaf(data, s, opts);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/**
 * Zeros with the shape and dtype of `t`, where `t` lives: in the backend's
 * memory when `t` is resident there (a parameter), else in host memory.
 */
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype === undefined ? t.dtype : parseDType(opts.dtype);
  if (opts.requiresGrad === true && dtype === 'int32') {
    throw new DTypeError('only float tensors can require gradients; create it with dtype float32 or float64');
  }
  return new Tensor(zeroStorageLike(t.storage, dtype, t.size), [...t.shape], opts.requiresGrad ?? false);
}

/** Ones with the shape and dtype of `t`, where `t` lives (see {@link zerosLike}). */
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  const out = zerosLike(t, { ...opts, requiresGrad: false });
  out.storage.array.fill(1);
  return opts.requiresGrad === true ? new Tensor(out.storage, out.shape, true) : out;
}

/** Values from `start` up to (not including) `stop` by `step`; `arange(n)` counts 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(step) || step === 0) {
    throw new ArgumentError(`arange: start, stop and step must be finite and step non-zero, got (${a}, ${b}, ${step})`);
  }
  const n = Math.max(0, Math.ceil((b - a) / step));
  const data = allocate(opts.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = a + i * step;
  return leaf(data, [n], opts);
}

/** `num` evenly spaced values from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, num: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ArgumentError(`linspace: num must be a non-negative integer, got ${num}`);
  const data = allocate(opts.dtype ?? 'float32', num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = i === num - 1 && num > 1 ? stop : start + i * step;
  return leaf(data, [num], opts);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  const s = checkShape('eye', [n, m]);
  const data = allocate(opts.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return leaf(data, s, opts);
}

function randomFill(op: string, shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  const s = checkShape(op, shape);
  const dtype = opts.dtype ?? 'float32';
  if (dtype === 'int32') throw new ArgumentError(`${op}: dtype must be float32 or float64; use randint for integers`);
  const g = opts.generator ?? getDefaultGenerator();
  const data = allocate(dtype, sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return leaf(data, s, opts);
}

/** Uniform values in [0, 1), from a seeded generator. */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomFill('rand', shape, opts, (g) => g.nextFloat());
}

/** Standard normal values, from a seeded generator. */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomFill('randn', shape, opts, (g) => g.nextNormal());
}

/** Uniform int32 values in [low, high), from a seeded generator. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high)) {
    throw new ArgumentError(`randint: low and high must be integers, got ${low} and ${high}`);
  }
  const s = checkShape('randint', shape);
  const g = opts.generator ?? getDefaultGenerator();
  const data = new Int32Array(sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = g.nextInt(low, high);
  return leaf(data, s, { ...opts, dtype: opts.dtype ?? 'int32' });
}
