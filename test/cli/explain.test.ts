// `cortex explain`: attributions per original column, one-hot columns summed back, a global
// importance chart, JSON, and completeness checked through the command's own output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../src/tensor/random.js';
import { cli, cliJson, irisCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const iris = join(dir, 'iris.cortex');
const shapes = join(dir, 'shapes.csv');
const shapesModel = join(dir, 'shapes.cortex');

interface Explained {
  method: string;
  rows: { row: number; prediction: string | number; attributions: Record<string, number> }[];
  importance: Record<string, number>;
}

beforeAll(async () => {
  expect((await cli(['train', irisCsv, '--target', 'species', '--out', iris])).code).toBe(0);
  // y = 3·a − 2·b + an offset per colour (a text column, one-hot encoded); c is noise-free filler.
  const g = new Generator(11);
  const offset: Record<string, number> = { red: 2, green: 0, blue: -2 };
  const lines = ['a,b,c,colour,y'];
  for (let i = 0; i < 400; i++) {
    const [a, b, c] = [g.nextNormal(), g.nextNormal(), g.nextNormal()];
    const colour = ['red', 'green', 'blue'][i % 3]!;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${colour},${(3 * a - 2 * b + offset[colour]!).toFixed(4)}`);
  }
  writeFileSync(shapes, `${lines.join('\n')}\n`);
  expect((await cli(['train', shapes, '--target', 'y', '--out', shapesModel])).code).toBe(0);
}, 300_000);

describe('cortex explain', () => {
  it('explains each iris row by its four columns; petals matter most', async () => {
    const { run, json } = await cliJson<Explained>(['explain', iris, irisCsv, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(json.method).toBe('integrated-gradients');
    expect(json.rows).toHaveLength(150);
    expect(Object.keys(json.rows[0]!.attributions).sort()).toEqual(['petal_length', 'petal_width', 'sepal_length', 'sepal_width']);
    const ranked = Object.keys(json.importance);
    expect(ranked.slice(0, 2).sort()).toEqual(['petal_length', 'petal_width']);
    const text = await cli(['explain', iris, irisCsv, '--rows', '3']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/row 2 → setosa: /);
    expect(text.stdout).toMatch(/global importance/);
    expect(text.stdout).toMatch(/petal_\w+ +█+/);
    expect(text.stderr).toMatch(/explaining the first 3 of 150 rows/);
  }, 120_000);

  it('sums a one-hot column back to its name, and attributions add up to the prediction (completeness)', async () => {
    const { run, json } = await cliJson<Explained>(['explain', shapesModel, shapes, '--rows', '50', '--steps', '300', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(json.rows[0]!.attributions).sort()).toEqual(['a', 'b', 'c', 'colour']);
    // prediction − Σ attributions is F(baseline): the same for every row.
    const rest = json.rows.map((r) => (r.prediction as number) - Object.values(r.attributions).reduce((s, v) => s + v, 0));
    const spread = Math.max(...rest) - Math.min(...rest);
    // The target spans about ±10; ReLU's kinks leave a small integration error that 300 steps shrink.
    expect(spread).toBeLessThan(0.02);
    expect(Object.keys(json.importance)[0]).toBe('a');
    expect(json.importance.c!).toBeLessThan(json.importance.b!);
  }, 120_000);

  it('other methods, and bad flags', async () => {
    for (const method of ['gradient-shap', 'ablation', 'input-x-gradient']) {
      const r = await cliJson<Explained>(['explain', iris, irisCsv, '--rows', '10', '--method', method, '--json']);
      expect(r.run.code, r.run.stderr).toBe(0);
      expect(r.json.rows).toHaveLength(10);
    }
    const bad = await cli(['explain', iris, irisCsv, '--method', 'magic']);
    expect(bad.code).toBe(1);
    const missing = join(dir, 'cols.csv');
    writeFileSync(missing, 'sepal_length,sepal_width\n1,2\n');
    const r = await cli(['explain', iris, missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/petal_length/);
  }, 120_000);
});
