import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../src/io/node/files.js';
import { cli, irisCsv, startCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'iris.cortex');
let earlier: Buffer;

beforeAll(async () => {
  const run = await cli(['train', irisCsv, '--target', 'species', '--epochs', '5', '--out', model]);
  expect(run.code, run.stderr).toBe(0);
  earlier = readFileSync(model);
});

/** Starts `cortex train` into `out`; once stderr matches `when`, waits `delayMs` and sends SIGKILL. */
function trainAndKill(args: string[], when: RegExp, delayMs: number): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = startCli(['train', irisCsv, '--target', 'species', ...args]);
    let stderr = '';
    let armed = false;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!armed && when.test(stderr)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr }));
  });
}

describe('cortex train killed with SIGKILL', () => {
  it('halfway through training leaves no partial file, and the earlier model survives unchanged', async () => {
    const r = await trainAndKill(['--epochs', '5000', '--early-stopping', 'off', '--out', model], /epoch +1\/5000/, 300);
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(model).equals(earlier)).toBe(true);
    expect(readdirSync(dir)).toEqual(['iris.cortex']);
    expect((await load(model)).model.numParameters()).toBe(739);
  }, 60_000);

  it('at any moment around the save, the file is the earlier model or a complete new one', async () => {
    const outcomes = new Set<string>();
    for (const delay of [0, 3, 10, 30]) {
      const out = join(dir, `race-${delay}.cortex`);
      copyFileSync(model, out);
      const r = await trainAndKill(['--epochs', '30', '--early-stopping', 'off', '--layers', '128,128', '--out', out], /epoch +30\/30/, delay);
      const now = readFileSync(out);
      if (now.equals(earlier)) outcomes.add('earlier');
      else {
        // A complete new model: it loads (every byte checksummed), it is the 30-epoch run, and
        // its file is exactly what a save writes (no trailing or missing bytes).
        const saved = await load(out);
        expect(saved.training?.epochs).toBe(30);
        expect(saved.model.numParameters()).toBe(4 * 128 + 128 + 128 * 128 + 128 + 128 * 3 + 3);
        outcomes.add(r.signal === 'SIGKILL' ? 'new (killed after the rename)' : 'new');
      }
      // Any temporary file left behind (by this kill or an earlier one) is hidden and named after its target.
      for (const f of readdirSync(dir)) if (f.startsWith('.')) expect(f).toMatch(/^\.race-\d+\.cortex\.\d+\.[0-9a-f]{8}\.tmp$/);
    }
    // Every one of the four runs ended in one of the two whole files (checked above, each time).
    expect(outcomes.size).toBeGreaterThan(0);
  }, 120_000);
});
