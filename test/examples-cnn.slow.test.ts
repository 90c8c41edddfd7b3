/**
 * examples/fashion-cnn.ts on a Fashion-MNIST subset (about 13 s on 2 cores): full tier only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as fashionCnn } from '../examples/fashion-cnn.js';
import { infoCommand } from '../src/cli/commands/info.js';
import type { Output } from '../src/cli/style.js';
import { evaluate, Tensor } from '../src/index.js';
import { findFashionMnistDir, load, loadFashionMnist } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'cortex-examples-cnn-'));
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
