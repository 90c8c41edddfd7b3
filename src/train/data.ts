/**
 * The data `fit`, `evaluate` and `predict` accept: in-memory `{ x, y }` tensors, or any
 * dataset that can hand out a batch of samples by index.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { takeRows } from '../data/split.js';
import { ArgumentError, ShapeError } from '../errors.js';

/** Inputs and targets as two tensors whose first dimension is the sample. */
export interface XY {
  x: Tensor;
  y: Tensor;
}

/**
 * A dataset `fit` can draw batches from (a structural interface, so any data source that
 * fits works: for example a `TensorDataset` from `src/data`).
 */
export interface BatchDataset {
  /** The number of samples. */
  readonly length: number;
  /** The samples at `indices`, stacked along a new first dimension. */
  getBatch(indices: Int32Array): XY;
}

/**
 * Something that hands out whole batches, one epoch per iteration, and knows how many
 * batches an epoch has (for example a `DataLoader` from `src/data`). It decides batch
 * size and shuffling itself.
 */
export interface BatchLoader extends Iterable<XY> {
  /** Batches per epoch. */
  readonly length: number;
}

/** Anything `fit` and `evaluate` accept as data. */
export type TrainData = XY | BatchDataset | BatchLoader;

function isXY(d: TrainData): d is XY {
  return (d as XY).x instanceof Tensor && (d as XY).y instanceof Tensor;
}

/** Rows `idx` of a tensor, as a new tensor without gradient history. */
export function tensorRows(t: Tensor, idx: ArrayLike<number>): Tensor {
  const width = t.ndim === 0 ? 1 : t.size / t.shape[0]!;
  return new Tensor(takeRows(t.dataSync(), width, idx), [idx.length, ...t.shape.slice(1)]);
}

/** A uniform view of the data: a sample count and a batch getter. */
export interface Source {
  readonly length: number;
  batch(indices: Int32Array): XY;
}

/** Wraps `{ x, y }` or a dataset as a {@link Source}, checking that x and y agree. */
export function toSource(name: string, data: TrainData): Source {
  if (isXY(data)) {
    const { x, y } = data;
    if (x.ndim === 0 || y.ndim === 0) throw new ShapeError(`${name}: x and y need a sample dimension, got x [${x.shape.join(', ')}], y [${y.shape.join(', ')}]`);
    if (x.shape[0] !== y.shape[0]) {
      throw new ShapeError(
        `${name}: x has ${x.shape[0]} samples but y has ${y.shape[0]} (shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}])`,
      );
    }
    return { length: x.shape[0]!, batch: (idx) => ({ x: tensorRows(x, idx), y: tensorRows(y, idx) }) };
  }
  if (isDataset(data)) return { length: data.length, batch: (idx) => data.getBatch(idx) };
  throw new ArgumentError(`${name}: data must be { x, y } tensors or a dataset with length and getBatch(indices)`);
}

function isDataset(data: TrainData): data is BatchDataset {
  const d = data as Partial<BatchDataset>;
  return typeof d === 'object' && d !== null && typeof d.length === 'number' && typeof d.getBatch === 'function';
}

function isLoader(data: TrainData): data is BatchLoader {
  const d = data as Partial<BatchLoader>;
  return typeof d === 'object' && d !== null && typeof d.length === 'number' && typeof d[Symbol.iterator] === 'function';
}

/** Data as `fit` consumes it: samples it batches itself, or a loader that batches for it. */
export type Feed = { kind: 'indexed'; src: Source } | { kind: 'loader'; loader: BatchLoader };

/** Classifies and checks user data. */
export function toFeed(name: string, data: TrainData): Feed {
  if (!isXY(data) && !isDataset(data) && isLoader(data)) return { kind: 'loader', loader: data };
  return { kind: 'indexed', src: toSource(name, data) };
}

/** One epoch of batches: their number and the batches themselves. */
export function epochOf(feed: Feed, batchSize: number, shuffle: ((n: number) => Int32Array) | null): { count: number; batches: Iterable<XY> } {
  if (feed.kind === 'loader') return { count: feed.loader.length, batches: feed.loader };
  const { src } = feed;
  const n = src.length;
  const order = shuffle ? shuffle(n) : Int32Array.from({ length: n }, (_, i) => i);
  return {
    count: Math.ceil(n / batchSize),
    batches: (function* () {
      for (const idx of batches(order, batchSize)) yield src.batch(idx);
    })(),
  };
}

/** A source restricted to the samples at `indices`. */
export function subset(src: Source, indices: Int32Array): Source {
  return {
    length: indices.length,
    batch: (idx) => src.batch(Int32Array.from(idx, (i) => indices[i]!)),
  };
}

/** Index ranges of consecutive batches over `order`. */
export function* batches(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let s = 0; s < order.length; s += batchSize) yield order.subarray(s, Math.min(order.length, s + batchSize));
}

/** Checks a batch size option and clamps it to the data size (at least 1). */
export function resolveBatchSize(name: string, batchSize: number | undefined, n: number, fallback: number): number {
  const b = batchSize ?? fallback;
  if (!(Number.isInteger(b) && b > 0) && b !== Number.POSITIVE_INFINITY) {
    throw new ArgumentError(`${name}: batchSize must be a positive integer (or Infinity for full batch), got ${b}`);
  }
  return Math.max(1, Math.min(b, n));
}
