import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/data/csv.js';
import { readCsvFile } from '../../src/data/node/csv-file.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { DataError } from '../../src/errors.js';

/** Runs `fn`, expects a DataError, checks that its message names file, row and column. */
function expectDataError(fn: () => unknown, file: string, row: number, column: string): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataError);
  const e = caught as DataError;
  expect(e.message).toContain(`${file}, row ${row}, column "${column}"`);
  expect(e.file).toBe(file);
  expect(e.row).toBe(row);
  expect(e.column).toBe(column);
  return e;
}

async function expectDataErrorAsync(p: Promise<unknown>, file: string, row: number, column: string): Promise<DataError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  return expectDataError(() => {
    if (e) throw e;
  }, file, row, column);
}

const src = { source: 'data.csv' };

describe('bad data in CSV files', () => {
  it('a non-numeric value in a numeric column', () => {
    const e = expectDataError(() => parseCsv('a,b\n1,2\n3,4\n5,oops\n7,8\n', src), 'data.csv', 4, 'b');
    expect(e.message).toMatch(/"oops" is not a number/);
    expect(e.message).toMatch(/categorical/);
  });

  it('a non-numeric value after the rows used for type inference', async () => {
    let text = 'a,b\n';
    for (let i = 0; i < 50; i++) text += `${i},${i}\n`;
    text += '1,abc\n';
    await expectDataErrorAsync(readCsv(text, { ...src, inferRows: 10 }), 'data.csv', 52, 'b');
  });

  it('NaN or an infinity', () => {
    for (const bad of ['NaN', 'nan', 'Infinity', '-inf', '1e999']) {
      const e = expectDataError(() => parseCsv(`a,b\n1,2\n3,${bad}\n`, src), 'data.csv', 3, 'b');
      expect(e.message).toMatch(/not a finite number/);
    }
  });

  it('a row with too few fields', () => {
    const e = expectDataError(() => parseCsv('a,b,c\n1,2,3\n4,5\n', src), 'data.csv', 3, 'c');
    expect(e.message).toMatch(/has 2 fields but the header has 3/);
  });

  it('a row with too many fields', () => {
    const e = expectDataError(() => parseCsv('a,b,c\n1,2,3\n4,5,6,7\n', src), 'data.csv', 3, '4');
    expect(e.message).toMatch(/has 4 fields but the header has 3/);
  });

  it('an empty file', async () => {
    const e = expectDataError(() => parseCsv('', src), 'data.csv', 1, '(none)');
    expect(e.message).toMatch(/empty/);
    await expectDataErrorAsync(readCsv('\n\n', src), 'data.csv', 1, '(none)');
  });

  it('a header without data rows', () => {
    const e = expectDataError(() => parseCsv('a,b,c\n', src), 'data.csv', 2, 'a');
    expect(e.message).toMatch(/no data rows/);
  });

  it('a target column that does not exist lists the columns that do', () => {
    const e = expectDataError(() => parseCsv('sepal,petal,species\n1,2,x\n', { ...src, target: 'specis' }), 'data.csv', 1, 'specis');
    expect(e.message).toContain('the columns are: sepal, petal, species');
  });

  it('an unknown selected column and a duplicate header', () => {
    expectDataError(() => parseCsv('a,b\n1,2\n', { ...src, columns: ['z'] }), 'data.csv', 1, 'z');
    expectDataError(() => parseCsv('a,a\n1,2\n', src), 'data.csv', 1, 'a');
  });

  it('a missing file', async () => {
    const e = await readCsvFile('/no/such/file.csv').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).message).toMatch(/\/no\/such\/file\.csv.*does not exist/);
  });
});

describe('bad data at preprocessing time', () => {
  const quiet = { onWarning: () => {} };

  it('a missing value when no imputer is configured (numeric)', () => {
    const t = parseCsv('a,b,y\n1,2,x\n3,,y\n5,6,x\n', { ...src, target: 'y' });
    const e = expectDataError(() => new TablePipeline(quiet).fit(t), 'data.csv', 3, 'b');
    expect(e.message).toMatch(/missing.*imputer/);
    // With an imputer, the same table is fine.
    const enc = new TablePipeline({ ...quiet, impute: { numeric: 'mean' } }).fitTransform(t);
    expect(enc.x.every(Number.isFinite)).toBe(true);
  });

  it('a missing value when no imputer is configured (categorical, and at prediction time)', () => {
    const t = parseCsv('a,c,y\n1,red,x\n3,NA,y\n5,blue,x\n', { ...src, target: 'y' });
    expectDataError(() => new TablePipeline(quiet).fit(t), 'data.csv', 3, 'c');
    const pipe = new TablePipeline(quiet).fit(parseCsv('a,c,y\n1,red,x\n3,red,y\n', { target: 'y' }));
    const later = parseCsv('a,c\n1,red\n2,blue\n\n,red\n', { source: 'new.csv', types: { a: 'numeric' } });
    expectDataError(() => pipe.transform(later), 'new.csv', 5, 'a');
  });

  it('a missing target label', () => {
    const t = parseCsv('a,y\n1,x\n2,\n', { ...src, target: 'y' });
    expectDataError(() => new TablePipeline(quiet).fit(t), 'data.csv', 3, 'y');
  });

  it('a category at prediction time that training never saw', () => {
    const train = parseCsv('size,colour,y\n1,red,a\n2,green,b\n3,red,a\n', { ...src, target: 'y' });
    const pipe = new TablePipeline(quiet).fit(train);
    const test = parseCsv('size,colour\n1,green\n2,purple\n', { source: 'new.csv' });
    const e = expectDataError(() => pipe.transform(test), 'new.csv', 3, 'colour');
    expect(e.message).toContain('"purple" was not seen in training (known: green, red)');
    expect(e.message).toContain("handleUnknown: 'ignore'");
    const lenient = new TablePipeline({ ...quiet, handleUnknown: 'ignore' }).fit(train).transform(test);
    expect(Array.from(lenient.x.slice(lenient.cols + 1))).toEqual([0, 0]);
  });

  it('a class label at evaluation time that training never saw', () => {
    const pipe = new TablePipeline(quiet).fit(parseCsv('a,y\n1,x\n2,z\n', { target: 'y' }));
    expectDataError(() => pipe.transform(parseCsv('a,y\n1,x\n2,q\n', { ...src, target: 'y' })), 'data.csv', 3, 'y');
  });

  it('a constant column is handled and reported as a warning', () => {
    const warnings: string[] = [];
    const t = parseCsv('a,k,y\n1,4,x\n2,4,y\n3,4,x\n', { ...src, target: 'y' });
    const pipe = new TablePipeline({ onWarning: (m) => warnings.push(m) }).fit(t);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/column "k" is constant \(4\) in all 3 training rows/);
    expect(pipe.warnings).toEqual(warnings);
    const enc = pipe.transform(t);
    expect(Array.from(enc.x.filter((_, i) => i % 2 === 1))).toEqual([0, 0, 0]);
    expect(enc.x.every(Number.isFinite)).toBe(true);
    const mm: string[] = [];
    new TablePipeline({ numeric: 'minmax', onWarning: (m) => mm.push(m) }).fit(t);
    expect(mm[0]).toMatch(/MinMaxScaler: column "k" is constant/);
  });

  it('a numeric column holding text at prediction time', () => {
    const pipe = new TablePipeline(quiet).fit(parseCsv('a,y\n1,x\n2,z\n', { target: 'y' }));
    const later = parseCsv('a\nfoo\nbar\n1\n', { source: 'new.csv' });
    expectDataError(() => pipe.transform(later), 'new.csv', 2, 'a');
  });
});

describe('CSV syntax errors', () => {
  it('an unclosed or misplaced quote names the row (both csv-parse builds)', async () => {
    const e = expectDataError(() => parseCsv('a,b\n1,2\n3,"x\n', src), 'data.csv', 3, 'b');
    expect(e.message).toMatch(/cannot be parsed.*Quote Not Closed/);
    expectDataError(() => parseCsv('a,b\n1,2\n3,x"y"\n4,5\n', src), 'data.csv', 3, 'b');
    const dir = mkdtempSync(join(tmpdir(), 'cortex-bad-'));
    const path = join(dir, 'q.csv');
    writeFileSync(path, 'a,b\n1,"2"x\n');
    await expectDataErrorAsync(readCsvFile(path), path, 2, 'b');
  });
});
