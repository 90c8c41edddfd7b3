/**
 * In-memory datasets and batching: {@link TensorDataset} (samples along the first dimension
 * of two tensors) and {@link DataLoader} (batches with a batch size, seeded shuffling and
 * drop-last), plus conversions from the generators and the table pipeline to tensors.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { TypedArray } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import type { ClassificationSet, RegressionSet } from './generators.js';
import type { Encoded } from './pipeline.js';
import { takeRows } from './split.js';

/** A batch of inputs and targets. Matches the `{ x, y }` that `fit` accepts. */
export interface Batch {
  /** Inputs, `[batch, ...features]`. */
  x: Tensor;
  /** Targets, `[batch, ...]`. */
  y: Tensor;
}

/** Anything a {@link DataLoader} can batch: a length and a batch getter. */
export interface IndexedDataset {
  /** Number of samples. */
  readonly length: number;
  /** The samples at `indices`, stacked along a new first dimension. */
  getBatch(indices: Int32Array): Batch;
}

function rowsOf(t: Tensor, idx: ArrayLike<number>): Tensor {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data: TypedArray = takeRows(t.dataSync(), width, idx);
  return tensor(data, { shape: [idx.length, ...t.shape.slice(1)], dtype: t.dtype });
}

/**
 * Samples held in memory as two tensors whose first dimensions agree. It has the
 * `length` / `getBatch` shape that `fit` accepts directly.
 *
 * @example
 * ```ts
 * const ds = new TensorDataset(x, y);
 * for (const { x, y } of new DataLoader(ds, { batchSize: 32, shuffle: true, seed: 1 })) { ... }
 * ```
 */
export class TensorDataset implements IndexedDataset {
  /** Number of samples. */
  readonly length: number;

  constructor(
    /** Inputs, `[n, ...]`. */
    readonly x: Tensor,
    /** Targets, `[n, ...]`. */
    readonly y: Tensor,
  ) {
    if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
      throw new ShapeError(`TensorDataset: x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}] must have the same first dimension`);
    }
    this.length = x.shape[0]!;
  }

  /** The samples at `indices`, as new tensors. */
  getBatch(indices: Int32Array): Batch {
    for (const i of indices) {
      if (!(i >= 0 && i < this.length)) throw new ArgumentError(`TensorDataset: index ${i} is out of range [0, ${this.length})`);
    }
    return { x: rowsOf(this.x, indices), y: rowsOf(this.y, indices) };
  }

  /** One sample, with the sample dimension kept (`[1, ...]`). */
  get(i: number): Batch {
    return this.getBatch(Int32Array.of(i));
  }
}

/**
 * `{ x, y }` tensors from a generated set or a pipeline's output: x is float32
 * `[n, features]`; y is int32 `[n]` class ids, or float32 `[n, 1]` for regression.
 */
export function toTensors(set: ClassificationSet | RegressionSet | Encoded): Batch {
  const n = 'n' in set ? set.n : set.rows;
  const d = 'features' in set ? set.features : set.cols;
  const x = tensor(set.x, { shape: [n, d] });
  if (set.y === null) throw new ArgumentError('toTensors: the data has no target (was the target column in the table?)');
  const y = set.y instanceof Int32Array ? tensor(set.y, { shape: [n], dtype: 'int32' }) : tensor(set.y, { shape: [n, 1] });
  return { x, y };
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Reshuffle the samples at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffling; the same seed gives the same batches, epoch after epoch. */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * Batches a dataset. Each iteration is one epoch; with `shuffle`, every epoch draws a new
 * permutation from one seeded generator, so a run is reproducible from its seed.
 */
export class DataLoader implements Iterable<Batch> {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether every epoch is shuffled. */
  readonly shuffle: boolean;
  /** Whether a short last batch is dropped. */
  readonly dropLast: boolean;
  private readonly generator: Generator;

  constructor(
    /** The samples. */
    readonly dataset: IndexedDataset,
    opts: DataLoaderOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = new Generator(opts.seed ?? 0);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of each batch of the next epoch. */
  *indexBatches(): IterableIterator<Int32Array> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const batches = this.length;
    for (let b = 0; b < batches; b++) yield order.slice(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
  }

  /** Iterates one epoch of batches. */
  *[Symbol.iterator](): Iterator<Batch> {
    for (const idx of this.indexBatches()) yield this.dataset.getBatch(idx);
  }
}
