/**
 * Scalers fitted on training data: z-score ({@link StandardScaler}) and range
 * ({@link MinMaxScaler}). They agree with scikit-learn's, including the treatment of a
 * constant column (left unscaled, and reported as a warning rather than divided by zero).
 * Their state is plain JSON (`toJSON` / `fromJSON`) so it can be stored with a model.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { checkCols, checkTag, type Locator, type Matrix, type MatrixLike, missingValueError, toMatrix } from './matrix.js';

/** Options shared by the scalers. */
export interface ScalerOptions {
  /** Receives warnings (a constant column); default `console.warn`. */
  onWarning?: (message: string) => void;
}

function columnStats(m: Matrix, where: Locator | undefined, op: string) {
  const [n, d] = m.shape;
  if (n === 0) throw new ArgumentError(`${op}.fit: no rows to fit on`);
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  const sum = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = m.data[i * d + j]!;
      if (Number.isNaN(v)) throw missingValueError(where, i, j, op);
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
      sum[j]! += v;
    }
  }
  return { n, d, min, max, mean: sum.map((s) => s / n) };
}

function constantWarning(op: string, where: Locator | undefined, j: number, value: number, n: number): string {
  const name = where?.columns?.[j] ?? String(j + 1);
  return `${op}: column "${name}" is constant (${value}) in all ${n} training rows; it is not scaled (scale 1), to avoid dividing by zero`;
}

function apply(x: MatrixLike | readonly (readonly number[])[], op: string, width: number, where: Locator | undefined, f: (v: number, j: number) => number): Matrix {
  const m = toMatrix(x, op);
  const [n, d] = m.shape;
  checkCols(op, d, width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      const v = m.data[k]!;
      if (Number.isNaN(v)) throw missingValueError(where, i, j, op);
      m.data[k] = f(v, j);
    }
  }
  return m;
}

/** Fitted state of a {@link StandardScaler}. */
export type StandardScalerJSON = {
  /** Type tag. */
  type: 'StandardScaler';
  /** Per-column training mean. */
  mean: number[];
  /** Per-column divisor: the population standard deviation, or 1 for a constant column. */
  scale: number[];
};

/**
 * Standardises each column to zero mean and unit variance (population variance, as in
 * scikit-learn). A constant column is centred, not scaled, and reported as a warning.
 *
 * @example
 * ```ts
 * const s = new StandardScaler().fit(train);
 * const z = s.transform(test); // { data: Float64Array, shape: [rows, cols] }
 * ```
 */
export class StandardScaler {
  /** Per-column training mean (after {@link fit}). */
  mean: number[] = [];
  /** Per-column divisor (after {@link fit}). */
  scale: number[] = [];
  /** Warnings raised by the last {@link fit}. */
  warnings: string[] = [];

  constructor(private readonly opts: ScalerOptions = {}) {}

  /** Learns the mean and standard deviation of each column. */
  fit(x: MatrixLike | readonly (readonly number[])[], where?: Locator): this {
    const m = toMatrix(x, 'StandardScaler');
    const { n, d, min, max, mean } = columnStats(m, where, 'StandardScaler');
    const sq = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j]! += (m.data[i * d + j]! - mean[j]!) ** 2;
    this.mean = mean;
    this.warnings = [];
    this.scale = sq.map((s, j) => {
      if (min[j] === max[j]) {
        this.warnings.push(constantWarning('StandardScaler', where, j, min[j]!, n));
        return 1;
      }
      return Math.sqrt(s / n);
    });
    const warn = this.opts.onWarning ?? console.warn;
    for (const w of this.warnings) warn(w);
    return this;
  }

  /** Scales one value of column `j` (no missing-value check). */
  scaleOne(v: number, j: number): number {
    return (v - this.mean[j]!) / this.scale[j]!;
  }

  /** `(x - mean) / scale`, column by column. */
  transform(x: MatrixLike | readonly (readonly number[])[], where?: Locator): Matrix {
    this.check();
    return apply(x, 'StandardScaler', this.mean.length, where, (v, j) => this.scaleOne(v, j));
  }

  /** {@link fit}, then {@link transform} of the same data. */
  fitTransform(x: MatrixLike | readonly (readonly number[])[], where?: Locator): Matrix {
    return this.fit(x, where).transform(x, where);
  }

  /** Maps standardised values back to the original units. */
  inverseTransform(z: MatrixLike | readonly (readonly number[])[]): Matrix {
    this.check();
    return apply(z, 'StandardScaler', this.mean.length, undefined, (v, j) => v * this.scale[j]! + this.mean[j]!);
  }

  private check(): void {
    if (this.mean.length === 0) throw new ArgumentError('StandardScaler: call fit() before transform()');
  }

  /** The fitted state as plain JSON. */
  toJSON(): StandardScalerJSON {
    return { type: 'StandardScaler', mean: [...this.mean], scale: [...this.scale] };
  }

  /** Restores a scaler saved with {@link toJSON}. */
  static fromJSON(json: StandardScalerJSON): StandardScaler {
    checkTag(json, 'StandardScaler');
    const s = new StandardScaler();
    s.mean = [...json.mean];
    s.scale = [...json.scale];
    return s;
  }
}

/** Fitted state of a {@link MinMaxScaler}. */
export type MinMaxScalerJSON = {
  /** Type tag. */
  type: 'MinMaxScaler';
  /** Target range `[low, high]`. */
  range: [number, number];
  /** Per-column training minimum. */
  dataMin: number[];
  /** Per-column training maximum. */
  dataMax: number[];
};

/**
 * Maps each column linearly so its training minimum and maximum go to `range` (default
 * `[0, 1]`). A constant column maps to `range[0]` and is reported as a warning.
 */
export class MinMaxScaler {
  /** Per-column training minimum (after {@link fit}). */
  dataMin: number[] = [];
  /** Per-column training maximum (after {@link fit}). */
  dataMax: number[] = [];
  /** Warnings raised by the last {@link fit}. */
  warnings: string[] = [];
  /** The target range. */
  readonly range: [number, number];

  constructor(private readonly opts: ScalerOptions & { range?: [number, number] } = {}) {
    this.range = opts.range ?? [0, 1];
    if (!(this.range[0] < this.range[1])) {
      throw new ArgumentError(`MinMaxScaler: range must be [low, high] with low < high, got [${this.range.join(', ')}]`);
    }
  }

  /** Learns the minimum and maximum of each column. */
  fit(x: MatrixLike | readonly (readonly number[])[], where?: Locator): this {
    const { n, min, max } = columnStats(toMatrix(x, 'MinMaxScaler'), where, 'MinMaxScaler');
    this.dataMin = min;
    this.dataMax = max;
    this.warnings = [];
    min.forEach((v, j) => {
      if (v === max[j]) this.warnings.push(constantWarning('MinMaxScaler', where, j, v, n));
    });
    const warn = this.opts.onWarning ?? console.warn;
    for (const w of this.warnings) warn(w);
    return this;
  }

  private factor(j: number): number {
    const span = this.dataMax[j]! - this.dataMin[j]!;
    return (this.range[1] - this.range[0]) / (span === 0 ? 1 : span);
  }

  /** Scales one value of column `j` (no missing-value check). */
  scaleOne(v: number, j: number): number {
    return this.range[0] + (v - this.dataMin[j]!) * this.factor(j);
  }

  /** `low + (x - min) * (high - low) / (max - min)`, column by column. */
  transform(x: MatrixLike | readonly (readonly number[])[], where?: Locator): Matrix {
    this.check();
    return apply(x, 'MinMaxScaler', this.dataMin.length, where, (v, j) => this.scaleOne(v, j));
  }

  /** {@link fit}, then {@link transform} of the same data. */
  fitTransform(x: MatrixLike | readonly (readonly number[])[], where?: Locator): Matrix {
    return this.fit(x, where).transform(x, where);
  }

  /** Maps scaled values back to the original units. */
  inverseTransform(z: MatrixLike | readonly (readonly number[])[]): Matrix {
    this.check();
    return apply(z, 'MinMaxScaler', this.dataMin.length, undefined, (v, j) => (v - this.range[0]) / this.factor(j) + this.dataMin[j]!);
  }

  private check(): void {
    if (this.dataMin.length === 0) throw new ArgumentError('MinMaxScaler: call fit() before transform()');
  }

  /** The fitted state as plain JSON. */
  toJSON(): MinMaxScalerJSON {
    return { type: 'MinMaxScaler', range: [...this.range], dataMin: [...this.dataMin], dataMax: [...this.dataMax] };
  }

  /** Restores a scaler saved with {@link toJSON}. */
  static fromJSON(json: MinMaxScalerJSON): MinMaxScaler {
    checkTag(json, 'MinMaxScaler');
    const s = new MinMaxScaler({ range: json.range });
    s.dataMin = [...json.dataMin];
    s.dataMax = [...json.dataMax];
    return s;
  }
}
