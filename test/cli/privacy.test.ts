import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrivacySpent as Privacy } from '../../src/cli/privacy.js';
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
});
