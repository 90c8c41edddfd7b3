// `cortex train` with its defaults against scikit-learn on four small public tables: the
// test score must be within 0.02 of the better of scikit-learn's MLP and linear model
// (fixtures and reference scores from scripts/sklearn-defaults.py).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliJson, root } from './helpers.js';

interface Reference {
  sets: Record<string, { task: string; metric: 'accuracy' | 'r2'; mlp: number; linear: number; best: number; trainRows: number }>;
}

const fixtures = join(root, 'test', 'fixtures', 'tables');
const reference = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as Reference;
const dir = mkdtempSync(join(tmpdir(), 'cortex-defaults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex train defaults on small public tables', () => {
  for (const [name, ref] of Object.entries(reference.sets)) {
    it(`${name}: within 0.02 of scikit-learn's best (${ref.metric} ${ref.best})`, async () => {
      const model = join(dir, `${name}.cortex`);
      const train = await cli(['train', join(fixtures, `${name}-train.csv`), '--target', 'target', '--out', model]);
      expect(train.code, train.stderr).toBe(0);
      // Early stopping is on by default and keeps the best epoch.
      expect(train.stdout).toMatch(/early stopping|epochs in/);
      const { run, json } = await cliJson<{ metrics: Record<string, number> }>(['evaluate', model, join(fixtures, `${name}-test.csv`), '--json']);
      expect(run.code, run.stderr).toBe(0);
      const score = json.metrics[ref.metric]!;
      expect(score).toBeGreaterThanOrEqual(ref.best - 0.02);
    }, 120_000);
  }
});

describe('cortex train regularisation and guard flags', () => {
  const iris = join(root, 'data', 'iris.csv');

  it('--dropout adds dropout after each hidden layer; predictions run in evaluation mode', async () => {
    const model = join(dir, 'drop.cortex');
    const run = await cli(['train', iris, '--target', 'species', '--dropout', '0.2', '--weight-decay', '0', '--epochs', '20', '--out', model]);
    expect(run.code, run.stderr).toBe(0);
    const info = await cli(['info', model]);
    expect(info.stdout).toMatch(/Dropout/);
    expect(info.stdout).toMatch(/dropout\s+0\.2/);
    const a = await cli(['predict', model, iris]);
    const b = await cli(['predict', model, iris]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout); // no dropout at prediction time
    const bad = await cli(['train', iris, '--target', 'species', '--dropout', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--dropout must be a fraction in \[0, 1\), got "1"/);
  }, 60_000);

  it('warns when --early-stopping has no validation split to watch', async () => {
    const run = await cli(['train', iris, '--target', 'species', '--early-stopping', '3', '--val-split', '0', '--epochs', '5', '--out', join(dir, 'es.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/--early-stopping with --val-split 0 watches the training loss/);
  }, 60_000);

  it('refuses classification with more than 50 classes (exit 2) instead of printing a huge confusion matrix', async () => {
    const csv = join(dir, 'many.csv');
    writeFileSync(csv, `x,y\n${Array.from({ length: 300 }, (_, i) => `${i / 10},${i % 120}`).join('\n')}\n`);
    const run = await cli(['train', csv, '--target', 'y', '--task', 'classification', '--out', join(dir, 'many.cortex')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the target has 120 distinct values in the training rows; classification takes at most 50 classes/);
    expect(run.stderr).toMatch(/--task regression/);
  }, 60_000);
});
