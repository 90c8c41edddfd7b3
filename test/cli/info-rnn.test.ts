/**
 * `cortex info` on a saved LSTM: the layer prints with its output and final-state shapes,
 * run on the example shape the file records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, LSTM } from '../../src/index.js';
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
});
