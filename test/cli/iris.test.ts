import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { cli, cliJson, irisCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-iris-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'iris.cortex');

interface SplitMetrics {
  rows: number;
  accuracy: number;
  f1: number;
  confusion: number[][];
}
interface TrainJson {
  task: string;
  classes: string[];
  idColumn: string | null;
  splits: { train: number; validation: number };
  metrics: Record<string, SplitMetrics>;
  out: string;
}

let trained: TrainJson;
beforeAll(async () => {
  const { run, json } = await cliJson<TrainJson>(['train', irisCsv, '--target', 'species', '--out', model]);
  expect(run.code, run.stderr).toBe(0);
  trained = json;
});

describe('cortex train / evaluate / predict / info on iris', () => {
  it('train reaches >= 0.93 accuracy on the held-out split', () => {
    expect(trained.task).toBe('classification');
    expect(trained.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(trained.splits).toEqual({ train: 120, validation: 30 });
    expect(trained.metrics.validation!.rows).toBe(30);
    expect(trained.metrics.validation!.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(trained.out).toBe(model);
  });

  it('prints progress, a metrics table and a confusion matrix with class names', async () => {
    const out = join(dir, 'plain.cortex');
    const run = await cli(['train', irisCsv, '--target', 'species', '--epochs', '20', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/epoch {2}1\/20 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}valLoss/);
    expect(run.stderr).toMatch(/left/);
    expect(run.stdout).toMatch(/accuracy\s+\d\.\d{4}\s+\d\.\d{4}/);
    expect(run.stdout).toMatch(/macro F1/);
    expect(run.stdout).toMatch(/true \\ predicted\s+setosa\s+versicolor\s+virginica/);
    expect(run.stdout + run.stderr).not.toContain('\x1b['); // no colour without a terminal
  });

  it('evaluate on the training file agrees with the metrics train reported', async () => {
    const { run, json } = await cliJson<{ metrics: SplitMetrics }>(['evaluate', model, irisCsv]);
    expect(run.code).toBe(0);
    const all = trained.metrics['all rows']!;
    expect(json.metrics.rows).toBe(150);
    expect(json.metrics.accuracy).toBe(all.accuracy);
    expect(json.metrics.f1).toBe(all.f1);
    expect(json.metrics.confusion).toEqual(all.confusion);
    const plain = await cli(['evaluate', model, irisCsv]);
    expect(plain.stdout).toContain(all.accuracy.toFixed(4));
  });

  it('predict writes one row per input row, with labels or probabilities', async () => {
    const preds = join(dir, 'preds.csv');
    const run = await cli(['predict', model, irisCsv, '--out', preds, '--proba']);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(preds, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('species,proba_setosa,proba_versicolor,proba_virginica');
    expect(lines).toHaveLength(151);
    for (const l of lines.slice(1)) {
      const [label, ...p] = l.split(',');
      expect(['setosa', 'versicolor', 'virginica']).toContain(label);
      expect(p.map(Number).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    const stdout = await cli(['predict', model, irisCsv]);
    expect(stdout.stdout.trimEnd().split('\n')).toHaveLength(151);
    const truth = readFileSync(irisCsv, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[4]);
    const hits = stdout.stdout.trimEnd().split('\n').slice(1).filter((l, i) => l === truth[i]).length;
    expect(hits / 150).toBe(trained.metrics['all rows']!.accuracy);
  });

  it('keeps an id column through training and prediction', async () => {
    const rows = readFileSync(irisCsv, 'utf8').trimEnd().split('\n');
    const withId = [`flower_id,${rows[0]}`, ...rows.slice(1).map((l, i) => `F${String(i + 1).padStart(3, '0')},${l}`)].join('\n');
    const csv = join(dir, 'iris-id.csv');
    writeFileSync(csv, `${withId}\n`);
    const m = join(dir, 'iris-id.cortex');
    const { json } = await cliJson<TrainJson>(['train', csv, '--target', 'species', '--epochs', '30', '--out', m]);
    expect(json.idColumn).toBe('flower_id');
    // Prediction input without the target, in a different row order.
    const input = join(dir, 'new.csv');
    const header = 'sepal_length,sepal_width,petal_length,petal_width,flower_id';
    const body = rows.slice(1).map((l, i) => `${l.split(',').slice(0, 4).join(',')},F${String(i + 1).padStart(3, '0')}`).reverse();
    writeFileSync(input, `${header}\n${body.join('\n')}\n`);
    const run = await cli(['predict', m, input]);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout.trimEnd().split('\n');
    expect(out[0]).toBe('flower_id,species');
    expect(out).toHaveLength(151);
    expect(out[1]).toMatch(/^F150,(setosa|versicolor|virginica)$/);
    expect(out[150]).toMatch(/^F001,/);
    const ndjson = await cli(['predict', m, input, '--json', '--proba']);
    const recs = ndjson.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(150);
    expect(recs[0].flower_id).toBe('F150');
    expect(Object.keys(recs[0].proba)).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('info shows the architecture, parameter count, metrics, configuration and seed', async () => {
    const run = await cli(['info', model]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/0 \(Linear\)\s+\[1, 32\]\s+160/);
    expect(run.stdout).toMatch(/4 \(Linear\)\s+\[1, 3\]\s+51/);
    expect(run.stdout).toContain('Total params: 739');
    expect(run.stdout).toMatch(/seed\s+42/);
    expect(run.stdout).toMatch(/optimizer\s+adam/);
    expect(run.stdout).toMatch(/validation/);
    expect(run.stdout).toContain('classes setosa, versicolor, virginica');
    const { json } = await cliJson<{ parameters: number; layers: { type: string }[]; training: { seed: number } }>(['info', model]);
    expect(json.parameters).toBe(739);
    expect(json.layers.map((l) => l.type)).toEqual(['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    expect(json.training.seed).toBe(42);
  });

  it('the same seed gives the same weights and metrics', async () => {
    const a = join(dir, 'a.cortex');
    const b = join(dir, 'b.cortex');
    await cli(['train', irisCsv, '--target', 'species', '--epochs', '5', '--out', a]);
    await cli(['train', irisCsv, '--target', 'species', '--epochs', '5', '--out', b]);
    const ia = await cliJson<{ metrics: unknown }>(['info', a]);
    const ib = await cliJson<{ metrics: unknown }>(['info', b]);
    expect(ia.json.metrics).toEqual(ib.json.metrics);
    const wa = decodeSafetensors(new Uint8Array(readFileSync(a))).tensors;
    const wb = decodeSafetensors(new Uint8Array(readFileSync(b))).tensors;
    expect([...wa.keys()]).toEqual([...wb.keys()]);
    for (const [k, t] of wa) expect(Array.from(t.data)).toEqual(Array.from(wb.get(k)!.data));
  });

  it('--test reports metrics on a separate file, which must have the training columns', async () => {
    const { run, json } = await cliJson<TrainJson>(['train', irisCsv, '--target', 'species', '--epochs', '10', '--test', irisCsv, '--out', join(dir, 't.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.metrics.test).toEqual(json.metrics['all rows']);
    const partial = join(dir, 'partial.csv');
    writeFileSync(partial, 'sepal_length,sepal_width,species\n1,2,setosa\n');
    const bad = await cli(['train', irisCsv, '--target', 'species', '--epochs', '1', '--test', partial, '--out', join(dir, 't2.cortex')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/partial\.csv, row 1, column "petal_length": the model needs the training columns petal_length, petal_width/);
  });
});
