/**
 * Export then import: every model of the export suite, written by `exportOnnx` and read back
 * by `importOnnx`, computes what the original computes (at a batch size other than the
 * sample's), and the imported copy still trains: a gradient reaches every weight.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx, importOnnx, type Tensor } from '../../src/index.js';
import { EXPORT_CASES } from './export-cases.js';

function maxRelError(actual: Tensor, expected: Tensor): number {
  const a = Array.from(actual.dataSync());
  const e = Array.from(expected.dataSync());
  const scale = Math.max(1e-6, ...e.map(Math.abs));
  return Math.max(0, ...a.map((v, i) => Math.abs(v - (e[i] ?? Number.NaN)) / scale));
}

describe.each(EXPORT_CASES)('ONNX round trip: $name', (c) => {
  it('imports to a module with the same outputs, whose parameters all receive gradients', () => {
    const model = c.model();
    model.eval();
    const imported = importOnnx(exportOnnx(model, { sampleInput: c.input(2) }));
    const x = c.input(5);
    const want = model.forward(x);
    const got = imported.forward(x);
    expect(got.shape).toEqual(want.shape);
    expect(maxRelError(got, want)).toBeLessThanOrEqual(1e-5);

    const params = imported.parameters();
    if (params.length === 0) return;
    imported.forward(x).pow(2).sum().backward();
    for (const p of params) expect(p.grad, 'a parameter without a gradient').not.toBeNull();
  });
});
