/**
 * The plain 2-D inputs and outputs of the preprocessing steps, and how their errors name
 * the file, row and column of a bad value.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { dataError } from './where.js';

/** A row-major 2-D array of numbers. A `Tensor` of rank 2 fits this shape too. */
export interface MatrixLike {
  /** `shape[0] * shape[1]` values, row-major. */
  readonly data: ArrayLike<number>;
  /** `[rows, cols]`. */
  readonly shape: readonly number[];
}

/** A row-major float64 matrix, the output of the scalers and encoders. */
export interface Matrix {
  /** `rows * cols` values, row-major. */
  data: Float64Array;
  /** `[rows, cols]`. */
  shape: [number, number];
}

/** Where the rows and columns of a matrix came from, for error messages. */
export interface Locator {
  /** File name or label. */
  file?: string;
  /** The 1-based source row of each matrix row (default: the row index + 1). */
  rowNumbers?: ArrayLike<number>;
  /** The name of each column (default: its 1-based position). */
  columns?: readonly string[];
}

/** Converts nested arrays or a `{ data, shape }` object to a float64 {@link Matrix}. */
export function toMatrix(x: MatrixLike | readonly (readonly number[])[], op: string): Matrix {
  if (Array.isArray(x)) {
    const rows = x as readonly (readonly number[])[];
    const cols = rows[0]?.length ?? 0;
    const data = new Float64Array(rows.length * cols);
    rows.forEach((r, i) => {
      if (r.length !== cols) throw new ArgumentError(`${op}: row ${i} has ${r.length} values, row 0 has ${cols}`);
      data.set(r, i * cols);
    });
    return { data, shape: [rows.length, cols] };
  }
  const m = x as MatrixLike;
  if (m.shape.length !== 2) throw new ArgumentError(`${op}: expected a 2-D input [rows, cols], got shape [${m.shape.join(', ')}]`);
  const [r = 0, c = 0] = m.shape;
  if (m.data.length !== r * c) throw new ArgumentError(`${op}: data has ${m.data.length} values for shape [${r}, ${c}]`);
  return { data: Float64Array.from(m.data), shape: [r, c] };
}

/** The source row and column name of cell (i, j). */
export function locate(where: Locator | undefined, i: number, j: number): { file: string; row: number; column: string } {
  return {
    file: where?.file ?? '<data>',
    row: where?.rowNumbers?.[i] ?? i + 1,
    column: where?.columns?.[j] ?? String(j + 1),
  };
}

/** The error for a missing value where no imputer is configured. */
export function missingValueError(where: Locator | undefined, i: number, j: number, step: string): Error {
  return dataError({
    ...locate(where, i, j),
    what: `the value is missing and no imputer is configured (in ${step})`,
    fix: "Fill in the value, remove the row, or configure an imputer (for example { impute: { numeric: 'mean' } })",
    code: 'missing-value',
  });
}

/** Checks that a fitted step is given as many columns as it was fitted on. */
export function checkCols(op: string, got: number, want: number): void {
  if (got !== want) throw new ArgumentError(`${op}: fitted on ${want} columns, got ${got}`);
}

/** Checks a `toJSON` object's `type` tag before restoring from it. */
export function checkTag(json: { type?: unknown }, want: string): void {
  if (json.type !== want) throw new ArgumentError(`${want}.fromJSON: expected type "${want}", got ${JSON.stringify(json.type)}`);
}
