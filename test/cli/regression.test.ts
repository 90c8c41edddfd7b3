import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../src/tensor/random.js';
import { cli, cliJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-reg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'houses.csv');
const model = join(dir, 'houses.cortex');

/** price = 3·sin(2·x1) + x2² − 2·x3 + an offset per kind + N(0, 0.1) noise; 1000 rows. */
function writeRegressionCsv(path: string, n: number, seed: number): void {
  const g = new Generator(seed);
  const offset: Record<string, number> = { a: 0, b: 1.5, c: -1 };
  const lines = ['x1,x2,x3,kind,price'];
  for (let i = 0; i < n; i++) {
    const [x1, x2, x3] = [0, 0, 0].map(() => g.nextFloat() * 3 - 1.5) as [number, number, number];
    const kind = 'abc'[g.nextInt(0, 3)]!;
    const price = 3 * Math.sin(2 * x1) + x2 * x2 - 2 * x3 + offset[kind]! + 0.1 * g.nextNormal();
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${x3.toFixed(4)},${kind},${price.toFixed(4)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

interface Reg {
  rows: number;
  mae: number;
  rmse: number;
  r2: number;
}

let trained: { task: string; metrics: Record<string, Reg> };
beforeAll(async () => {
  writeRegressionCsv(csv, 1000, 7);
  const { run, json } = await cliJson<typeof trained>(['train', csv, '--target', 'price', '--out', model]);
  expect(run.code, run.stderr).toBe(0);
  trained = json;
});

describe('regression from a CSV', () => {
  it('is detected automatically and reaches R² >= 0.95 on the held-out split', () => {
    expect(trained.task).toBe('regression');
    expect(trained.metrics.validation!.rows).toBe(200);
    expect(trained.metrics.validation!.r2).toBeGreaterThanOrEqual(0.95);
    expect(trained.metrics.validation!.mae).toBeLessThan(0.5);
  });

  it('prints MAE, RMSE and R², and evaluate on the training file agrees', async () => {
    const run = await cli(['evaluate', model, csv]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/MAE\s+\d/);
    expect(run.stdout).toMatch(/RMSE\s+\d/);
    expect(run.stdout).toMatch(/R²\s+0\.9\d{3}/);
    const { json } = await cliJson<{ metrics: Reg }>(['evaluate', model, csv]);
    expect(json.metrics).toEqual(trained.metrics['all rows']);
  });

  it('evaluate agrees with train on a file of several 10,000-row chunks', async () => {
    const big = join(dir, 'big.csv');
    writeRegressionCsv(big, 25_000, 8);
    const m = join(dir, 'big.cortex');
    const { run, json } = await cliJson<typeof trained>(['train', big, '--target', 'price', '--epochs', '2', '--layers', '16', '--out', m]);
    expect(run.code, run.stderr).toBe(0);
    const ev = await cliJson<{ metrics: Reg }>(['evaluate', m, big]);
    expect(ev.json.metrics.rows).toBe(25_000);
    expect(ev.json.metrics).toEqual(json.metrics['all rows']);
  });

  it('predicts values in the units of the target', async () => {
    const out = join(dir, 'preds.csv');
    const run = await cli(['predict', model, csv, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const preds = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(preds[0]).toBe('price');
    expect(preds).toHaveLength(1001);
    const truth = readFileSync(csv, 'utf8').trimEnd().split('\n').slice(1).map((l) => Number(l.split(',')[4]));
    const mae = preds.slice(1).reduce((s, p, i) => s + Math.abs(Number(p) - truth[i]!), 0) / 1000;
    expect(mae).toBeCloseTo(trained.metrics['all rows']!.mae, 3);
    const proba = await cli(['predict', model, csv, '--proba']);
    expect(proba.code).toBe(1);
    expect(proba.stderr).toMatch(/--proba applies to classification models/);
  });

  it('--task classification on an integer target, and regression refused for a text target', async () => {
    const small = join(dir, 'ints.csv');
    writeFileSync(small, `a,b,label\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`).join('\n')}\n`);
    const { json } = await cliJson<{ task: string }>(['train', small, '--target', 'label', '--epochs', '2', '--out', join(dir, 'ints.cortex')]);
    expect(json.task).toBe('classification');
    const asReg = await cliJson<{ task: string }>(['train', small, '--target', 'label', '--epochs', '2', '--task', 'regression', '--out', join(dir, 'ints2.cortex')]);
    expect(asReg.json.task).toBe('regression');
    const text = join(dir, 'text.csv');
    writeFileSync(text, 'a,b\n1,x\n2,y\n3,x\n4,y\n');
    const bad = await cli(['train', text, '--target', 'b', '--task', 'regression', '--out', join(dir, 't.cortex')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--task regression needs a numeric target/);
  });
});
