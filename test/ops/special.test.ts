import { describe, expect, it } from 'vitest';
import { erf, gradcheck, gradgradcheck, tensor } from '../../src/index.js';

describe('erf', () => {
  it('matches reference values to float64 precision', () => {
    // Values from mpmath (erf at 50 digits, rounded).
    const cases: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [-2, -0.9953222650189527],
      [3, 0.9999779095030014],
      [5.5, 0.9999999999999927],
      [7, 1],
    ];
    const y = erf(tensor(new Float64Array(cases.map(([x]) => x)))).dataSync();
    cases.forEach(([, want], i) => {
      expect(Math.abs(y[i]! - want)).toBeLessThan(1e-15);
    });
  });

  it('keeps float32 inputs float32 and propagates NaN', () => {
    const y = erf(tensor([Number.NaN, 1]));
    expect(y.dtype).toBe('float32');
    expect(Number.isNaN(y.dataSync()[0]!)).toBe(true);
  });

  it('has the gradient 2/√π e^(−x²) against float64 central differences, also of second order', () => {
    const x = tensor(new Float64Array([-2.5, -1, -0.3, 0, 0.2, 0.9, 1.7, 3]), { shape: [2, 4] });
    expect(gradcheck((a) => erf(a), [x]).ok).toBe(true);
    expect(gradgradcheck((a) => erf(a).mul(a), [x]).ok).toBe(true);
  });
});
