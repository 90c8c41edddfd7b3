/**
 * Encoders for categories: {@link OneHotEncoder} for categorical features and
 * {@link LabelEncoder} for class targets. Categories are sorted, as in scikit-learn, and a
 * category seen only at prediction time is an error unless `handleUnknown: 'ignore'`.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { checkCols, checkTag, type Locator, locate, type Matrix, missingValueError } from './matrix.js';
import { dataError, list, show } from './where.js';

/** A category label as read: a string, a number, or null for a missing value. */
export type Category = string | number | null;

/** Sorts labels the way NumPy does: numbers numerically, strings by code point. */
export function sortLabels<T extends string | number>(labels: Iterable<T>): T[] {
  return [...new Set(labels)].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
}

function key(v: string | number): string {
  return typeof v === 'number' ? `n:${v}` : `s:${v}`;
}

function unknownError(where: Locator | undefined, i: number, j: number, value: string | number, known: readonly (string | number)[], hint: string): Error {
  return dataError({
    ...locate(where, i, j),
    what: `category ${show(String(value))} was not seen in training (known: ${list(known.map(String))})`,
    fix: hint,
  });
}

/** Fitted state of a {@link OneHotEncoder}. */
export type OneHotEncoderJSON = {
  /** Type tag. */
  type: 'OneHotEncoder';
  /** Sorted categories of each column. */
  categories: (string | number)[][];
  /** What to do with an unseen category. */
  handleUnknown: 'error' | 'ignore';
};

/**
 * One-hot encodes each categorical column: one output column per training category, in
 * sorted order. An unseen category is a {@link DataError}, or all zeros with
 * `handleUnknown: 'ignore'`. A missing value (null) is an error: impute it first.
 */
export class OneHotEncoder {
  /** Sorted categories per input column (after {@link fit}). */
  categories: (string | number)[][] = [];
  /** What to do with a category not seen in training. */
  readonly handleUnknown: 'error' | 'ignore';
  private index: Map<string, number>[] = [];

  constructor(opts: { handleUnknown?: 'error' | 'ignore' } = {}) {
    this.handleUnknown = opts.handleUnknown ?? 'error';
  }

  /** Learns the categories of each column. `rows[i][j]` is row i, column j. */
  fit(rows: readonly (readonly Category[])[], where?: Locator): this {
    const d = rows[0]?.length ?? 0;
    if (rows.length === 0 || d === 0) throw new ArgumentError('OneHotEncoder.fit: no data');
    const seen: (string | number)[][] = Array.from({ length: d }, () => []);
    rows.forEach((r, i) => {
      checkCols('OneHotEncoder', r.length, d);
      r.forEach((v, j) => {
        if (v === null) throw missingValueError(where, i, j, 'OneHotEncoder');
        seen[j]!.push(v);
      });
    });
    this.setCategories(seen.map((s) => sortLabels(s)));
    return this;
  }

  private setCategories(c: (string | number)[][]): void {
    this.categories = c;
    this.index = c.map((cats) => new Map(cats.map((v, k) => [key(v), k])));
  }

  /** Number of output columns. */
  get width(): number {
    return this.categories.reduce((a, c) => a + c.length, 0);
  }

  /** Names of the output columns, `<input>=<category>`. */
  featureNames(inputs: readonly string[] = this.categories.map((_, j) => `x${j}`)): string[] {
    return this.categories.flatMap((cats, j) => cats.map((c) => `${inputs[j]}=${c}`));
  }

  /**
   * Writes the one-hot code of `value` (input column `j`, data row `i`) into `out` at
   * `offset`, which must be zeroed. Used by the table pipeline to avoid copies.
   */
  encodeInto(value: Category, i: number, j: number, out: Float32Array | Float64Array, offset: number, where?: Locator): void {
    if (value === null) throw missingValueError(where, i, j, 'OneHotEncoder');
    const k = this.index[j]!.get(key(value));
    if (k !== undefined) out[offset + k] = 1;
    else if (this.handleUnknown === 'error') {
      throw unknownError(where, i, j, value, this.categories[j]!, "Use a category from the training data, or pass handleUnknown: 'ignore' to encode unseen categories as all zeros");
    }
  }

  /** The one-hot matrix `[rows, width]`. */
  transform(rows: readonly (readonly Category[])[], where?: Locator): Matrix {
    if (this.categories.length === 0) throw new ArgumentError('OneHotEncoder: call fit() before transform()');
    const w = this.width;
    const data = new Float64Array(rows.length * w);
    rows.forEach((r, i) => {
      checkCols('OneHotEncoder', r.length, this.categories.length);
      let off = i * w;
      r.forEach((v, j) => {
        this.encodeInto(v, i, j, data, off, where);
        off += this.categories[j]!.length;
      });
    });
    return { data, shape: [rows.length, w] };
  }

  /** {@link fit}, then {@link transform} of the same data. */
  fitTransform(rows: readonly (readonly Category[])[], where?: Locator): Matrix {
    return this.fit(rows, where).transform(rows, where);
  }

  /** The fitted state as plain JSON. */
  toJSON(): OneHotEncoderJSON {
    return { type: 'OneHotEncoder', categories: this.categories.map((c) => [...c]), handleUnknown: this.handleUnknown };
  }

  /** Restores an encoder saved with {@link toJSON}. */
  static fromJSON(json: OneHotEncoderJSON): OneHotEncoder {
    checkTag(json, 'OneHotEncoder');
    const e = new OneHotEncoder({ handleUnknown: json.handleUnknown });
    e.setCategories(json.categories.map((c) => [...c]));
    return e;
  }
}

/** Fitted state of a {@link LabelEncoder}. */
export type LabelEncoderJSON = {
  /** Type tag. */
  type: 'LabelEncoder';
  /** Sorted class labels; a label's index is its class id. */
  classes: (string | number)[];
};

/** Maps class labels to ids `0..k-1` (sorted labels) and back. */
export class LabelEncoder {
  /** Sorted class labels (after {@link fit}). */
  classes: (string | number)[] = [];
  private index = new Map<string, number>();

  /** Learns the classes. A missing label (null) is an error. */
  fit(labels: readonly Category[], where?: Locator): this {
    if (labels.length === 0) throw new ArgumentError('LabelEncoder.fit: no labels');
    const seen: (string | number)[] = [];
    labels.forEach((v, i) => {
      if (v === null) throw missingLabel(where, i);
      seen.push(v);
    });
    this.setClasses(sortLabels(seen));
    return this;
  }

  private setClasses(c: (string | number)[]): void {
    this.classes = c;
    this.index = new Map(c.map((v, k) => [key(v), k]));
  }

  /** Class ids of `labels`; an unseen label is a {@link DataError}. */
  transform(labels: readonly Category[], where?: Locator): Int32Array {
    if (this.classes.length === 0) throw new ArgumentError('LabelEncoder: call fit() before transform()');
    const out = new Int32Array(labels.length);
    labels.forEach((v, i) => {
      if (v === null) throw missingLabel(where, i);
      const k = this.index.get(key(v));
      if (k === undefined) throw unknownError(where, i, 0, v, this.classes, 'Use only the classes of the training data, or retrain with this class included');
      out[i] = k;
    });
    return out;
  }

  /** {@link fit}, then {@link transform} of the same labels. */
  fitTransform(labels: readonly Category[], where?: Locator): Int32Array {
    return this.fit(labels, where).transform(labels, where);
  }

  /** Labels of class ids. */
  inverseTransform(ids: ArrayLike<number>): (string | number)[] {
    return Array.from(ids, (k) => {
      const v = this.classes[k];
      if (v === undefined) throw new ArgumentError(`LabelEncoder: class id ${k} is out of range [0, ${this.classes.length})`);
      return v;
    });
  }

  /** The fitted state as plain JSON. */
  toJSON(): LabelEncoderJSON {
    return { type: 'LabelEncoder', classes: [...this.classes] };
  }

  /** Restores an encoder saved with {@link toJSON}. */
  static fromJSON(json: LabelEncoderJSON): LabelEncoder {
    checkTag(json, 'LabelEncoder');
    const e = new LabelEncoder();
    e.setClasses([...json.classes]);
    return e;
  }
}

function missingLabel(where: Locator | undefined, i: number): Error {
  return dataError({
    ...locate(where, i, 0),
    what: 'the target label is missing',
    fix: 'Fill in the label or remove the row; targets are never imputed',
  });
}
