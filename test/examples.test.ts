import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run as fashionCnn } from '../examples/fashion-cnn.js';
import { run as regression } from '../examples/regression.js';
import { run as seed } from '../examples/seed.js';
import { run as spiral } from '../examples/spiral.js';
import { run as xor } from '../examples/xor.js';
import { infoCommand } from '../src/cli/commands/info.js';
import type { Output } from '../src/cli/style.js';
import { evaluate, Tensor } from '../src/index.js';
import { findFashionMnistDir, load, loadFashionMnist } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'cortex-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An Output that keeps the lines `cortex info` prints. */
function captured(): { out: Output; lines: string[] } {
  const lines: string[] = [];
  const id = (s: string) => s;
  const out: Output = {
    json: false,
    verbose: false,
    tty: false,
    line: (t = '') => lines.push(t),
    note: (t) => lines.push(t),
    warn: (t) => lines.push(t),
    result: () => {},
    c: { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id },
  };
  return { out, lines };
}

describe('examples keep working', () => {
  it('seed.ts: corrected backward formulas equal autograd, and the network learns', () => {
    const r = seed();
    expect(r.maxGradDiff).toBeLessThan(1e-6);
    expect(r.finalLoss).toBeLessThan(r.initialLoss / 10);
    expect(r.testLoss).toBeLessThan(0.005);
  });

  it('xor.ts reaches MSE < 0.01', () => {
    const r = xor();
    expect(r.mse).toBeLessThan(0.01);
    expect(r.predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });

  it('spiral.ts reaches at least 97% accuracy', () => {
    const r = spiral();
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('regression.ts reaches R² ≥ 0.95', () => {
    const r = regression();
    expect(r.trainR2).toBeGreaterThanOrEqual(0.95);
    expect(r.testR2).toBeGreaterThanOrEqual(0.95);
  });

  it('runs from the command line with npx tsx', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync('npx', ['tsx', 'examples/seed.ts'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/training MSE: [\d.]+ -> [\d.]+; test MSE/);
  });

  // Fashion-MNIST comes from Debian's dataset-fashion-mnist package; without it there is nothing to train on.
  it.skipIf(findFashionMnistDir() === null)('fashion-cnn.ts learns a subset, and its model file reloads with shapes in cortex info', async () => {
    const path = join(tmp, 'fashion-cnn.cortex');
    // Measured (seed 42): test accuracy 71.8%, 71.8%, 78.2% after epochs 1-3 on 2,000 images.
    const r = await fashionCnn({ epochs: 3, train: 2000, test: 500, out: path });
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(r.epochs[2]!.loss).toBeLessThan(r.epochs[0]!.loss);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(r.summary).toContain('[1, 64, 7, 7]');

    const saved = await load(path);
    expect(saved.training?.inputShape).toEqual([1, 28, 28]);
    const test = await loadFashionMnist({ split: 'test', limit: 500 });
    const again = evaluate(saved.model, { x: new Tensor(test.x, [test.n, 1, 28, 28]), y: new Tensor(test.y, [test.n]) }, { loss: 'crossEntropy', metrics: ['accuracy'] });
    expect(again.metrics.accuracy).toBe(r.testAccuracy);

    const { out, lines } = captured();
    await infoCommand(path, out);
    const text = lines.join('\n');
    expect(text).toContain('Input shape: [1, 1, 28, 28]');
    for (const shape of ['[1, 32, 28, 28]', '[1, 32, 14, 14]', '[1, 64, 14, 14]', '[1, 64, 7, 7]', '[1, 3136]', '[1, 128]', '[1, 10]']) expect(text).toContain(shape);
    expect(text).toMatch(/inputShape\s+1,28,28/);
  });
});
