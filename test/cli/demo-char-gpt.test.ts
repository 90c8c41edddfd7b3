/** `cortex demo char-gpt`, kept short with --iters (the default is 400 steps, about a minute). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_FORTUNES_DIR, load } from '../../src/node.js';
import { cli, cliJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-char-gpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex demo char-gpt', () => {
  it.runIf(existsSync(DEBIAN_FORTUNES_DIR))('trains on fortunes, reports the losses and two samples, and saves a model that loads', async () => {
    const out = join(dir, 'gpt.cortex');
    const { run, json } = await cliJson<{ demo: string; data: string; history: { step: number; valLoss: number }[]; samples: string[]; roundTrip: boolean; parameters: number }>(
      ['demo', 'char-gpt', '--iters', '4', '--out', out],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(json.demo).toBe('char-gpt');
    expect(json.data).toMatch(/^fortunes \(43 files\)/);
    expect(json.history.at(-1)!.step).toBe(4);
    expect(json.history.every((h) => Number.isFinite(h.valLoss))).toBe(true);
    expect(json.samples).toHaveLength(2);
    expect(json.samples[0]!.length).toBe(200);
    expect(json.roundTrip).toBe(true);
    const saved = await load(out);
    expect(saved.model.constructor.name).toBe('GPT');
    expect((saved.training as { tokenizer: { chars: string[] } }).tokenizer.chars).toHaveLength(113);
  });

  it('prints the loss table and the samples', async () => {
    const run = await cli(['demo', 'char-gpt', '--iters', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/step {3}train loss {3}val loss {3}time/);
    expect(run.stdout).toMatch(/sample 2 \(temperature 0\.8, top-k 40\)/);
    expect(run.stdout).toMatch(/reloaded, outputs bit-identical/);
  });

  it('names the package to install when the given folder has no fortunes (exit 2), and checks its flags (exit 1)', async () => {
    const missing = await cli(['demo', 'char-gpt', '--iters', '2', '--data-dir', '/nonexistent/fortunes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the fortunes corpus is not installed\. Install Debian's package with `sudo apt-get install fortunes`/);
    const iters = await cli(['demo', 'char-gpt', '--iters', '0']);
    expect(iters.code).toBe(1);
    expect(iters.stderr).toMatch(/--iters must be a whole number from 1 to 1000000, got "0"/);
    const other = await cli(['demo', 'spiral', '--iters', '3']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--iters applies to the char-gpt demo only, not to spiral/);
    const epochs = await cli(['demo', 'char-gpt', '--epochs', '3']);
    expect(epochs.code).toBe(1);
    expect(epochs.stderr).toMatch(/--epochs applies to the fashion-mnist demo only, not to char-gpt/);
  });
});
