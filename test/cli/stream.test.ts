import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Generator } from '../../src/tensor/random.js';
import { cli, irisCsv, startCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('predict streams a large CSV in bounded memory: one output row per input row, ids in order', async () => {
  const model = join(dir, 'iris.cortex');
  expect((await cli(['train', irisCsv, '--target', 'species', '--epochs', '10', '--out', model])).code).toBe(0);
  // 300,000 rows (30 chunks) with an id column in the middle.
  const rows = readFileSync(irisCsv, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(0, 4));
  const g = new Generator(3);
  const n = 300_000;
  const parts = ['sepal_length,sepal_width,row_id,petal_length,petal_width'];
  for (let i = 0; i < n; i++) {
    const r = rows[g.nextInt(0, rows.length)]!;
    parts.push(`${r[0]},${r[1]},r${i},${r[2]},${r[3]}`);
  }
  const input = join(dir, 'big.csv');
  writeFileSync(input, `${parts.join('\n')}\n`);
  const out = join(dir, 'preds.csv');
  // With an 80 MB heap limit; the data layer reads 10,000-row chunks, predictions are written per chunk.
  const run = await cli(['predict', model, input, '--id', 'row_id', '--out', out], { NODE_OPTIONS: '--max-old-space-size=80' });
  expect(run.code, run.stderr).toBe(0);
  expect(statSync(input).size).toBeGreaterThan(4_000_000);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('row_id,species');
  expect(lines).toHaveLength(n + 1);
  for (const i of [0, 9_999, 10_000, 123_456, n - 1]) expect(lines[i + 1]).toMatch(new RegExp(`^r${i},(setosa|versicolor|virginica)$`));
  expect(run.stdout).toMatch(/wrote {3}300000 predictions/);

  // Piped into a reader that stops early (`| head`), predict ends quietly with exit code 0.
  const early = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = startCli(['predict', model, input]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout!.once('data', () => child.stdout!.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
  expect(early.stderr).toBe('');
  expect(early.code).toBe(0);
}, 120_000);
