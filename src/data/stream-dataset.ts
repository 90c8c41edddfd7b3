/**
 * A dataset streamed from a CSV larger than memory: chunks of rows are read, encoded by a
 * fitted {@link TablePipeline} and cut into batches, so memory stays bounded by the chunk
 * size. Runs in browsers (from a Blob or a fetch body) and in Node (see `./node/csv-file.ts`).
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { Generator } from '../tensor/random.js';
import { type CsvOptions, streamCsv } from './csv.js';
import type { CsvInput } from './csv-source.js';
import type { Encoded, TablePipeline } from './pipeline.js';
import { takeRows } from './split.js';

/** A batch from a stream: targets are null when the CSV has no target column. */
export interface StreamBatch {
  /** Features, float32 `[batch, features]`. */
  x: Tensor;
  /** Class ids int32 `[batch]`, values float32 `[batch, 1]`, or null. */
  y: Tensor | null;
  /** The 1-based source row of each sample, for error reports and predictions. */
  rowNumbers: Int32Array;
}

/** Options of {@link CsvStreamDataset}. */
export interface CsvStreamDatasetOptions {
  /** A fitted pipeline, applied to every chunk. */
  pipeline: TablePipeline;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** CSV options; `types` defaults to the pipeline's training column types. */
  csv?: CsvOptions;
  /** Rows read and encoded at a time (default: about 10000, a multiple of `batchSize`). */
  chunkRows?: number;
  /** Shuffle rows within each chunk, seeded (default false). */
  shuffle?: boolean;
  /** Seed of the within-chunk shuffle. */
  seed?: number;
}

/**
 * Streams batches from a CSV, applying a fitted pipeline chunk by chunk. Each iteration
 * (epoch) calls `open` again to get a fresh stream.
 *
 * @example
 * ```ts
 * const ds = new CsvStreamDataset(() => file.stream(), { pipeline, batchSize: 256 });
 * for await (const { x, y } of ds) { ... }
 * ```
 */
export class CsvStreamDataset implements AsyncIterable<StreamBatch> {
  private readonly batchSize: number;
  private readonly chunkRows: number;
  private readonly generator: Generator;

  constructor(
    private readonly open: () => CsvInput,
    private readonly opts: CsvStreamDatasetOptions,
  ) {
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ArgumentError(`CsvStreamDataset: batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.chunkRows = opts.chunkRows ?? this.batchSize * Math.max(1, Math.round(10000 / this.batchSize));
    this.generator = new Generator(opts.seed ?? 0);
  }

  /** Iterates one pass over the file. */
  async *[Symbol.asyncIterator](): AsyncIterator<StreamBatch> {
    const pipe = this.opts.pipeline;
    const csv: CsvOptions = { types: pipe.columnTypes(), ...this.opts.csv, chunkRows: this.chunkRows };
    let carry: Encoded | null = null;
    for await (const chunk of streamCsv(this.open(), csv)) {
      let enc = pipe.transform(chunk);
      if (this.opts.shuffle) enc = reorder(enc, this.generator.permutation(enc.rows));
      if (carry !== null) enc = join(carry, enc);
      const whole = Math.floor(enc.rows / this.batchSize) * this.batchSize;
      for (let start = 0; start < whole; start += this.batchSize) yield batchOf(enc, start, start + this.batchSize);
      carry = whole < enc.rows ? slice(enc, whole, enc.rows) : null;
    }
    if (carry !== null) yield batchOf(carry, 0, carry.rows);
  }
}

function slice(e: Encoded, from: number, to: number): Encoded {
  return {
    x: e.x.slice(from * e.cols, to * e.cols),
    rows: to - from,
    cols: e.cols,
    y: e.y === null ? null : e.y.slice(from, to),
    rowNumbers: e.rowNumbers.slice(from, to),
  };
}

function reorder(e: Encoded, order: Int32Array): Encoded {
  return {
    x: takeRows(e.x, e.cols, order),
    rows: e.rows,
    cols: e.cols,
    y: e.y === null ? null : takeRows(e.y, 1, order),
    rowNumbers: takeRows(e.rowNumbers, 1, order),
  };
}

function join(a: Encoded, b: Encoded): Encoded {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const rowNumbers = new Int32Array(a.rows + b.rows);
  rowNumbers.set(a.rowNumbers);
  rowNumbers.set(b.rowNumbers, a.rows);
  let y: Int32Array | Float32Array | null = null;
  if (a.y !== null && b.y !== null) {
    y = a.y instanceof Int32Array ? new Int32Array(a.rows + b.rows) : new Float32Array(a.rows + b.rows);
    y.set(a.y);
    y.set(b.y, a.rows);
  }
  return { x, rows: a.rows + b.rows, cols: a.cols, y, rowNumbers };
}

function batchOf(e: Encoded, from: number, to: number): StreamBatch {
  const n = to - from;
  const x = tensor(e.x.subarray(from * e.cols, to * e.cols), { shape: [n, e.cols] });
  let y: Tensor | null = null;
  if (e.y instanceof Int32Array) y = tensor(e.y.slice(from, to), { shape: [n], dtype: 'int32' });
  else if (e.y !== null) y = tensor(e.y.slice(from, to), { shape: [n, 1] });
  return { x, y, rowNumbers: e.rowNumbers.slice(from, to) };
}
