/**
 * The table: named columns of raw values as read from a CSV, before any preprocessing.
 * Numeric columns hold a `Float64Array` (NaN marks a missing cell: literal NaN and
 * Infinity are rejected when reading), categorical columns hold strings (null marks a
 * missing cell). Every table remembers its source and the source row of each of its rows,
 * so later steps (a fitted pipeline applied chunk by chunk, for example) can still name
 * the file, row and column of a bad value.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { dataError, list } from './where.js';

/** How a column is read: as numbers, or as category labels. */
export type ColumnType = 'numeric' | 'categorical';

/** A column of numbers; NaN marks a missing value. */
export interface NumericColumn {
  /** Column name. */
  readonly name: string;
  /** Discriminant. */
  readonly type: 'numeric';
  /** One value per row; NaN where the cell was empty. */
  readonly values: Float64Array;
}

/** A column of category labels; null marks a missing value. */
export interface CategoricalColumn {
  /** Column name. */
  readonly name: string;
  /** Discriminant. */
  readonly type: 'categorical';
  /** One label per row; null where the cell was empty. */
  readonly values: readonly (string | null)[];
}

/** A column of a {@link Table}. */
export type Column = NumericColumn | CategoricalColumn;

/** Named columns of equal length, with the provenance of every row. */
export interface Table {
  /** File name or label (`<string>`, `<stream>`) used in error messages. */
  readonly source: string;
  /** The columns, in file order. */
  readonly columns: readonly Column[];
  /** Number of rows. */
  readonly rows: number;
  /** The 1-based source row of each table row (the header, if any, is row 1). */
  readonly rowNumbers: Int32Array;
  /** The target column's name, when one was chosen. */
  readonly target?: string | undefined;
}

/** Raw column contents accepted by {@link makeTable}: numbers or labels. */
export type RawColumn = ArrayLike<number> | readonly (string | null)[];

/**
 * Builds a table from plain columns, for data that does not come from a file.
 * Arrays of numbers become numeric columns, arrays of strings categorical ones.
 *
 * @example
 * ```ts
 * const t = makeTable({ size: [1, 2, 3], colour: ['red', 'blue', 'red'] }, { target: 'colour' });
 * ```
 */
export function makeTable(
  columns: Record<string, RawColumn>,
  opts: { source?: string; target?: string } = {},
): Table {
  const names = Object.keys(columns);
  if (names.length === 0) throw new ArgumentError('makeTable: give at least one column');
  const rows = columns[names[0]!]!.length;
  const cols: Column[] = names.map((name) => {
    const raw = columns[name]!;
    if (raw.length !== rows) {
      throw new ArgumentError(`makeTable: column "${name}" has ${raw.length} values, "${names[0]}" has ${rows}`);
    }
    if (rows > 0 && typeof raw[0] !== 'number' && !(raw instanceof Float64Array || raw instanceof Float32Array)) {
      return { name, type: 'categorical', values: Array.from(raw as ArrayLike<string | null>) };
    }
    return { name, type: 'numeric', values: Float64Array.from(raw as ArrayLike<number>) };
  });
  const rowNumbers = new Int32Array(rows);
  for (let i = 0; i < rows; i++) rowNumbers[i] = i + 1;
  const table: Table = { source: opts.source ?? '<table>', columns: cols, rows, rowNumbers, target: opts.target };
  if (opts.target !== undefined) getColumn(table, opts.target);
  return table;
}

/** The names of the columns, in order. */
export function columnNames(table: Table): string[] {
  return table.columns.map((c) => c.name);
}

/**
 * The column called `name`. A missing column is a {@link DataError} that lists the columns
 * that do exist (row 1 is the header row of the source).
 */
export function getColumn(table: Table, name: string, role = 'column'): Column {
  const col = table.columns.find((c) => c.name === name);
  if (col === undefined) {
    throw dataError({
      file: table.source,
      row: 1,
      column: name,
      what: `there is no ${role} "${name}"; the columns are: ${list(columnNames(table))}`,
      fix: 'Check the spelling and the delimiter, or pass one of the listed names',
      code: 'unknown-column',
    });
  }
  return col;
}

/** A new table with the rows `idx` (in that order). */
export function selectRows(table: Table, idx: ArrayLike<number>): Table {
  const n = idx.length;
  const rowNumbers = new Int32Array(n);
  for (let i = 0; i < n; i++) rowNumbers[i] = table.rowNumbers[idx[i]!]!;
  const columns = table.columns.map((c): Column => {
    if (c.type === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = c.values[idx[i]!]!;
      return { name: c.name, type: 'numeric', values: v };
    }
    const v: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) v[i] = c.values[idx[i]!]!;
    return { name: c.name, type: 'categorical', values: v };
  });
  return { source: table.source, columns, rows: n, rowNumbers, target: table.target };
}

/** A new table with only the named columns (in the order given). */
export function selectColumns(table: Table, names: readonly string[]): Table {
  const columns = names.map((n) => getColumn(table, n));
  const target = table.target !== undefined && names.includes(table.target) ? table.target : undefined;
  return { ...table, columns, target };
}

/** Stacks tables with the same columns (for example the chunks of a stream) into one. */
export function concatTables(parts: readonly Table[]): Table {
  const first = parts[0];
  if (first === undefined) throw new ArgumentError('concatTables: no tables given');
  const rows = parts.reduce((a, t) => a + t.rows, 0);
  const rowNumbers = new Int32Array(rows);
  let at = 0;
  for (const t of parts) {
    rowNumbers.set(t.rowNumbers, at);
    at += t.rows;
  }
  const columns = first.columns.map((c, j): Column => {
    if (c.type === 'numeric') {
      const v = new Float64Array(rows);
      let off = 0;
      for (const t of parts) {
        const p = t.columns[j];
        if (p?.type !== 'numeric' || p.name !== c.name) throw new ArgumentError(`concatTables: column ${j + 1} differs`);
        v.set(p.values, off);
        off += t.rows;
      }
      return { name: c.name, type: 'numeric', values: v };
    }
    const v: (string | null)[] = [];
    for (const t of parts) {
      const p = t.columns[j];
      if (p?.type !== 'categorical' || p.name !== c.name) throw new ArgumentError(`concatTables: column ${j + 1} differs`);
      for (const s of p.values) v.push(s);
    }
    return { name: c.name, type: 'categorical', values: v };
  });
  return { source: first.source, columns, rows, rowNumbers, target: first.target };
}

/** Whether row `i` of a column is missing (NaN in a numeric column, null in a categorical one). */
export function isMissingAt(col: Column, i: number): boolean {
  return col.type === 'numeric' ? Number.isNaN(col.values[i]!) : col.values[i] === null;
}

/** The number of missing cells of each named column, in the order given. */
export function missingCounts(table: Table, names: readonly string[]): number[] {
  return names.map((n) => {
    const col = getColumn(table, n);
    let k = 0;
    for (let i = 0; i < table.rows; i++) if (isMissingAt(col, i)) k++;
    return k;
  });
}

/** The indices of the rows that have a value in every named column. */
export function completeRows(table: Table, names: readonly string[]): Int32Array {
  const cols = names.map((n) => getColumn(table, n));
  const keep: number[] = [];
  for (let i = 0; i < table.rows; i++) if (!cols.some((c) => isMissingAt(c, i))) keep.push(i);
  return Int32Array.from(keep);
}
