/**
 * `cortex info` on image models: a model that starts with `Unflatten` shows every layer's
 * output shape (the flat input width comes from the Unflatten), and one whose input width
 * cannot be guessed still gets its layer table, without shapes, instead of an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdaptiveAvgPool2d, BatchNorm2d, Flatten, Generator, GroupNorm, Linear, MaxPool2d, Sequential, Unflatten } from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-info-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex info on pooling models', () => {
  it('prints the output shape of every layer of an Unflatten-fronted model', async () => {
    const net = new Sequential(
      new Unflatten(1, [1, 8, 8]),
      new BatchNorm2d(1),
      new MaxPool2d(2),
      new AdaptiveAvgPool2d([2, 2]),
      new Flatten(),
      new Linear(4, 3, { generator: new Generator(1) }),
    );
    const path = join(dir, 'cnn.cortex');
    await save(net, path);
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    for (const s of ['[1, 1, 8, 8]', '[1, 1, 4, 4]', '[1, 1, 2, 2]', '[1, 4]', '[1, 3]']) expect(run.stdout).toContain(s);
    expect(run.stdout).toContain('BatchNorm2d');
  });

  it('prints the layers without shapes when a flat sample does not fit the model', async () => {
    const net = new Sequential(new GroupNorm(1, 2), new MaxPool2d(2), new Flatten(), new Linear(8, 2, { generator: new Generator(2) }));
    const path = join(dir, 'image-input.cortex');
    await save(net, path);
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('GroupNorm');
    expect(run.stdout).toContain('MaxPool2d');
  });
});
