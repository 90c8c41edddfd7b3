import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFashionMnistDir } from '../../src/node.js';
import { cli, cliJson, irisCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex demo', () => {
  it('xor learns the problem and round-trips the model file', async () => {
    const { run, json } = await cliJson<{ demo: string; metrics: Record<string, { accuracy: number }>; roundTrip: string }>(['demo', 'xor']);
    expect(run.code, run.stderr).toBe(0);
    expect(json.demo).toBe('xor');
    expect(json.metrics.validation!.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(json.roundTrip).toMatch(/bit-identical/);
  });

  it('iris prints the metrics table, the confusion matrix and the round trip', async () => {
    const run = await cli(['demo', 'iris']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/accuracy\s+\d\.\d{4}/);
    expect(run.stdout).toMatch(/true \\ predicted\s+setosa/);
    expect(run.stdout).toMatch(/reloaded, outputs bit-identical/);
  });

  it('fashion-mnist without the data says how to install it (exit 2)', async () => {
    const run = await cli(['demo', 'fashion-mnist', '--data-dir', '/nonexistent/fashion']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Fashion-MNIST is not available \(the IDX files are not in \/nonexistent\/fashion\)\. Install it with `sudo apt-get install dataset-fashion-mnist`/);
  });

  it('fashion-mnist rejects an unknown --model and a bad --epochs; the fashion flags apply to it only (exit 1)', async () => {
    const model = await cli(['demo', 'fashion-mnist', '--model', 'rnn']);
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/--model.*rnn/);
    const epochs = await cli(['demo', 'fashion-mnist', '--model', 'cnn', '--epochs', '0']);
    expect(epochs.code).toBe(1);
    expect(epochs.stderr).toMatch(/--epochs must be a positive integer, got "0"/);
    const other = await cli(['demo', 'xor', '--full']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--full applies to the fashion-mnist demo only/);
  });

  // About a minute on 2 cores: 8,000 training images, one epoch.
  it.skipIf(findFashionMnistDir() === null)('fashion-mnist --model cnn trains, saves, and cortex info shows every layer\'s output shape', async () => {
    const path = join(dir, 'fashion-cnn.cortex');
    const { run, json } = await cliJson<{ model: string; trainImages: number; epochs: { epoch: number; testAccuracy: number }[]; metrics: { test: { accuracy: number } }; roundTrip: string; saved: string }>([
      'demo', 'fashion-mnist', '--model', 'cnn', '--epochs', '1', '--out', path,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.model).toBe('cnn');
    expect(json.trainImages).toBe(8000);
    expect(json.epochs).toHaveLength(1);
    // Measured: 78.6% after one epoch on 8,000 images (seed 42).
    expect(json.metrics.test.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(json.roundTrip).toMatch(/bit-identical/);
    expect(json.saved).toBe(path);
    const info = await cli(['info', path]);
    expect(info.code, info.stderr).toBe(0);
    for (const s of ['Input shape: [1, 1, 28, 28]', '[1, 32, 14, 14]', '[1, 64, 7, 7]', '[1, 3136]', '[1, 10]']) expect(info.stdout).toContain(s);
    // cortex evaluate reads the saved image model and scores the full 10,000 test images.
    const evaluated = await cliJson<{ images: number; classes: string[]; metrics: { accuracy: number; confusion: number[][] } }>(['evaluate', path, 'fashion-mnist']);
    expect(evaluated.run.code, evaluated.run.stderr).toBe(0);
    expect(evaluated.json.images).toBe(10_000);
    expect(evaluated.json.classes).toContain('Ankle boot');
    expect(evaluated.json.metrics.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(evaluated.json.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    const table = await cli(['evaluate', path, join(findFashionMnistDir()!, 't10k-images-idx3-ubyte.gz')]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/image classifier, input 1×28×28, 10 classes/);
    expect(table.stdout).toMatch(/confusion matrix/);
    const wrong = await cli(['evaluate', path, irisCsv]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/the model is an image classifier, and this is not labelled images\. Pass "fashion-mnist"/);
    expect(wrong.stderr).not.toMatch(/ {4}at /);
  });
});
