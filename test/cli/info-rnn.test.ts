/**
 * `cortex info` on a saved LSTM: the layer prints with its output and final-state shapes,
 * run on the example shape the file records, batched where the model reads the batch
 * (dimension 1 of a time-major model).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, Linear, LSTM, RecurrentOutput, Sequential } from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-info-rnn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex info on recurrent layers', () => {
  it('prints an LSTM with its output shapes', async () => {
    const path = join(dir, 'lstm.cortex');
    await save(new LSTM(3, 6, { batchFirst: true, numLayers: 2, generator: new Generator(3) }), path, { training: { inputShape: [7, 3] } });
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('LSTM');
    expect(run.stdout).toContain('[1, 7, 6], [2, 1, 6], [2, 1, 6]');
  });

  // rnn-seq: a sequence classifier, Sequential(RecurrentOutput(LSTM), Linear).
  it('prints a Sequential sequence classifier with one shape per layer', async () => {
    const path = join(dir, 'classifier.cortex');
    const model = new Sequential(new RecurrentOutput(new LSTM(3, 6, { batchFirst: true, generator: new Generator(3) }), 'last'), new Linear(6, 2));
    await save(model, path, { training: { inputShape: [7, 3] } });
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('RecurrentOutput');
    expect(run.stdout).toContain('[1, 6]');
    expect(run.stdout).toContain('[1, 2]');
  });

  it('runs a time-major classifier on [seq, 1, features]', async () => {
    const path = join(dir, 'time-major.cortex');
    const model = new Sequential(new RecurrentOutput(new LSTM(3, 6, { generator: new Generator(3) }), 'all'), new Linear(6, 2));
    await save(model, path, { training: { inputShape: [7, 3] } });
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('[7, 1, 6]');
    expect(run.stdout).toContain('[7, 1, 2]');
  });
});
