import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrivacySpent as Privacy } from '../../src/cli/privacy.js';
import { loadCheckpoint } from '../../src/io/node/files.js';
import { RDPAccountant } from '../../src/privacy/index.js';
import { cli, cliJson, irisCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-dp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex train --dp-epsilon', () => {
  it('trains privately, prints the ε spent, stores it in the model file, and cortex info shows it', async () => {
    const model = join(dir, 'iris-dp.cortex');
    const args = ['train', irisCsv, '--target', 'species', '--epochs', '15', '--early-stopping', 'off', '--optimizer', 'sgd', '--lr', '0.5'];
    const dp = ['--dp-epsilon', '3', '--dp-delta', '1e-5', '--max-grad-norm', '1', '--out', model];
    const run = await cli([...args, ...dp]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/privacy DP-SGD for ε = 3 at δ = 0\.00001: noise σ = \d+\.\d{4}/);
    const line = /privacy \(ε = (\d\.\d{3}), δ = 0\.00001\)-differentially private; DP-SGD, (\d+) steps/.exec(run.stdout);
    expect(line, run.stdout).not.toBeNull();
    const eps = Number(line![1]);
    expect(eps).toBeLessThanOrEqual(3);
    expect(eps).toBeGreaterThan(2.9);
    expect(run.stdout).not.toMatch(/NOT private/);

    const info = await cli(['info', model]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/privacy {3}\(ε = \d\.\d{3}, δ = 0\.00001\)-differentially private; DP-SGD/);
    const { json } = await cliJson<{ training: { privacy: Privacy } }>(['info', model]);
    const p = json.training.privacy;
    expect(p.mechanism).toBe('DP-SGD');
    expect(p.accountant).toBe('rdp');
    expect(p.epsilon).toBeCloseTo(eps, 3);
    expect(p.targetEpsilon).toBe(3);
    expect(p.maxGradNorm).toBe(1);
    expect(p.secure).toBe(true);
    // 120 training rows, batch 32: q = 1/4, 4 steps per epoch, 15 epochs.
    expect(p.sampleRate).toBeCloseTo(0.25);
    expect(p.steps).toBe(60);
  });

  it('--json reports the privacy spent', async () => {
    const { run, json } = await cliJson<{ privacy: Privacy | null }>([
      'train', irisCsv, '--target', 'species', '--epochs', '3', '--dp-epsilon', '8', '--out', join(dir, 'j.cortex'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json.privacy!.epsilon).toBeLessThanOrEqual(8);
    expect(json.privacy!.delta).toBe(1e-5);
  });

  it('refuses flags that cannot work with private training', async () => {
    const base = ['train', irisCsv, '--target', 'species', '--epochs', '1', '--out', join(dir, 'x.cortex')];
    const stray = await cli([...base, '--max-grad-norm', '1']);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toMatch(/--max-grad-norm only applies to private training; add --dp-epsilon/);
    const clip = await cli([...base, '--dp-epsilon', '3', '--clip-grad-norm', '1']);
    expect(clip.code).toBe(1);
    expect(clip.stderr).toMatch(/--clip-grad-norm cannot be combined with --dp-epsilon/);
    const delta = await cli([...base, '--dp-epsilon', '3', '--dp-delta', '2']);
    expect(delta.code).toBe(1);
    expect(delta.stderr).toMatch(/--dp-delta must be below 1/);
    const eps = await cli([...base, '--dp-epsilon', '-1']);
    expect(eps.code).toBe(1);
    expect(eps.stderr).toMatch(/--dp-epsilon must be a number greater than 0/);
  });

  it('--resume continues a private run: the accountant history is restored, so the ε printed and stored covers the whole run', async () => {
    const ckpt = join(dir, 'dp.ckpt');
    const base = ['train', irisCsv, '--target', 'species', '--early-stopping', 'off', '--dp-epsilon', '4', '--checkpoint', ckpt];
    const first = await cliJson<{ privacy: Privacy }>([...base, '--epochs', '3', '--out', join(dir, 'r1.cortex')]);
    expect(first.run.code, first.run.stderr).toBe(0);
    const p1 = first.json.privacy;
    expect(p1.steps).toBe(12); // q = 1/4: 4 steps per epoch
    const saved = (await loadCheckpoint(ckpt)).extra as { privacy: { noiseMultiplier: number; accountant: unknown } };
    expect(saved.privacy.noiseMultiplier).toBe(p1.noiseMultiplier);
    expect(RDPAccountant.fromJSON(saved.privacy.accountant).history).toEqual([{ noiseMultiplier: p1.noiseMultiplier, sampleRate: 0.25, steps: 12 }]);

    const r2 = join(dir, 'r2.cortex');
    const resumed = await cli(['train', irisCsv, '--target', 'species', '--early-stopping', 'off', '--dp-epsilon', '4', '--resume', ckpt, '--epochs', '6', '--out', r2]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed with the checkpoint's σ and accountant: ε = \d\.\d{3} spent before this run/);
    expect(resumed.stdout).toMatch(/-differentially private; DP-SGD, 24 steps/);
    const p2 = (await cliJson<{ training: { privacy: Privacy } }>(['info', r2])).json.training.privacy;
    expect(p2.steps).toBe(24);
    expect(p2.noiseMultiplier).toBe(p1.noiseMultiplier);
    const whole = new RDPAccountant();
    for (let i = 0; i < 24; i++) whole.step({ noiseMultiplier: p1.noiseMultiplier, sampleRate: 0.25 });
    expect(p2.epsilon).toBeCloseTo(whole.getEpsilon(1e-5), 10);
    expect(p2.epsilon).toBeGreaterThan(p1.epsilon);
    const after = (await loadCheckpoint(ckpt)).extra as { privacy: { accountant: unknown } };
    expect(RDPAccountant.fromJSON(after.privacy.accountant).history[0]!.steps).toBe(24);

    // A private checkpoint resumes only privately, with the same budget; an ordinary one never privately.
    const plain = await cli(['train', irisCsv, '--target', 'species', '--early-stopping', 'off', '--resume', ckpt, '--epochs', '8', '--out', join(dir, 'r3.cortex')]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/the checkpoint is of a private run/);
    const other = await cli([...base.slice(0, -4), '--dp-epsilon', '2', '--resume', ckpt, '--epochs', '8', '--out', join(dir, 'r4.cortex')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/different options: privacy/);
    const ordinaryCkpt = join(dir, 'plain.ckpt');
    const ord = await cli(['train', irisCsv, '--target', 'species', '--early-stopping', 'off', '--epochs', '1', '--checkpoint', ordinaryCkpt, '--out', join(dir, 'r5.cortex')]);
    expect(ord.code, ord.stderr).toBe(0);
    const mixed = await cli(['train', irisCsv, '--target', 'species', '--early-stopping', 'off', '--dp-epsilon', '4', '--resume', ordinaryCkpt, '--epochs', '2', '--out', join(dir, 'r6.cortex')]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/different options: privacy/);
  });
});
