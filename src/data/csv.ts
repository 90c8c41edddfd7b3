/**
 * Reading CSV into {@link Table}s: from a string, a `Blob`, a web `ReadableStream` or any
 * async iterable of chunks, in the browser and in Node (file paths: `./node/csv-file.ts`).
 * Parsing is done by `csv-parse`; this module adds header detection, column selection, a
 * target column, type inference with overrides, streaming in chunks of rows, and located
 * {@link DataError}s for bad data.
 * @module
 */
import { CsvError, parse as parseBrowser } from 'csv-parse/browser/esm/sync';
import { ArgumentError } from '../errors.js';
import { cellKind, DEFAULT_MISSING, parseNumberCell } from './cells.js';
import { type CsvInput, countLines, recordWindows, type TextWindow, textChunks } from './csv-source.js';
import { type Column, type ColumnType, concatTables, type Table } from './table.js';
import { dataError, list, type Problem, show } from './where.js';

/** The options this module passes to a csv-parse `parse` function. */
export interface CsvParseOptions {
  /** Field delimiter. */
  delimiter: string;
  /** Quote character. */
  quote: string;
  /** Rows of any width are passed on (the width is checked here, with a located error). */
  relax_column_count: boolean;
  /** Blank lines are not records. */
  skip_empty_lines: boolean;
  /** Spaces around fields are dropped. */
  trim: boolean;
  /** Receives every record; returning null keeps csv-parse from collecting them. */
  on_record?: (record: string[], context: { lines: number }) => null;
}

/** A csv-parse compatible synchronous parse function. */
export type CsvParseFn = (text: string, options: CsvParseOptions) => unknown;

/** Options of {@link readCsv}, {@link streamCsv} and {@link parseCsv}. */
export interface CsvOptions {
  /** Name used in error messages (a file path, for example). Default `<string>` or `<stream>`. */
  source?: string;
  /** Field delimiter (default `,`). */
  delimiter?: string;
  /** Quote character (default `"`). */
  quote?: string;
  /** Whether the first row holds column names; `'auto'` guesses (the default, or `false` when `names` is given). */
  header?: boolean | 'auto';
  /** Column names for a file without a header (default `column1`, `column2`, ...). */
  names?: readonly string[];
  /** Keep only these columns, by name (the target is always kept). */
  columns?: readonly string[];
  /** The target column; it must exist. */
  target?: string;
  /** Column types that override inference, by column name. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Cell values that mean "missing" (default: empty, NA, N/A, null, NULL). */
  missingValues?: readonly string[];
  /** Number of rows used to detect the header and infer column types (default 10000). */
  inferRows?: number;
  /** Rows per table yielded by {@link streamCsv} (default 10000). */
  chunkRows?: number;
  /** Read at most this many data rows (for example a sample to fit a pipeline on); the rest is not read. */
  maxRows?: number;
  /** The csv-parse build to use; the Node entry passes the native one, which is faster. */
  parser?: CsvParseFn;
}

interface Layout {
  names: string[]; // every column of the file
  width: number;
  keep: number[]; // file positions of the kept columns
  types: ColumnType[]; // per kept column
}

/** Classifies a column from sample values: numeric when most non-missing cells look numeric. */
function inferType(samples: readonly string[][], j: number, missing: ReadonlySet<string>): ColumnType {
  let numeric = 0;
  let other = 0;
  for (const rec of samples) {
    const kind = cellKind(rec[j] ?? '', missing);
    if (kind === 'number' || kind === 'not-finite') numeric++;
    else if (kind === 'text') other++;
  }
  return numeric >= other ? 'numeric' : 'categorical';
}

function looksLikeHeader(recs: readonly string[][], missing: ReadonlySet<string>): boolean {
  const first = recs[0]!;
  if (first.some((f) => cellKind(f, missing) !== 'text')) return false;
  const rest = recs.slice(1);
  if (rest.length === 0) return true;
  return first.some((f, j) => inferType(rest, j, missing) === 'numeric' || !rest.some((r) => r[j] === f));
}

/** Builds a {@link Table} from records, one chunk at a time. */
class TableReader {
  readonly ready: Table[] = [];
  private readonly missing: ReadonlySet<string>;
  private readonly inferRows: number;
  private readonly chunkRows: number;
  private layout: Layout | null = null;
  private pending: string[][] = [];
  private pendingRows: number[] = [];
  private cols: (Float64Array | (string | null)[])[] = [];
  private rowNumbers = new Int32Array(0);
  private count = 0;
  private taken = 0;
  private headerRow = false;
  private readonly maxRows: number;

  constructor(private readonly opts: CsvOptions, private readonly source: string) {
    this.missing = new Set(opts.missingValues ?? DEFAULT_MISSING);
    this.inferRows = Math.max(2, opts.inferRows ?? 10000);
    this.chunkRows = Math.max(1, opts.chunkRows ?? 10000);
    this.maxRows = opts.maxRows ?? Number.POSITIVE_INFINITY;
    if (!(this.maxRows >= 1)) throw new ArgumentError(`CSV: maxRows must be at least 1, got ${opts.maxRows}`);
  }

  /** Whether `maxRows` data rows have been taken. */
  get full(): boolean {
    return this.taken >= this.maxRows;
  }

  /**
   * Parses one window of complete records. Fast path: a window without quotes or blank
   * lines has one record per line, so line numbers follow from record positions; that is
   * confirmed by counting, and otherwise csv-parse reports each record's line.
   */
  window(w: TextWindow): void {
    const parse = this.opts.parser ?? (parseBrowser as CsvParseFn);
    const base = {
      delimiter: this.opts.delimiter ?? ',',
      quote: this.opts.quote ?? '"',
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    };
    const text = w.text;
    try {
      const c = text.charCodeAt(0);
      const plain = c !== 10 && c !== 13 && text.indexOf(base.quote) === -1 && text.indexOf('\n\n') === -1 && text.indexOf('\n\r\n') === -1;
      if (plain) {
        const records = parse(text, base);
        const lines = countLines(text) + (text.endsWith('\n') ? 0 : 1);
        if (Array.isArray(records) && records.length === lines) {
          for (let k = 0; k < lines; k++) this.add(records[k] as string[], w.linesBefore + k + 1);
          return;
        }
      }
      parse(text, {
        ...base,
        on_record: (record, ctx) => {
          this.add(record, w.linesBefore + ctx.lines);
          return null;
        },
      });
    } catch (e) {
      // csv-parse's errors carry a code and the line; the native and browser builds have their own classes.
      if (!(e instanceof CsvError) && !(e instanceof Error && 'code' in e && 'lines' in e)) throw e;
      const lines = 'lines' in e && typeof e.lines === 'number' ? e.lines : 0;
      const field = 'column' in e && typeof e.column === 'number' ? e.column : null;
      const where: Problem = {
        file: this.source,
        row: w.linesBefore + Math.max(1, lines),
        what: `the CSV cannot be parsed (${e.message})`,
        fix: 'Check the quotes and the delimiter around this row',
        code: 'malformed-csv',
      };
      // Before the header is settled, the first buffered record is the likely header.
      const header = this.layout?.names ?? (this.opts.header === false ? undefined : this.pending[0]);
      if (field !== null) where.column = header?.[field] ?? String(field + 1);
      throw dataError(where);
    }
  }

  private add(record: string[], row: number): void {
    if (this.layout === null) {
      this.pending.push(record);
      this.pendingRows.push(row);
      if (this.pending.length >= Math.min(this.inferRows, this.maxRows + 1)) this.settle();
      return;
    }
    if (!this.full) this.put(record, row);
  }

  /** Decides header, names, kept columns and types from the buffered records. */
  private settle(): void {
    const recs = this.pending;
    const o = this.opts;
    if (recs.length === 0) {
      throw dataError({ file: this.source, row: 1, column: '(none)', what: 'the file is empty', fix: 'Give a CSV with a header row and at least one data row' });
    }
    const mode = o.header ?? (o.names ? false : 'auto');
    const header = mode === 'auto' ? looksLikeHeader(recs, this.missing) : mode;
    this.headerRow = header;
    const first = recs[0]!;
    let names: string[];
    if (header) names = first.map((f, j) => (f === '' ? `column${j + 1}` : f));
    else names = o.names ? [...o.names] : first.map((_, j) => `column${j + 1}`);
    const dup = names.find((n, j) => names.indexOf(n) !== j);
    if (dup !== undefined) {
      throw dataError({ file: this.source, row: 1, column: dup, what: `the column name "${dup}" appears twice`, fix: 'Rename one of the columns' });
    }
    const missingName = (n: string, role: string) =>
      dataError({
        file: this.source,
        row: 1,
        column: n,
        what: `there is no ${role} "${n}"; the columns are: ${list(names)}`,
        fix: 'Check the spelling and the delimiter, or pass one of the listed names',
        code: 'unknown-column',
      });
    if (o.target !== undefined && !names.includes(o.target)) throw missingName(o.target, 'target column');
    for (const n of o.columns ?? []) if (!names.includes(n)) throw missingName(n, 'column');
    for (const n of Object.keys(o.types ?? {})) if (!names.includes(n)) throw missingName(n, 'column');
    const wanted = o.columns ? [...o.columns] : [...names];
    if (o.target !== undefined && !wanted.includes(o.target)) wanted.push(o.target);
    const keep = wanted.map((n) => names.indexOf(n));
    const data = header ? recs.slice(1) : recs;
    const types = keep.map((j) => o.types?.[names[j]!] ?? inferType(data, j, this.missing));
    this.layout = { names, width: names.length, keep, types };
    this.fresh();
    const rows = this.pendingRows;
    this.pending = [];
    this.pendingRows = [];
    for (let i = header ? 1 : 0; i < recs.length && !this.full; i++) this.put(recs[i]!, rows[i]!);
  }

  private fresh(): void {
    const n = this.chunkRows;
    this.cols = this.layout!.types.map((t) => (t === 'numeric' ? new Float64Array(n) : new Array<string | null>(n)));
    this.rowNumbers = new Int32Array(n);
    this.count = 0;
  }

  private put(record: string[], row: number): void {
    const { names, width, keep, types } = this.layout!;
    if (record.length !== width) {
      const more = record.length > width;
      throw dataError({
        file: this.source,
        row,
        column: more ? String(width + 1) : names[record.length]!,
        what: `the row has ${record.length} fields but the ${this.headerRow ? 'header has' : 'first row has'} ${width}${more ? ` (the last column is "${names[width - 1]}")` : ''}`,
        fix: more
          ? 'Remove the extra fields, quote fields that contain the delimiter, or check the delimiter option'
          : 'Add the missing fields (leave a cell empty for a missing value)',
        ...(more ? { code: 'extra-fields' as const } : {}),
      });
    }
    const i = this.count;
    for (let k = 0; k < keep.length; k++) {
      const s = record[keep[k]!]!;
      const col = this.cols[k]!;
      if (types[k] === 'numeric') {
        const v = parseNumberCell(s, this.missing);
        if (typeof v !== 'number') throw this.badNumber(s, v, row, names[keep[k]!]!);
        (col as Float64Array)[i] = v;
      } else {
        (col as (string | null)[])[i] = this.missing.has(s) ? null : s;
      }
    }
    this.rowNumbers[i] = row;
    this.count = i + 1;
    this.taken++;
    if (this.count === this.chunkRows) this.emit();
  }

  private badNumber(s: string, kind: string, row: number, column: string): Error {
    if (kind === 'not-finite') {
      return dataError({
        file: this.source,
        row,
        column,
        what: `value ${show(s)} is not a finite number`,
        fix: 'Replace it with a real number, or leave the cell empty and configure an imputer',
        code: 'not-finite',
      });
    }
    return dataError({
      file: this.source,
      row,
      column,
      what: `value ${show(s)} is not a number, but the column is numeric`,
      fix: `Correct the value, add it to missingValues if it means "missing", or read the column as categorical with { types: { ${JSON.stringify(column)}: 'categorical' } }`,
      code: 'not-a-number',
    });
  }

  private emit(): void {
    const { names, keep, types } = this.layout!;
    const n = this.count;
    const columns = keep.map((j, k): Column => {
      const col = this.cols[k]!;
      const name = names[j]!;
      // A full chunk hands its buffers over (fresh ones are made below); a last, short one is cut.
      const full = n === this.chunkRows;
      return types[k] === 'numeric'
        ? { name, type: 'numeric', values: full ? (col as Float64Array) : (col as Float64Array).slice(0, n) }
        : { name, type: 'categorical', values: full ? (col as (string | null)[]) : (col as (string | null)[]).slice(0, n) };
    });
    const rowNumbers = n === this.chunkRows ? this.rowNumbers : this.rowNumbers.slice(0, n);
    this.ready.push({ source: this.source, columns, rows: n, rowNumbers, target: this.opts.target });
    this.fresh();
  }

  /** Flushes the last rows; reports an empty file or a header without data. */
  finish(): void {
    if (this.layout === null) this.settle();
    if (this.count > 0) this.emit();
  }

  /** Throws if no data row was read at all. */
  checkNotEmpty(totalRows: number): void {
    if (totalRows > 0) return;
    throw dataError({
      file: this.source,
      row: 2,
      column: this.layout ? this.layout.names[0]! : '(none)',
      what: `the file has a header row (${list(this.layout?.names ?? [])}) but no data rows`,
      fix: 'Add data rows below the header, or check that the right file was given',
    });
  }
}

function checkOptions(opts: CsvOptions): void {
  const d = opts.delimiter ?? ',';
  if (d.length === 0 || d === '\n' || d === '"') throw new ArgumentError(`CSV: invalid delimiter ${JSON.stringify(d)}`);
}

/**
 * Streams a CSV as tables of up to `chunkRows` rows each. The header and the column types
 * are settled from the first `inferRows` rows; a later cell that does not fit its column's
 * type is a located {@link DataError}. Memory stays bounded by the chunk size.
 *
 * @example
 * ```ts
 * for await (const chunk of streamCsv(file.stream(), { target: 'price' })) pipeline.transform(chunk);
 * ```
 */
export async function* streamCsv(input: CsvInput, opts: CsvOptions = {}): AsyncGenerator<Table> {
  checkOptions(opts);
  const reader = new TableReader(opts, opts.source ?? (typeof input === 'string' ? '<string>' : '<stream>'));
  let total = 0;
  for await (const w of recordWindows(textChunks(input), opts.quote ?? '"')) {
    reader.window(w);
    for (const t of reader.ready.splice(0)) {
      total += t.rows;
      yield t;
    }
    if (reader.full) break; // leaving the loop closes the input
  }
  reader.finish();
  for (const t of reader.ready.splice(0)) {
    total += t.rows;
    yield t;
  }
  reader.checkNotEmpty(total);
}

/** Reads a whole CSV (string, Blob, stream) into one {@link Table}. */
export async function readCsv(input: CsvInput, opts: CsvOptions = {}): Promise<Table> {
  const parts: Table[] = [];
  for await (const t of streamCsv(input, opts)) parts.push(t);
  return parts.length === 1 ? parts[0]! : concatTables(parts);
}

/** Reads CSV text synchronously into one {@link Table}. */
export function parseCsv(text: string, opts: CsvOptions = {}): Table {
  checkOptions(opts);
  const reader = new TableReader(opts, opts.source ?? '<string>');
  reader.window({ text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, linesBefore: 0 });
  reader.finish();
  const parts = reader.ready;
  reader.checkNotEmpty(parts.reduce((a, t) => a + t.rows, 0));
  return parts.length === 1 ? parts[0]! : concatTables(parts);
}
