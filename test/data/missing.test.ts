import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { completeRows, isMissingAt, makeTable, missingCounts } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';

function caught(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('missing cells of a table', () => {
  const t = makeTable({ a: [1, Number.NaN, 3, Number.NaN], b: ['x', 'y', null, 'z'], c: [1, 2, 3, 4] });

  it('isMissingAt: NaN in numeric columns, null in categorical ones', () => {
    expect([0, 1, 2, 3].map((i) => isMissingAt(t.columns[0]!, i))).toEqual([false, true, false, true]);
    expect([0, 1, 2, 3].map((i) => isMissingAt(t.columns[1]!, i))).toEqual([false, false, true, false]);
  });

  it('missingCounts and completeRows', () => {
    expect(missingCounts(t, ['b', 'a', 'c'])).toEqual([1, 2, 0]);
    expect([...completeRows(t, ['a', 'b'])]).toEqual([0]);
    expect([...completeRows(t, ['b'])]).toEqual([0, 1, 3]);
    expect([...completeRows(t, [])]).toEqual([0, 1, 2, 3]);
  });
});

describe('DataError codes and problems', () => {
  it('names the kind and the problem apart from the advice', () => {
    const nan = caught(() => parseCsv('a,b\n1,x\ninf,y\n', { source: 'f.csv' }));
    expect(nan.code).toBe('not-finite');
    expect(nan.problem).toBe('value "inf" is not a finite number');
    expect(nan.message).toContain(nan.problem!);
    expect(caught(() => parseCsv('a,b\n1,x\n2,y\nthree,z\n4,w\n', { source: 'f.csv' })).code).toBe('not-a-number');
    expect(caught(() => parseCsv('a,b\n1,x\n2,y,z\n', { source: 'f.csv' })).code).toBe('extra-fields');
    expect(caught(() => parseCsv('a,b\n1,x\n', { source: 'f.csv', target: 'c' })).code).toBe('unknown-column');
    const table = parseCsv('a,b,y\n1,,p\n,,q\n', { source: 'f.csv' });
    const missing = caught(() => new TablePipeline({ target: 'y', onWarning: () => {} }).fit(table).transform(table));
    expect(missing.code).toBe('missing-value');
    const allMissing = caught(() => new TablePipeline({ target: 'y', impute: { numeric: 'mean', categorical: 'most_frequent' }, onWarning: () => {} }).fit(table));
    expect(allMissing.code).toBe('all-missing');
    expect(allMissing.column).toBe('b');
  });
});
