/**
 * Real-world tables through the CLI: missing cells, categories seen only at prediction time,
 * delimiters, dropped columns, and errors whose advice is a flag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, irisCsv, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);
const iris = p('iris.cortex');

beforeAll(async () => {
  const run = await cli(['train', irisCsv, '--target', 'species', '--epochs', '60', '--out', iris]);
  expect(run.code, run.stderr).toBe(0);
});

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
