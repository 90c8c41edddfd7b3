/**
 * Poisson sampling, the batch sampling that the privacy analysis of DP-SGD assumes:
 * every batch takes each sample independently with probability q, so batch sizes vary
 * and a batch may be empty.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import type { BatchLoader, Source, XY } from '../train/data.js';
import type { RandomSource } from './noise.js';

/** Options of {@link PoissonLoader}. */
export interface PoissonLoaderOptions {
  /** The probability q that a sample is in a batch, in (0, 1]. */
  sampleRate: number;
  /** Batches per epoch (default round(1/q), so an epoch sees each sample once on average). */
  steps?: number;
  /** Where the coin flips come from. */
  random: RandomSource;
}

/**
 * Hands out batches drawn by Poisson sampling: each of the dataset's samples is in a
 * batch with probability `sampleRate`, independently of the others and of the other
 * batches. An empty batch is yielded as tensors with 0 rows (DP-SGD still takes a step
 * on it: noise only). Usable directly as `fit` data.
 */
export class PoissonLoader implements BatchLoader {
  /** The sampling probability q. */
  readonly sampleRate: number;
  /** Batches per epoch. */
  readonly steps: number;
  private readonly random: RandomSource;

  constructor(
    private readonly source: Source,
    options: PoissonLoaderOptions,
  ) {
    const q = options.sampleRate;
    if (!(q > 0 && q <= 1)) throw new ArgumentError(`PoissonLoader: sampleRate must be in (0, 1], got ${q}`);
    const steps = options.steps ?? Math.max(1, Math.round(1 / q));
    if (!(Number.isInteger(steps) && steps > 0)) throw new ArgumentError(`PoissonLoader: steps must be a positive integer, got ${steps}`);
    if (source.length === 0) throw new ArgumentError('PoissonLoader: the dataset is empty');
    this.sampleRate = q;
    this.steps = steps;
    this.random = options.random;
  }

  /** Batches per epoch (as `fit` reads it). */
  get length(): number {
    return this.steps;
  }

  /** The number of samples in the dataset. */
  get datasetSize(): number {
    return this.source.length;
  }

  /** The mean batch size, q·N: DP-SGD divides the noisy gradient sum by it. */
  get expectedBatchSize(): number {
    return this.sampleRate * this.source.length;
  }

  /** The sample indices of one Poisson-sampled batch. */
  sampleIndices(): Int32Array {
    const n = this.source.length;
    const q = this.sampleRate;
    const picked: number[] = [];
    if (q === 1) return Int32Array.from({ length: n }, (_, i) => i);
    // The gaps between the taken samples are geometric: the same law as one coin per sample,
    // with about q·N draws instead of N.
    const logMiss = Math.log1p(-q);
    for (let i = -1; ; ) {
      i += 1 + Math.floor(Math.log(1 - this.random.uniform()) / logMiss);
      if (i >= n) break;
      picked.push(i);
    }
    return Int32Array.from(picked);
  }

  /** One epoch of batches. */
  *[Symbol.iterator](): Iterator<XY> {
    for (let s = 0; s < this.steps; s++) yield this.batchOf(this.sampleIndices());
  }

  private batchOf(idx: Int32Array): XY {
    if (idx.length > 0) return this.source.batch(idx);
    // An empty batch keeps the shapes after the sample axis: take one row and drop it.
    const one = this.source.batch(Int32Array.of(0));
    return { x: empty(one.x), y: empty(one.y) };
  }
}

/** `t` with its first dimension narrowed to 0 rows. */
function empty(t: Tensor): Tensor {
  return t.narrow(0, 0, 0);
}

/**
 * Fixed-size batches over a fresh random permutation every epoch (the last one may be
 * shorter), for `makePrivate({ poisson: false })`. The RDP accountant assumes Poisson
 * sampling, so with this loader its ε is an approximation, as in Opacus.
 */
export class ShuffledLoader implements BatchLoader {
  /** The nominal sampling rate, batchSize/N. */
  readonly sampleRate: number;
  readonly batchSize: number;
  private readonly random: RandomSource;

  constructor(
    private readonly source: Source,
    options: { batchSize: number; random: RandomSource },
  ) {
    this.batchSize = options.batchSize;
    this.random = options.random;
    this.sampleRate = this.batchSize / source.length;
  }

  /** Batches per epoch. */
  get length(): number {
    return Math.ceil(this.source.length / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<XY> {
    const n = this.source.length;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random.uniform() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let s = 0; s < n; s += this.batchSize) yield this.source.batch(order.subarray(s, Math.min(n, s + this.batchSize)));
  }
}
