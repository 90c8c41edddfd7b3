/**
 * Node only: CSV files by path. Uses `node:fs` streams and the native csv-parse build;
 * everything else is shared with the browser-safe readers in `../csv.ts`.
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse as parseNative } from 'csv-parse/sync';
import { type CsvOptions, type CsvParseFn, readCsv, streamCsv } from '../csv.js';
import { CsvStreamDataset, type CsvStreamDatasetOptions } from '../stream-dataset.js';
import type { Table } from '../table.js';
import { dataError } from '../where.js';

const nativeParser = parseNative as CsvParseFn;

/** Throws a located {@link DataError} when `path` is not a readable file. */
export async function checkFile(path: string, hint = 'Check the path'): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a file');
    return s.size;
  } catch {
    throw dataError({ file: path, what: 'the file does not exist or is not a regular file', fix: hint });
  }
}

function withDefaults(path: string, opts: CsvOptions): CsvOptions {
  return { source: path, parser: nativeParser, ...opts };
}

/** Reads a CSV file into one {@link Table}. See {@link readCsv} for the options. */
export async function readCsvFile(path: string, opts: CsvOptions = {}): Promise<Table> {
  await checkFile(path);
  return readCsv(createReadStream(path, { highWaterMark: 1 << 16 }), withDefaults(path, opts));
}

/**
 * Streams a CSV file as tables of `chunkRows` rows; memory stays bounded by the chunk
 * size, whatever the size of the file.
 */
export async function* streamCsvFile(path: string, opts: CsvOptions = {}): AsyncGenerator<Table> {
  await checkFile(path);
  yield* streamCsv(createReadStream(path, { highWaterMark: 1 << 16 }), withDefaults(path, opts));
}

/**
 * A {@link CsvStreamDataset} over a CSV file: each pass re-reads the file in chunks and
 * applies the fitted pipeline, so files larger than memory can be trained or predicted on.
 */
export function csvFileDataset(path: string, opts: CsvStreamDatasetOptions): CsvStreamDataset {
  return new CsvStreamDataset(() => createReadStream(path, { highWaterMark: 1 << 16 }), {
    ...opts,
    csv: withDefaults(path, opts.csv ?? {}),
  });
}
