import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/io/node/files.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { cli, cliJson, irisCsv, startCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);
// Every epoch runs (no early stopping), so a kill lands half-way through a long run.
const base = ['train', irisCsv, '--target', 'species', '--layers', '128,128', '--early-stopping', 'off'];

/** The weights of a model file, by name. */
function weights(path: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of decodeSafetensors(new Uint8Array(readFileSync(path))).tensors) out[k] = Array.from(t.data);
  return out;
}

function killWhen(args: string[], when: RegExp): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = startCli(args);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (when.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_c, signal) => resolve(signal));
  });
}

describe('cortex train --checkpoint / --resume', () => {
  it('killed with SIGKILL half-way and resumed, it ends with exactly the weights of an uninterrupted run', async () => {
    const straight = await cliJson<{ epochsRun: number }>([...base, '--epochs', '150', '--out', p('straight.cortex')]);
    expect(straight.run.code, straight.run.stderr).toBe(0);

    const signal = await killWhen([...base, '--epochs', '150', '--checkpoint', p('run.ckpt'), '--out', p('resumed.cortex')], /epoch +42\/150/);
    expect(signal).toBe('SIGKILL');
    expect(existsSync(p('resumed.cortex'))).toBe(false);
    const ckpt = await loadCheckpoint(p('run.ckpt'));
    expect(ckpt.epoch).toBeGreaterThanOrEqual(41);
    expect(ckpt.epoch).toBeLessThan(150);

    const resumed = await cli([...base, '--epochs', '150', '--resume', p('run.ckpt'), '--out', p('resumed.cortex')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resume +.*run\\.ckpt: ${ckpt.epoch} of 150 epochs done`));
    expect(weights(p('resumed.cortex'))).toEqual(weights(p('straight.cortex')));
    expect((await loadCheckpoint(p('run.ckpt'))).epoch).toBe(150);
  }, 120_000);

  it('checkpointing does not change the result, and early stopping resumes exactly too', async () => {
    const opts = ['--early-stopping', '4', '--layers', '32', '--lr', '0.01'];
    const straight = await cliJson<{ epochsRun: number }>(['train', irisCsv, '--target', 'species', ...opts, '--epochs', '80', '--out', p('es.cortex')]);
    expect(straight.run.code).toBe(0);
    expect(straight.json.epochsRun).toBeGreaterThan(6); // stopped early, after the checkpoint below
    expect(straight.json.epochsRun).toBeLessThan(80);
    const part = await cli(['train', irisCsv, '--target', 'species', ...opts, '--epochs', '6', '--checkpoint', p('es.ckpt'), '--out', p('es-part.cortex')]);
    expect(part.code, part.stderr).toBe(0);
    const rest = await cliJson<{ epochsRun: number }>(['train', irisCsv, '--target', 'species', ...opts, '--epochs', '80', '--resume', p('es.ckpt'), '--out', p('es-resumed.cortex')]);
    expect(rest.run.code, rest.run.stderr).toBe(0);
    expect(rest.json.epochsRun).toBe(straight.json.epochsRun);
    expect(weights(p('es-resumed.cortex'))).toEqual(weights(p('es.cortex')));
  }, 120_000);

  it('refuses to resume with different options (exit 1)', async () => {
    const run = await cli(['train', irisCsv, '--target', 'species', '--layers', '32', '--epochs', '3', '--checkpoint', p('x.ckpt'), '--out', p('x.cortex')]);
    expect(run.code).toBe(0);
    const other = await cli(['train', irisCsv, '--target', 'species', '--layers', '32', '--lr', '0.1', '--epochs', '9', '--resume', p('x.ckpt'), '--out', p('x.cortex')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--resume .*x\.ckpt: the checkpoint was made with different options: lr 0\.003 \(now 0\.1\)/);
    const fewer = await cli(['train', irisCsv, '--target', 'species', '--layers', '32', '--epochs', '2', '--resume', p('x.ckpt'), '--out', p('x.cortex')]);
    expect(fewer.code).toBe(1);
    expect(fewer.stderr).toMatch(/has already trained 3 epochs, more than --epochs 2; pass --epochs 3 to save its model, or more to train further/);
  });

  it('a checkpoint with every epoch (killed after it, before the save) just writes the model, with its metrics', async () => {
    const args = ['train', irisCsv, '--target', 'species', '--layers', '32', '--epochs', '5', '--early-stopping', '10'];
    const full = await cliJson<{ metrics: unknown; epochsRun: number }>([...args, '--checkpoint', p('all.ckpt'), '--out', p('all.cortex')]);
    expect(full.run.code, full.run.stderr).toBe(0);
    const first = weights(p('all.cortex'));
    rmSync(p('all.cortex')); // as if killed between the last checkpoint and the save
    const ckpt = readFileSync(p('all.ckpt'));
    const resumed = await cliJson<{ metrics: unknown; epochsRun: number }>([...args, '--resume', p('all.ckpt'), '--out', p('all.cortex')]);
    expect(resumed.run.code, resumed.run.stderr).toBe(0);
    expect(resumed.json.epochsRun).toBe(5);
    expect(resumed.json.metrics).toEqual(full.json.metrics);
    expect(weights(p('all.cortex'))).toEqual(first);
    expect(readFileSync(p('all.ckpt')).equals(ckpt)).toBe(true); // nothing trained, nothing rewritten
    const info = await cliJson<{ metrics: unknown }>(['info', p('all.cortex')]);
    expect(info.json.metrics).toEqual(full.json.metrics);
    const again = await cli([...args, '--resume', p('all.ckpt'), '--out', p('all.cortex')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/5 of 5 epochs done; nothing left to train, saving the model/);
  }, 60_000);
});
