/**
 * Values too large for a model: the features and targets a network sees are 32-bit floats,
 * so a cell whose scaled value does not fit in one (or whose column's statistics overflow
 * when fitted) is rejected with a located error instead of becoming Infinity or NaN later.
 * @module
 */
import type { DataError } from '../errors.js';
import type { MinMaxScalerJSON, StandardScalerJSON } from './scalers.js';
import { dataError } from './where.js';

/** An `out-of-range` error for one cell. */
export function outOfRange(file: string, row: number, column: string, what: string): DataError {
  return dataError({
    file,
    row,
    column,
    what,
    fix: 'Correct the value (is it in the right units?), or leave the cell empty to mark it as missing',
    code: 'out-of-range',
  });
}

/**
 * Which statistic of column `j` of a fitted scaler is not finite (a standard deviation or
 * a range that overflowed), or null when they all are.
 */
export function overflowedStatistic(s: StandardScalerJSON | MinMaxScalerJSON, j: number): string | null {
  if (s.type === 'StandardScaler') {
    if (!Number.isFinite(s.mean[j])) return 'mean';
    return Number.isFinite(s.scale[j]) ? null : 'standard deviation';
  }
  return Number.isFinite(s.dataMax[j]! - s.dataMin[j]!) ? null : 'range (maximum − minimum)';
}

/**
 * The index of the finite value of largest magnitude: the cell to blame for an overflow.
 * Non-finite values are skipped (a CSV cannot hold one, so they are fill values of an
 * imputer, which overflowed because of that cell).
 */
export function largestAt(values: ArrayLike<number>): number {
  let at = 0;
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const m = Math.abs(values[i]!);
    if (Number.isFinite(m) && m > best) {
      best = m;
      at = i;
    }
  }
  return at;
}

/** Regression targets as 32-bit floats; a value that does not fit in one is an `out-of-range` error. */
export function float32Targets(values: Float64Array, file: string, rowNumbers: ArrayLike<number>, column: string): Float32Array {
  const y = Float32Array.from(values);
  const i = y.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw outOfRange(file, rowNumbers[i] ?? i + 1, column, `the target value ${values[i]} is out of range: it does not fit in a 32-bit float (largest about 3.4e38)`);
  }
  return y;
}
