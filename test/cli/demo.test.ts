import { describe, expect, it } from 'vitest';
import { cli, cliJson } from './helpers.js';

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
});
