/**
 * `cortex export --format onnx` end to end: a model trained by `cortex train` on a CSV
 * with a categorical column and missing cells is exported, and onnxruntime, fed the raw
 * columns of new rows (with missing cells and categories never seen in training), gives
 * what `cortex predict` prints.
 *
 * Tolerance: `cortex predict` prints probabilities with 6 decimals and values with 7
 * significant digits, so probabilities must agree within 1e-6 absolute and regression
 * values within 1e-5 relative; labels exactly.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MISSING, Generator, GRU, Linear, noGrad, RecurrentOutput, ReLU, randn, Sequential, Tanh } from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { decodeModelProto } from '../../src/io/onnx/index.js';
import { floatTensor, REL_TOL, relError, runOrt, stringTensor } from '../onnx/export-helpers.js';
import { cli, cliJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

const CITIES = ['paris', 'london', 'berlin'];
const PLANS = ['basic', 'premium'];

/** A deterministic table: numeric age/income (some cells empty), categorical city/plan (some empty), targets churn and spend. */
function table(rows: number, seed: number, cities = CITIES): string {
  const g = new Generator(seed);
  const lines = ['id,age,home city,income,plan,churn,spend'];
  for (let i = 0; i < rows; i++) {
    const age = 20 + Math.floor(g.nextFloat() * 45);
    const income = 20000 + Math.floor(g.nextFloat() * 80000);
    const city = cities[Math.floor(g.nextFloat() * cities.length)]!;
    const plan = PLANS[Math.floor(g.nextFloat() * 2)]!;
    const churn = (age > 40 ? 1 : 0) + (plan === 'premium' ? 1 : 0) + (city === 'london' ? 1 : 0) >= 2 ? 'yes' : 'no';
    const spend = (income / 1000 + age * 0.5 + (plan === 'premium' ? 20 : 0)).toFixed(2);
    const cell = (v: string, k: number) => (i % 7 === k ? '' : v);
    lines.push([String(i + 1), cell(String(age), 1), cell(city, 2), cell(String(income), 3), cell(plan, 4), churn, spend].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The ORT feeds of a CSV (no quoted fields) for the inputs `cortex export --json` lists. */
function feeds(csv: string, inputs: { name: string; type: string; column: string }[]) {
  const [head, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  const out: Record<string, ReturnType<typeof floatTensor>> = {};
  for (const i of inputs) {
    const j = head!.indexOf(i.column);
    const cells = rows.map((r) => r[j]!);
    out[i.name] =
      i.type === 'float'
        ? floatTensor(cells.map((c) => (DEFAULT_MISSING.includes(c) ? Number.NaN : Number(c))), [cells.length, 1])
        : stringTensor(cells, [cells.length, 1]);
  }
  return out;
}

/** `cortex predict --json` prints one JSON record per row. */
async function predictLines(model: string, data: string, proba: boolean): Promise<Record<string, unknown>[]> {
  const run = await cli(['predict', model, data, ...(proba ? ['--proba'] : []), '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface ExportJson {
  out: string;
  bytes: number;
  inputs: { name: string; type: string; column: string }[];
  outputs: string[];
}

describe('cortex export --format onnx', () => {
  const quick = ['--epochs', '15', '--layers', '12,6', '--seed', '3'];
  // New rows: a city never seen in training (madrid), missing cells in every column.
  const testCsv = table(40, 99, [...CITIES, 'madrid']);

  it('classification: the .onnx takes the raw columns and gives the labels and probabilities of cortex predict', async () => {
    writeFileSync(p('train.csv'), table(120, 1));
    writeFileSync(p('new.csv'), testCsv);
    const train = await cli(['train', p('train.csv'), '--target', 'churn', '--drop', 'spend', '--out', p('churn.cortex'), ...quick]);
    expect(train.code, train.stderr).toBe(0);
    const { run, json } = await cliJson<ExportJson>(['export', p('churn.cortex'), '--format', 'onnx']);
    expect(run.code, run.stderr).toBe(0);
    expect(json.out).toBe(p('churn.onnx'));
    expect(json.outputs).toEqual(['label', 'probabilities']);
    expect(json.inputs.map((i) => [i.name, i.type, i.column])).toEqual([
      ['age', 'float', 'age'],
      ['income', 'float', 'income'],
      ['home_city', 'string', 'home city'],
      ['plan', 'string', 'plan'],
    ]);
    const bytes = new Uint8Array(readFileSync(p('churn.onnx')));
    expect(bytes.length).toBe(json.bytes);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const ort = await runOrt(bytes, feeds(testCsv, json.inputs));
    const want = await predictLines(p('churn.cortex'), p('new.csv'), true);
    expect(ort.label!.data).toEqual(want.map((r) => r.churn));
    const probs = ort.probabilities!.data as Float32Array;
    const classes = ['no', 'yes'];
    let worst = 0;
    want.forEach((r, i) => {
      const proba = r.proba as Record<string, number>;
      classes.forEach((c, j) => {
        worst = Math.max(worst, Math.abs(probs[i * 2 + j]! - proba[c]!));
      });
    });
    console.log(`cortex export (classification): largest |probability difference| vs cortex predict ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('regression: the .onnx gives the values of cortex predict, in the target’s units', async () => {
    const train = await cli(['train', p('train.csv'), '--target', 'spend', '--drop', 'churn', '--out', p('spend.cortex'), ...quick]);
    expect(train.code, train.stderr).toBe(0);
    const { run, json } = await cliJson<ExportJson>(['export', p('spend.cortex'), '-o', p('spend-model.onnx')]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.outputs).toEqual(['prediction']);
    const ort = await runOrt(new Uint8Array(readFileSync(p('spend-model.onnx'))), feeds(testCsv, json.inputs));
    const want = (await predictLines(p('spend.cortex'), p('new.csv'), false)).map((r) => r.spend as number);
    expect(ort.prediction!.dims).toEqual([want.length, 1]);
    const err = relError(ort.prediction!.data as Float32Array, want);
    console.log(`cortex export (regression): relative error vs cortex predict ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(REL_TOL);
  });

  it('a model saved from the API (no preprocessing) is exported as the network alone', async () => {
    const model = new Sequential(new Linear(3, 5, { generator: new Generator(1) }), new Tanh(), new ReLU(), new Linear(5, 2, { generator: new Generator(2) }));
    await save(model, p('plain.cortex'));
    const run = await cli(['export', p('plain.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/wrote +.*plain\.onnx/);
    const bytes = new Uint8Array(readFileSync(p('plain.onnx')));
    expect(decodeModelProto(bytes).graph!.initializer!.map((t) => t.name)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    const x = randn([4, 3], { generator: new Generator(3) });
    const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), [4, 3]) });
    expect(relError(output!.data as Float32Array, noGrad(() => model.eval().forward(x)).dataSync())).toBeLessThanOrEqual(REL_TOL);
  });

  // rnn-seq: a batch-first sequence classifier exports on the example shape its file records.
  it('a sequence model exports on its recorded [seq, features] shape, any batch size', async () => {
    const model = new Sequential(new RecurrentOutput(new GRU(3, 4, { batchFirst: true, generator: new Generator(1) })), new Linear(4, 2, { generator: new Generator(2) }));
    await save(model, p('gru.cortex'), { training: { inputShape: [5, 3] } });
    const { run, json } = await cliJson<{ inputs: { shape: (number | string)[] }[] }>(['export', p('gru.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.inputs[0]!.shape).toEqual(['batch', 5, 3]);
    const bytes = new Uint8Array(readFileSync(p('gru.onnx')));
    const x = randn([4, 5, 3], { generator: new Generator(3) });
    const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), [4, 5, 3]) });
    expect(output!.dims).toEqual([4, 2]);
    expect(relError(output!.data as Float32Array, noGrad(() => model.eval().forward(x)).dataSync())).toBeLessThanOrEqual(REL_TOL);
  });

  it('refuses an unknown format (exit 1) and a missing model file (exit 2), writing nothing', async () => {
    const bad = await cli(['export', p('churn.cortex'), '--format', 'tflite', '-o', p('no.tflite')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--format/);
    const missing = await cli(['export', p('nothing.cortex')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(existsSync(p('no.tflite'))).toBe(false);
    expect(existsSync(p('nothing.onnx'))).toBe(false);
  });
});
