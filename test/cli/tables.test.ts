/**
 * Real-world tables through the CLI: missing cells, categories seen only at prediction time,
 * delimiters, dropped columns, and errors whose advice is a flag.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, irisCsv, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);
const iris = p('iris.cortex');

const CITIES = ['Paris', 'Rome', 'Lima'];

/**
 * 120 passengers: age is missing in 12 rows (i % 10 = 3), city in 8 (i % 15 = 7), notes in
 * 30 (i % 4 = 2), the target in 2 (i = 5, 50). survived = fare > 50.
 */
function people(sep = ','): string {
  const lines = [['passenger_id', 'age', 'fare', 'city', 'notes', 'survived'].join(sep)];
  for (let i = 0; i < 120; i++) {
    const fare = 5 + ((i * 37) % 95);
    const age = i % 10 === 3 ? '' : String(20 + ((i * 7) % 50));
    const city = i % 15 === 7 ? '' : CITIES[i % 3]!;
    const notes = ['x', '12', '', 'zz'][i % 4]!;
    const survived = i === 5 || i === 50 ? '' : fare > 50 ? 'yes' : 'no';
    lines.push([String(i + 1), age, String(fare), city, notes, survived].join(sep));
  }
  return `${lines.join('\n')}\n`;
}

const peopleCsv = p('people.csv');
const peopleModel = p('people.cortex');

interface TrainJson {
  features: string[];
  splits: { train: number; validation: number };
  dropped: { missingTarget: number; missingValues: number };
  imputed: { column: string; strategy: string; value: number | string; cells: number }[];
}

beforeAll(async () => {
  writeFileSync(peopleCsv, people());
  writeFileSync(p('people-semi.csv'), people(';'));
  const runs = await Promise.all([
    cli(['train', irisCsv, '--target', 'species', '--epochs', '60', '--out', iris]),
    cli(['train', peopleCsv, '--target', 'survived', '--epochs', '40', '--out', peopleModel]),
  ]);
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  peopleRun = runs[1]!;
});
let peopleRun: Run;

/** One clear line on stderr, no stack trace. */
function oneLineError(run: Run, code: number, text: RegExp): string {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('cortex: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** No API syntax in advice: no `{ ... }` options, no camelCase option names. */
function noApiSyntax(line: string): void {
  expect(line).not.toMatch(/[{}]|impute:|handleUnknown|missingValues|fillValue|columnTypes/);
}

describe('errors', () => {
  it('a target with one class is a data error (2)', async () => {
    writeFileSync(p('one.csv'), 'a,b,y\n1,2,k\n3,4,k\n5,6,k\n7,8,k\n');
    oneLineError(await cli(['train', p('one.csv'), '--target', 'y', '--val-split', '0']), 2, /one\.csv, column "y": the target has only one class \(k\).*--target/);
  });

  it('advice names flags, not API options', async () => {
    writeFileSync(p('nan.csv'), 'a,b,y\n1,2,x\n3,inf,z\n5,6,x\n7,8,z\n');
    noApiSyntax(oneLineError(await cli(['train', p('nan.csv'), '--target', 'y']), 2, /nan\.csv, row 3, column "b": value "inf" is not a finite number\. .*--impute/));
    writeFileSync(p('word.csv'), 'a,b,y\n1,2,x\n3,4,z\n5,six,x\n7,8,z\n9,10,x\n');
    noApiSyntax(oneLineError(await cli(['train', p('word.csv'), '--target', 'y']), 2, /word\.csv, row 4, column "b": value "six" is not a number/));
    writeFileSync(p('semi.csv'), 'a;b;y\n1;2;x\n3;4;z\n');
    noApiSyntax(oneLineError(await cli(['train', p('semi.csv'), '--target', 'y']), 2, /there is no target column "y".*--delimiter/));
  });
});

describe('predict --proba', () => {
  it('prints probabilities with 6 decimals, never in exponent notation', async () => {
    const run = await cli(['predict', iris, irisCsv, '--proba']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n').slice(1);
    expect(lines).toHaveLength(150);
    for (const l of lines) for (const v of l.split(',').slice(1)) expect(v).toMatch(/^[01]\.\d{6}$/);
    const json = await cli(['predict', iris, irisCsv, '--proba', '--json']);
    expect(json.stdout).not.toMatch(/\de-\d/);
  });
});

describe('missing values', () => {
  it('train imputes by default (mean; most frequent for text), says what, and leaves out rows without a target', () => {
    expect(peopleRun.stdout).toMatch(/^imputed 49 missing cells: age \(mean [\d.]+\) 12, city \(most frequent '(Paris|Rome|Lima)'\) 8, notes \(most frequent '(x|zz|12)'\) 29$/m);
    expect(peopleRun.stderr).toContain(`warning: ${peopleCsv}: left out 2 rows with no value for the target "survived" (targets are never imputed)`);
    expect(peopleRun.stdout).toMatch(/^split +94 training rows, 24 validation rows/m);
  });

  it('--impute median and --json: the fill values, counts and dropped rows', async () => {
    const { run, json } = await cliJson<TrainJson>(['train', peopleCsv, '--target', 'survived', '--epochs', '2', '--impute', 'median', '--out', p('median.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.dropped).toEqual({ missingTarget: 2, missingValues: 0 });
    expect(json.imputed.map((m) => [m.column, m.strategy, m.cells])).toEqual([
      ['age', 'median', 12],
      ['city', 'most_frequent', 8],
      ['notes', 'most_frequent', 29],
    ]);
    expect(Number.isInteger(json.imputed[0]!.value) || Number.isInteger(2 * Number(json.imputed[0]!.value))).toBe(true);
  });

  it('--impute error names the first missing cell and suggests --impute', async () => {
    const line = oneLineError(
      await cli(['train', peopleCsv, '--target', 'survived', '--impute', 'error']),
      2,
      /people\.csv, row 4, column "notes": the value is missing \(--impute error\)\. .*--impute mean, median or most-frequent.*--impute drop/,
    );
    noApiSyntax(line);
    writeFileSync(p('inf.csv'), 'a,b,y\n1,2,x\n3,-inf,z\n5,6,x\n');
    const nan = await cliJson<{ error: { code: string; message: string } }>(['train', p('inf.csv'), '--target', 'y']);
    expect(nan.json.error.code).toBe('not-finite');
    noApiSyntax(nan.json.error.message);
  });

  it('no rows left after leaving out incomplete ones (2)', async () => {
    writeFileSync(p('holes.csv'), 'a,b,y\n1,,x\n,2,z\n3,,x\n');
    oneLineError(await cli(['train', p('holes.csv'), '--target', 'y', '--impute', 'drop']), 2, /holes\.csv, column "y": no rows are left: every row has a missing value \(--impute drop\)\. .*--impute mean/);
    writeFileSync(p('no-target.csv'), 'a,b,y\n1,2,\n3,4,\n');
    oneLineError(await cli(['train', p('no-target.csv'), '--target', 'y']), 2, /no rows are left: no row has a value for the target "y"/);
  });

  it('a column with no values at all: the advice is --drop', async () => {
    writeFileSync(p('empty-col.csv'), 'a,e,y\n1,,x\n2,,z\n3,,x\n4,,z\n5,,x\n');
    noApiSyntax(oneLineError(await cli(['train', p('empty-col.csv'), '--target', 'y', '--val-split', '0']), 2, /column "e": every value of the column is missing.*Leave the column out with --drop e/));
  });

  it('predict and evaluate impute as in training, and warn once about unseen categories', async () => {
    writeFileSync(p('new.csv'), 'passenger_id,age,fare,city,notes\n500,,10,Oslo,x\n501,30,90,Paris,\n502,NA,10,Bergen,zz\n503,40,90,Oslo,x\n504,50,10,,12\n');
    const run = await cli(['predict', peopleModel, p('new.csv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual(['passenger_id,survived', '500,no', '501,yes', '502,no', '503,yes', '504,no']);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual(["warning: 3 rows had categories not seen in training (column 'city': 'Oslo', 'Bergen'); encoded as all zeros"]);
    const json = await cli(['predict', peopleModel, p('new.csv'), '--json']);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(json.stderr).toContain('3 rows had categories not seen in training');
    const ev = await cli(['evaluate', peopleModel, peopleCsv]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stderr).toContain(`warning: ${peopleCsv}: left out 2 rows with no value for the target "survived"`);
    expect(ev.stdout).toMatch(/^rows\s+118$/m);
  });

  it('--impute drop leaves out incomplete rows; its model rejects a missing cell at prediction with flag advice', async () => {
    const m = p('drop.cortex');
    const { run, json } = await cliJson<TrainJson>(['train', peopleCsv, '--target', 'survived', '--epochs', '2', '--impute', 'drop', '--drop', 'notes', '--out', m]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.dropped).toEqual({ missingTarget: 2, missingValues: 20 });
    expect(json.splits.train + json.splits.validation).toBe(98);
    expect(json.imputed).toEqual([]);
    const pred = await cli(['predict', m, p('new.csv')]);
    noApiSyntax(oneLineError(pred, 2, /new\.csv, row 2, column "age": the value is missing\. .*--impute mean/));
    expect(pred.stdout).toBe('');
  });
});

describe('--test', () => {
  it('gets the same treatment: rows without a target left out, missing cells imputed, unseen categories counted', async () => {
    writeFileSync(p('people-test.csv'), 'passenger_id,age,fare,city,notes,survived\n900,,10,Oslo,x,no\n901,30,90,Paris,,yes\n902,30,90,Rome,x,\n');
    const { run, json } = await cliJson<TrainJson & { metrics: { test: { rows: number } } }>([
      'train', peopleCsv, '--target', 'survived', '--id', 'passenger_id', '--epochs', '2', '--test', p('people-test.csv'), '--out', p('t.cortex'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.metrics.test.rows).toBe(2);
    expect(run.stderr).toContain(`warning: ${p('people-test.csv')}: left out 1 row with no value for the target "survived"`);
    expect(run.stderr).toContain("warning: 1 test row had a category not seen in training (column 'city': 'Oslo'); encoded as all zeros");
  });
});

describe('--drop and --delimiter', () => {
  it('train drops columns, and predict and evaluate then do without them', async () => {
    const m = p('semi.cortex');
    const { run, json } = await cliJson<TrainJson>(['train', p('people-semi.csv'), '--target', 'survived', '--epochs', '30', '--delimiter', ';', '--drop', 'notes, city', '--out', m]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.features).toEqual(['age', 'fare']);
    writeFileSync(p('new-tab.csv'), 'age\tfare\n30\t10\n\t90\n');
    const pred = await cli(['predict', m, p('new-tab.csv'), '--delimiter', 'tab']);
    expect(pred.code, pred.stderr).toBe(0);
    expect(pred.stdout).toBe('survived\nno\nyes\n');
    const ev = await cli(['evaluate', m, p('people-semi.csv'), '--delimiter', ';']);
    expect(ev.code, ev.stderr).toBe(0);
  });

  it('bad --drop and --delimiter values', async () => {
    oneLineError(await cli(['train', peopleCsv, '--target', 'survived', '--drop', 'nope']), 2, /people\.csv, row 1, column "nope": --drop names nope, which is not in the header/);
    oneLineError(await cli(['train', peopleCsv, '--target', 'survived', '--drop', 'survived']), 1, /the target "survived" cannot be dropped/);
    oneLineError(await cli(['predict', iris, irisCsv, '--delimiter', ';;']), 1, /--delimiter must be one character/);
    oneLineError(await cli(['train', peopleCsv, '--target', 'survived', '--impute', 'zero']), 1, /--impute.*Allowed choices are mean, median, most-frequent, drop, error/);
  });
});

describe('predict prints nothing before an error', () => {
  it('a bad cell after the first chunk: no header line, no rows on stdout', async () => {
    const rows = readFileSync(irisCsv, 'utf8').trimEnd().split('\n');
    const body = Array.from({ length: 10_050 }, (_, i) => rows[1 + (i % 150)]!.split(',').slice(0, 4).join(','));
    body[10_040] = '5.1,3.5,wide,0.2';
    writeFileSync(p('big.csv'), `${rows[0]!.split(',').slice(0, 4).join(',')}\n${body.join('\n')}\n`);
    const run = await cli(['predict', iris, p('big.csv')]);
    noApiSyntax(oneLineError(run, 2, /big\.csv, row 10042, column "petal_length": value "wide" is not a number/));
    expect(run.stdout).toBe('');
  });
});
