/**
 * {@link SimpleImputer}: fills missing values with a statistic learned on the training data.
 * It is never applied implicitly; without one, a missing value is a located DataError.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { Category } from './encoders.js';
import { sortLabels } from './encoders.js';
import { checkCols, checkTag, type Locator, type Matrix, type MatrixLike, toMatrix } from './matrix.js';
import { dataError } from './where.js';

/** How missing values are filled. */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';

/** Fitted state of a {@link SimpleImputer}. */
export type SimpleImputerJSON = {
  /** Type tag. */
  type: 'SimpleImputer';
  /** The strategy used. */
  strategy: ImputeStrategy;
  /** The fill value of each column. */
  statistics: (number | string)[];
};

function isMissing(v: Category): v is null {
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}

/** The fill value of one column under `strategy` (for 'constant', `fill`). */
export function columnStatistic(values: ArrayLike<Category>, strategy: ImputeStrategy, fill?: number | string): number | string | undefined {
  if (strategy === 'constant') {
    if (fill === undefined) throw new ArgumentError("SimpleImputer: strategy 'constant' needs fillValue");
    return fill;
  }
  const present: (string | number)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!isMissing(v)) present.push(v);
  }
  if (present.length === 0) return undefined;
  if (strategy === 'most_frequent') {
    const counts = new Map<string | number, number>();
    for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
    let best: string | number | undefined;
    let bestCount = 0;
    for (const v of sortLabels(counts.keys())) {
      const c = counts.get(v)!;
      if (c > bestCount) {
        best = v;
        bestCount = c;
      }
    }
    return best;
  }
  const nums = present.map((v) => {
    if (typeof v !== 'number') throw new ArgumentError(`SimpleImputer: strategy '${strategy}' needs numbers, got ${JSON.stringify(v)}; use 'most_frequent' for categories`);
    return v;
  });
  if (strategy === 'mean') return nums.reduce((a, b) => a + b, 0) / nums.length;
  nums.sort((a, b) => a - b);
  const h = nums.length >> 1;
  return nums.length % 2 === 1 ? nums[h]! : (nums[h - 1]! + nums[h]!) / 2;
}

/**
 * Replaces missing values (NaN or null) column by column with the training mean, median,
 * most frequent value (ties go to the smallest) or a constant.
 *
 * @example
 * ```ts
 * const imp = new SimpleImputer({ strategy: 'median' }).fit([[1, NaN], [3, 4]]);
 * imp.transform([[NaN, NaN]]); // { data: [2, 4], shape: [1, 2] }
 * ```
 */
export class SimpleImputer {
  /** The fill value of each column (after {@link fit}). */
  statistics: (number | string)[] = [];
  /** The strategy. */
  readonly strategy: ImputeStrategy;
  private readonly fillValue: number | string | undefined;

  constructor(opts: { strategy?: ImputeStrategy; fillValue?: number | string } = {}) {
    this.strategy = opts.strategy ?? 'mean';
    this.fillValue = opts.fillValue;
    if (!['mean', 'median', 'most_frequent', 'constant'].includes(this.strategy)) {
      throw new ArgumentError(`SimpleImputer: unknown strategy '${this.strategy}' (use mean, median, most_frequent or constant)`);
    }
  }

  /** Learns one fill value per column from a matrix (NaN = missing) or rows of categories (null = missing). */
  fit(x: MatrixLike | readonly (readonly Category[])[], where?: Locator): this {
    const cols = columnsOf(x);
    this.statistics = cols.map((c, j) => {
      const s = columnStatistic(c, this.strategy, this.fillValue);
      if (s === undefined) {
        throw dataError({
          file: where?.file ?? '<data>',
          row: where?.rowNumbers?.[0] ?? 1,
          column: where?.columns?.[j] ?? String(j + 1),
          what: `every value of the column is missing in the training data, so its ${this.strategy} is undefined`,
          fix: "Drop the column, or use strategy 'constant' with a fillValue",
          code: 'all-missing',
        });
      }
      return s;
    });
    return this;
  }

  /** Fills the missing values of one column `j` in place. */
  fillColumn(values: Float64Array | (string | null)[], j: number): void {
    const s = this.statistics[j];
    if (s === undefined) throw new ArgumentError(`SimpleImputer: no column ${j} (call fit() first)`);
    if (values instanceof Float64Array) {
      if (typeof s !== 'number') throw new ArgumentError(`SimpleImputer: column ${j} has a string fill value but numeric data`);
      for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) values[i] = s;
    } else {
      const fill = String(s);
      for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = fill;
    }
  }

  /** A copy of `x` with missing values filled: a matrix for a matrix, rows for rows. */
  transform(x: MatrixLike): Matrix;
  transform(x: readonly (readonly Category[])[]): (string | number)[][];
  transform(x: MatrixLike | readonly (readonly Category[])[]): Matrix | (string | number)[][] {
    if (this.statistics.length === 0) throw new ArgumentError('SimpleImputer: call fit() before transform()');
    if (!Array.isArray(x)) {
      const m = toMatrix(x as MatrixLike, 'SimpleImputer');
      const [n, d] = m.shape;
      checkCols('SimpleImputer', d, this.statistics.length);
      for (let j = 0; j < d; j++) {
        const s = this.statistics[j]!;
        if (typeof s !== 'number') throw new ArgumentError('SimpleImputer: a string fill value cannot go into a numeric matrix');
        for (let i = 0; i < n; i++) if (Number.isNaN(m.data[i * d + j]!)) m.data[i * d + j] = s;
      }
      return m;
    }
    return (x as readonly (readonly Category[])[]).map((r) => {
      checkCols('SimpleImputer', r.length, this.statistics.length);
      return r.map((v, j) => (isMissing(v) ? this.statistics[j]! : v));
    });
  }

  /** The fitted state as plain JSON. */
  toJSON(): SimpleImputerJSON {
    return { type: 'SimpleImputer', strategy: this.strategy, statistics: [...this.statistics] };
  }

  /** Restores an imputer saved with {@link toJSON}. */
  static fromJSON(json: SimpleImputerJSON): SimpleImputer {
    checkTag(json, 'SimpleImputer');
    const imp = new SimpleImputer({ strategy: json.strategy });
    imp.statistics = [...json.statistics];
    return imp;
  }
}

function columnsOf(x: MatrixLike | readonly (readonly Category[])[]): Category[][] {
  if (!Array.isArray(x)) {
    const m = toMatrix(x as MatrixLike, 'SimpleImputer');
    const [n, d] = m.shape;
    return Array.from({ length: d }, (_, j) => Array.from({ length: n }, (_, i) => m.data[i * d + j]!));
  }
  const rows = x as readonly (readonly Category[])[];
  const d = rows[0]?.length ?? 0;
  if (rows.length === 0 || d === 0) throw new ArgumentError('SimpleImputer.fit: no data');
  return Array.from({ length: d }, (_, j) => rows.map((r) => r[j] ?? null));
}
