/**
 * The PyTorch bridge (scripts/torch_bridge.py), checked from committed results so the test
 * needs no Python: for each fixture model, PyTorch's outputs after loading the `.cortex`
 * weights into the equivalent torch.nn module equal Cortex's, and the weights PyTorch wrote
 * back (`*.back.cortex`, every tensor changed) load in Cortex, checksum and all, and give
 * PyTorch's outputs again. Regenerate with the commands in scripts/bridge-fixtures.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applicable, forward } from '../../src/cli/model-data.js';
import { readCsvFile } from '../../src/data/node/csv-file.js';
import { tensor } from '../../src/index.js';
import { load } from '../../src/io/node/files.js';

const dir = new URL('../fixtures/bridge/', import.meta.url).pathname;
const names = ['mlp', 'norms', 'embedding', 'nested', 'vision-cnn', 'cnn'] as const;

type Nested = number | Nested[];

function flat(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v];
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
  }
}

describe.each(names)('torch bridge: %s', (name) => {
  const inputs = JSON.parse(readFileSync(`${dir}${name}.inputs.json`, 'utf8')) as Nested;
  const torch = JSON.parse(readFileSync(`${dir}${name}.torch.json`, 'utf8')) as { torch: string; outputs: Nested; backOutputs: Nested };
  const x = name === 'embedding' ? tensor(inputs as number[][], { dtype: 'int32' }) : tensor(inputs as number[][]);

  it('PyTorch, given the .cortex weights, computes what Cortex computes', async () => {
    const { model } = await load(`${dir}${name}.cortex`);
    expectClose(flat(model.forward(x).toArray() as Nested), flat(torch.outputs));
  });

  it('weights written back from PyTorch load in Cortex and give PyTorch’s outputs', async () => {
    const original = await load(`${dir}${name}.cortex`);
    const back = await load(`${dir}${name}.back.cortex`);
    const out = flat(back.model.forward(x).toArray() as Nested);
    expectClose(out, flat(torch.backOutputs));
    expect(out).not.toEqual(flat(original.model.forward(x).toArray() as Nested));
    // Every tensor changed, and the rest of the document came through untouched.
    const before = original.model.stateDict();
    for (const [key, value] of Object.entries(back.model.stateDict())) expect(value.toArray(), key).not.toEqual(before[key]?.toArray());
    expect(back.training).toEqual(original.training);
    expect(back.metrics).toEqual(original.metrics);
  });
});

/**
 * scripts/ddp-fixtures.sh: `cortex train` on a table with missing cells, then 30 more epochs
 * with PyTorch DistributedDataParallel on two CPU processes (scripts/ddp_train.py), written
 * back as a `.cortex` file. Evaluated on a file with an unseen category.
 */
describe('torch bridge: DDP round trip of a `cortex train` model', () => {
  const ddp = `${dir}ddp/`;
  const report = JSON.parse(readFileSync(`${ddp}report.json`, 'utf8')) as {
    worldSize: number;
    backend: string;
    before: { accuracy: number; loss: number };
    after: { accuracy: number; loss: number };
    evalFeatures: number[][];
    evalOutputs: number[][];
  };

  it('ran on two processes and improved the model', () => {
    expect(report.worldSize).toBe(2);
    expect(report.backend).toBe('gloo');
    expect(report.after.loss).toBeLessThan(report.before.loss * 0.8);
    expect(report.after.accuracy).toBeGreaterThan(0.85);
  });

  it('PyTorch read the CSV through the model’s own preprocessing exactly as Cortex does', async () => {
    const app = applicable(await load(`${ddp}model.cortex`), 'model.cortex');
    const table = await readCsvFile(`${ddp}eval.csv`, { types: app.pipeline.columnTypes() });
    const { x } = app.pipeline.transform(table);
    expectClose(Array.from(x), report.evalFeatures.flat());
  });

  it('the model trained with DDP loads in Cortex and predicts what PyTorch predicted', async () => {
    const app = applicable(await load(`${ddp}model.ddp.cortex`), 'model.ddp.cortex');
    const table = await readCsvFile(`${ddp}eval.csv`, { types: app.pipeline.columnTypes() });
    const { x, y, rows, cols } = app.pipeline.transform(table);
    const out = forward(app.model, x, rows, cols);
    expectClose(Array.from(out), report.evalOutputs.flat());
    let right = 0;
    for (let i = 0; i < rows; i++) if ((out[2 * i + 1]! > out[2 * i]! ? 1 : 0) === y?.[i]) right++;
    expect(right / rows).toBeCloseTo(report.after.accuracy, 10);
    expect(app.saved.training?.continuedWith).toMatch(/DDP, 2 process/);
  });
});
