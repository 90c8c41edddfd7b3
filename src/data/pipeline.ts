/**
 * {@link TablePipeline}: maps a {@link Table} to a float32 feature matrix and an encoded
 * target, like scikit-learn's ColumnTransformer. Numeric columns are (optionally imputed
 * and) scaled, categorical columns are (optionally imputed and) one-hot encoded, and the
 * target is label-encoded for classification or kept as numbers for regression. It is
 * fitted on training data only; its state is plain JSON, so a model file can store it and
 * prediction can apply exactly the same transform, chunk by chunk over a large CSV.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { parseNumberCell } from './cells.js';
import { LabelEncoder, type LabelEncoderJSON, OneHotEncoder, type OneHotEncoderJSON } from './encoders.js';
import { SimpleImputer, type SimpleImputerJSON } from './imputer.js';
import { type Locator, missingValueError } from './matrix.js';
import { readTablePipelineJSON } from './pipeline-json.js';
import { float32Targets, largestAt, outOfRange, overflowedStatistic } from './range.js';
import { MinMaxScaler, type MinMaxScalerJSON, StandardScaler, type StandardScalerJSON } from './scalers.js';
import { type ColumnType, getColumn, type Table } from './table.js';
import { dataError, show } from './where.js';

/** Options of a {@link TablePipeline}. */
export interface PipelineOptions {
  /** The target column; default the table's `target`. `null`: features only. */
  target?: string | null;
  /** Feature columns; default every column but the target. */
  features?: readonly string[];
  /** Scaling of numeric columns (default `'standard'`). */
  numeric?: 'standard' | 'minmax' | 'none';
  /** Imputation, only when asked for: without it a missing value is an error. */
  impute?: { numeric?: 'mean' | 'median' | 'most_frequent'; categorical?: 'most_frequent' };
  /** An unseen category at prediction time: an error (default) or all zeros. */
  handleUnknown?: 'error' | 'ignore';
  /** Default: classification for a categorical target, regression for a numeric one. */
  task?: 'classification' | 'regression';
  /** Receives warnings (such as a constant column); default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A table encoded for a model. */
export interface Encoded {
  /** Features, row-major `[rows, cols]`. */
  x: Float32Array;
  /** Number of rows. */
  rows: number;
  /** Number of features. */
  cols: number;
  /** Class ids (classification) or values (regression); null when the table has no target. */
  y: Int32Array | Float32Array | null;
  /** The 1-based source row of each row. */
  rowNumbers: Int32Array;
}

/** The fitted state of a {@link TablePipeline}, as plain JSON. */
export type TablePipelineJSON = {
  /** Type tag. */
  type: 'TablePipeline';
  /** Format version. */
  version: 1;
  /** Numeric feature columns, in output order. */
  numeric: string[];
  /** Categorical feature columns, in output order (after the numeric ones). */
  categorical: string[];
  /** Imputer of the numeric columns, if any. */
  numericImputer: SimpleImputerJSON | null;
  /** Scaler of the numeric columns, if any. */
  scaler: StandardScalerJSON | MinMaxScalerJSON | null;
  /** Imputer of the categorical columns, if any. */
  categoricalImputer: SimpleImputerJSON | null;
  /** One-hot encoder of the categorical columns, if any. */
  encoder: OneHotEncoderJSON | null;
  /** The target, if any. */
  target: { name: string; type: ColumnType; task: 'classification' | 'regression'; encoder: LabelEncoderJSON | null } | null;
  /** Warnings raised while fitting. */
  warnings: string[];
};

/**
 * Table to tensor data: scaler for numeric columns, one-hot for categorical ones, label
 * encoding for a class target.
 *
 * @example
 * ```ts
 * const train = await readCsvFile('iris.csv', { target: 'species' });
 * const pipe = new TablePipeline().fit(train);
 * const { x, y, rows, cols } = pipe.transform(train);
 * const saved = JSON.stringify(pipe); // later: TablePipeline.fromJSON(JSON.parse(saved))
 * ```
 */
export class TablePipeline {
  private state: TablePipelineJSON | null = null;
  private scaler: StandardScaler | MinMaxScaler | null = null;
  private numImputer: SimpleImputer | null = null;
  private catImputer: SimpleImputer | null = null;
  private encoder: OneHotEncoder | null = null;
  private labels: LabelEncoder | null = null;

  constructor(private readonly opts: PipelineOptions = {}) {}

  /** Learns imputation values, scaling, categories and classes from training data. */
  fit(table: Table): this {
    const o = this.opts;
    const targetName = o.target === undefined ? (table.target ?? null) : o.target;
    const target = targetName === null ? null : getColumn(table, targetName, 'target column');
    const features = o.features ? o.features.map((f) => getColumn(table, f)) : table.columns.filter((c) => c.name !== targetName);
    if (features.length === 0) throw new ArgumentError(`TablePipeline: ${table.source} has no feature columns besides the target`);
    const numeric = features.filter((c) => c.type === 'numeric').map((c) => c.name);
    const categorical = features.filter((c) => c.type === 'categorical').map((c) => c.name);
    const warn = o.onWarning ?? console.warn;
    const warnings: string[] = [];
    this.numImputer = o.impute?.numeric && numeric.length ? new SimpleImputer({ strategy: o.impute.numeric }) : null;
    this.catImputer = o.impute?.categorical && categorical.length ? new SimpleImputer({ strategy: o.impute.categorical }) : null;
    const where = this.locator(table, numeric);
    const numCols = numeric.map((n) => this.numericColumn(table, n));
    if (this.numImputer) {
      this.numImputer.fit(columnsToRows(numCols), where);
      numCols.forEach((c, j) => {
        this.numImputer!.fillColumn(c, j);
      });
    }
    this.scaler = null;
    if (numeric.length && (o.numeric ?? 'standard') !== 'none') {
      const collect = (m: string) => warnings.push(m);
      this.scaler = o.numeric === 'minmax' ? new MinMaxScaler({ onWarning: collect }) : new StandardScaler({ onWarning: collect });
      this.scaler.fit(stack(numCols, table.rows), where);
      const stats = this.scaler.toJSON();
      numeric.forEach((name, j) => {
        const stat = overflowedStatistic(stats, j);
        if (stat === null) return;
        const col = numCols[j]!;
        const i = largestAt(col);
        throw outOfRange(table.source, table.rowNumbers[i]!, name, `value ${col[i]} is too large: the column's ${stat} overflows, so the column cannot be scaled`);
      });
    }
    const catCols = categorical.map((n) => this.categoricalColumn(table, n));
    const catWhere = this.locator(table, categorical);
    if (this.catImputer) {
      this.catImputer.fit(columnsToRows(catCols), catWhere);
      catCols.forEach((c, j) => {
        this.catImputer!.fillColumn(c, j);
      });
    }
    this.encoder = categorical.length ? new OneHotEncoder({ handleUnknown: o.handleUnknown ?? 'error' }).fit(columnsToRows(catCols), catWhere) : null;
    let targetState: TablePipelineJSON['target'] = null;
    this.labels = null;
    if (target !== null) {
      const task = o.task ?? (target.type === 'categorical' ? 'classification' : 'regression');
      if (task === 'regression' && target.type !== 'numeric') {
        throw new ArgumentError(`TablePipeline: regression needs a numeric target, but "${target.name}" is categorical`);
      }
      if (task === 'classification') this.labels = new LabelEncoder().fit(targetValues(target), this.locator(table, [target.name]));
      targetState = { name: target.name, type: target.type, task, encoder: this.labels?.toJSON() ?? null };
    }
    for (const w of warnings) warn(w);
    this.state = {
      type: 'TablePipeline',
      version: 1,
      numeric,
      categorical,
      numericImputer: this.numImputer?.toJSON() ?? null,
      scaler: this.scaler?.toJSON() ?? null,
      categoricalImputer: this.catImputer?.toJSON() ?? null,
      encoder: this.encoder?.toJSON() ?? null,
      target: targetState,
      warnings,
    };
    return this;
  }

  private fitted(): TablePipelineJSON {
    if (this.state === null) throw new ArgumentError('TablePipeline: call fit() before transform()');
    return this.state;
  }

  private locator(table: Table, columns: string[]): Locator {
    return { file: table.source, rowNumbers: table.rowNumbers, columns };
  }

  /** A numeric column (copied when `copy`); a categorical one is read as numbers, with located errors. */
  private numericColumn(table: Table, name: string, copy = true): Float64Array {
    const col = getColumn(table, name);
    if (col.type === 'numeric') return copy ? col.values.slice() : col.values;
    const out = new Float64Array(table.rows);
    const missing = new Set<string>();
    col.values.forEach((s, i) => {
      const v = s === null ? Number.NaN : parseNumberCell(s, missing);
      if (typeof v !== 'number') {
        throw dataError({
          file: table.source,
          row: table.rowNumbers[i]!,
          column: name,
          what: `value ${show(String(s))} is not a number, but the column was numeric in training`,
          fix: 'Correct the value; read prediction files with { types: pipeline.columnTypes() }',
          code: 'not-a-number',
        });
      }
      out[i] = v;
    });
    return out;
  }

  private categoricalColumn(table: Table, name: string): (string | null)[] {
    const col = getColumn(table, name);
    if (col.type === 'categorical') return [...col.values];
    return Array.from(col.values, (v) => (Number.isNaN(v) ? null : String(v)));
  }

  /** Encodes a table (training data, or new data at prediction time, in any chunk size). */
  transform(table: Table): Encoded {
    const s = this.fitted();
    const n = table.rows;
    const width = this.width;
    const x = new Float32Array(n * width);
    const numWhere = this.locator(table, s.numeric);
    s.numeric.forEach((name, j) => {
      const col = this.numericColumn(table, name, this.numImputer !== null);
      this.numImputer?.fillColumn(col, j);
      for (let i = 0; i < n; i++) {
        const v = col[i]!;
        if (Number.isNaN(v)) throw missingValueError(numWhere, i, j, 'TablePipeline');
        const scaled = this.scaler ? this.scaler.scaleOne(v, j) : v;
        x[i * width + j] = scaled;
        if (!Number.isFinite(x[i * width + j]!)) {
          const as = this.scaler ? `scaled with the training statistics it is ${scaled.toPrecision(3)}, which` : 'it';
          throw outOfRange(table.source, table.rowNumbers[i]!, name, `value ${v} is out of range: ${as} does not fit in a 32-bit float (largest about 3.4e38)`);
        }
      }
    });
    if (this.encoder) {
      const catCols = s.categorical.map((name) => this.categoricalColumn(table, name));
      if (this.catImputer) catCols.forEach((c, j) => {
        this.catImputer!.fillColumn(c, j);
      });
      const where = this.locator(table, s.categorical);
      const sizes = this.encoder.categories.map((c) => c.length);
      for (let i = 0; i < n; i++) {
        let off = i * width + s.numeric.length;
        for (let j = 0; j < catCols.length; j++) {
          this.encoder.encodeInto(catCols[j]![i]!, i, j, x, off, where);
          off += sizes[j]!;
        }
      }
    }
    let y: Int32Array | Float32Array | null = null;
    const t = s.target;
    const tcol = t === null ? undefined : table.columns.find((c) => c.name === t.name);
    if (t !== null && tcol !== undefined) {
      const where = this.locator(table, [t.name]);
      if (this.labels) y = this.labels.transform(targetValues(tcol), where);
      else y = float32Targets(checkPresent(this.numericColumn(table, t.name), where, 1), table.source, table.rowNumbers, t.name);
    }
    return { x, rows: n, cols: width, y, rowNumbers: table.rowNumbers };
  }

  /** {@link fit}, then {@link transform} of the same table. */
  fitTransform(table: Table): Encoded {
    return this.fit(table).transform(table);
  }

  /** Number of output features. */
  get width(): number {
    const s = this.fitted();
    return s.numeric.length + (this.encoder?.width ?? 0);
  }

  /** Names of the output features (`colour=red` for one-hot columns). */
  get featureNames(): string[] {
    const s = this.fitted();
    return [...s.numeric, ...(this.encoder?.featureNames(s.categorical) ?? [])];
  }

  /** The class labels, in class-id order (classification only). */
  get classes(): (string | number)[] | null {
    return this.labels ? [...this.labels.classes] : null;
  }

  /** Warnings raised while fitting (for example constant columns). */
  get warnings(): string[] {
    return [...this.fitted().warnings];
  }

  /** Labels of predicted class ids. */
  decodeTarget(ids: ArrayLike<number>): (string | number)[] {
    if (this.labels === null) throw new ArgumentError('TablePipeline: decodeTarget needs a classification target');
    return this.labels.inverseTransform(ids);
  }

  /** Column types seen in training; pass as `types` when reading new files, so they are read alike. */
  columnTypes(): Record<string, ColumnType> {
    const s = this.fitted();
    const out: Record<string, ColumnType> = {};
    for (const n of s.numeric) out[n] = 'numeric';
    for (const n of s.categorical) out[n] = 'categorical';
    if (s.target) out[s.target.name] = s.target.type;
    return out;
  }

  /** Names of the input columns a table must have at prediction time. */
  get inputColumns(): string[] {
    const s = this.fitted();
    return [...s.numeric, ...s.categorical];
  }

  /** The fitted state as plain JSON. */
  toJSON(): TablePipelineJSON {
    return structuredClone(this.fitted());
  }

  /**
   * Restores a pipeline saved with {@link toJSON}. The state is checked field by
   * field (it may come from a file): a malformed one throws an `ArgumentError`
   * that names the field.
   */
  static fromJSON(value: unknown): TablePipeline {
    const json = readTablePipelineJSON(value);
    const p = new TablePipeline();
    p.state = structuredClone(json);
    p.numImputer = json.numericImputer ? SimpleImputer.fromJSON(json.numericImputer) : null;
    p.catImputer = json.categoricalImputer ? SimpleImputer.fromJSON(json.categoricalImputer) : null;
    p.scaler = json.scaler === null ? null : json.scaler.type === 'MinMaxScaler' ? MinMaxScaler.fromJSON(json.scaler) : StandardScaler.fromJSON(json.scaler);
    p.encoder = json.encoder ? OneHotEncoder.fromJSON(json.encoder) : null;
    p.labels = json.target?.encoder ? LabelEncoder.fromJSON(json.target.encoder) : null;
    return p;
  }
}

function targetValues(col: Table['columns'][number]): (string | number | null)[] {
  return col.type === 'numeric' ? Array.from(col.values, (v) => (Number.isNaN(v) ? null : v)) : [...col.values];
}

function columnsToRows<T>(cols: ArrayLike<T>[]): T[][] {
  const n = cols[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
}

function stack(cols: Float64Array[], n: number): { data: Float64Array; shape: [number, number] } {
  const d = cols.length;
  const data = new Float64Array(n * d);
  cols.forEach((c, j) => {
    for (let i = 0; i < n; i++) data[i * d + j] = c[i]!;
  });
  return { data, shape: [n, d] };
}

function checkPresent(data: Float64Array, where: Locator, d: number): Float64Array {
  const i = data.findIndex((v) => Number.isNaN(v));
  if (i >= 0) {
    const row = Math.floor(i / d);
    throw dataError({
      file: where.file ?? '<data>',
      row: where.rowNumbers?.[row] ?? row + 1,
      column: where.columns?.[i % d] ?? String((i % d) + 1),
      what: 'the value is missing and no imputer is configured',
      fix: "Fill in the value, remove the row, or configure an imputer (for example { impute: { numeric: 'mean' } })",
      code: 'missing-value',
    });
  }
  return data;
}

