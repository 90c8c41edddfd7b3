/**
 * Values too large for a model (a network sees 32-bit floats) are data errors that name the
 * file row and column, and a model whose weights, outputs or metrics are not finite is never
 * saved.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainTestSplit } from '../../src/data/split.js';
import { cli, cliJson, irisCsv, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-finite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

const ROWS = 100;
/** The first data row (0-based) that `cortex train` holds out for validation (regression, --val-split 0.2, seed 42). */
const validationRow = trainTestSplit(ROWS, { testSize: 0.2, seed: 42 }).test[0]!;
const trainingRow = trainTestSplit(ROWS, { testSize: 0.2, seed: 42 }).train[0]!;

/** `a,b,y` with y = 3a − b, and `value` in column `col` of data row `row` (file row `row + 2`). */
function csv(name: string, row: number, col: 'a' | 'b' | 'y', value: string): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < ROWS; i++) {
    const a = ((i * 37) % 100) / 100;
    const b = ((i * 53) % 100) / 100;
    const cells: Record<string, string> = { a: String(a), b: String(b), y: String(3 * a - b) };
    if (i === row) cells[col] = value;
    lines.push([cells.a, cells.b, cells.y].join(','));
  }
  writeFileSync(p(name), `${lines.join('\n')}\n`);
  return p(name);
}

function dataError(run: Run, text: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('cortex: '))).toHaveLength(1);
  expect(run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/--lr|diverged/);
}

const train = (data: string, ...more: string[]) => cli(['train', data, '--target', 'y', '--epochs', '3', '--layers', '8', '--out', p('m.cortex'), '--force', ...more]);

describe('values too large for a model', () => {
  it('a feature of 1e308 in a training row: its column cannot be scaled (2, names the row and column)', async () => {
    const data = csv('feat-train.csv', trainingRow, 'b', '1e308');
    dataError(
      await train(data),
      new RegExp(`feat-train\\.csv, row ${trainingRow + 2}, column "b": value 1e\\+308 is too large: the column's standard deviation overflows.*--drop b`),
    );
    expect(existsSync(p('m.cortex'))).toBe(false);
  });

  it('a feature of 1e308 in a validation row, or of 1e40: out of range once scaled (2), never valLoss NaN', async () => {
    for (const value of ['1e308', '1e40']) {
      const data = csv(`feat-val-${value}.csv`, validationRow, 'a', value);
      dataError(
        await train(data),
        new RegExp(`feat-val-${value}\\.csv, row ${validationRow + 2}, column "a": value ${value.replace('e', 'e\\+')} is out of range: scaled with the training statistics it is .* does not fit in a 32-bit float`),
      );
    }
    expect(existsSync(p('m.cortex'))).toBe(false);
  });

  it('a regression target of 1e308, in a validation or a training row (2, not exit 3 blaming --lr)', async () => {
    for (const [name, row] of [
      ['y-val.csv', validationRow],
      ['y-train.csv', trainingRow],
    ] as const) {
      const run = await cliJson<{ error: { code: string; row: number; column: string; exitCode: number } }>([
        'train', csv(name, row, 'y', '1e308'), '--target', 'y', '--epochs', '3', '--out', p('m.cortex'),
      ]);
      expect(run.json.error).toMatchObject({ code: 'out-of-range', row: row + 2, column: 'y', exitCode: 2 });
      dataError(await train(p(name)), /column "y": the target value 1e\+308 is out of range: it does not fit in a 32-bit float.*leave the cell empty to leave the row out/);
    }
    expect(existsSync(p('m.cortex'))).toBe(false);
  });

  it('predict and evaluate reject a value out of range, naming its row', async () => {
    const ok = await train(csv('fine.csv', -1, 'a', ''));
    expect(ok.code, ok.stderr).toBe(0);
    const bad = csv('bad.csv', 7, 'b', '-1e39');
    for (const cmd of ['predict', 'evaluate']) {
      const run = await cli([cmd, p('m.cortex'), bad]);
      dataError(run, /bad\.csv, row 9, column "b": value -1e\+39 is out of range/);
      expect(run.stdout).toBe('');
    }
  });
});

describe('a model that is not finite is never saved', () => {
  it('diverging in the last update (after the last checked loss) is exit 3, with no file written', async () => {
    for (const target of ['species', 'petal_width']) {
      const out = p(`diverged-${target}.cortex`);
      const run = await cli(['train', irisCsv, '--target', target, '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '1', '--batch-size', '1000', '--out', out]);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/training diverged: after epoch 1 .*(not finite|non-finite).*so the model was not saved\. Try a lower --lr/);
      expect(existsSync(out)).toBe(false);
    }
  }, 30_000);
});
