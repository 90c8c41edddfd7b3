import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run as regression } from '../examples/regression.js';
import { run as seed } from '../examples/seed.js';
import { run as spiral } from '../examples/spiral.js';
import { run as xor } from '../examples/xor.js';

describe('examples keep working', () => {
  it('seed.ts: corrected backward formulas equal autograd, and the network learns', () => {
    const r = seed();
    expect(r.maxGradDiff).toBeLessThan(1e-6);
    expect(r.finalLoss).toBeLessThan(r.initialLoss / 10);
    expect(r.testLoss).toBeLessThan(0.005);
  });

  it('xor.ts reaches MSE < 0.01', () => {
    const r = xor();
    expect(r.mse).toBeLessThan(0.01);
    expect(r.predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });

  it('spiral.ts reaches at least 97% accuracy', () => {
    const r = spiral();
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('regression.ts reaches R² ≥ 0.95', () => {
    const r = regression();
    expect(r.trainR2).toBeGreaterThanOrEqual(0.95);
    expect(r.testR2).toBeGreaterThanOrEqual(0.95);
  });

  it('runs from the command line with npx tsx', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync('npx', ['tsx', 'examples/seed.ts'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/training MSE: [\d.]+ -> [\d.]+; test MSE/);
  });
});
