/**
 * The float32 GELU path of the JS kernels (a 1.2e-7 erfc fit instead of the float64 series):
 * it agrees with the float64 GELU to float32 precision where that is accurate, and keeps its
 * relative precision in the far negative tail, where 1 + erf(x) cancels.
 */
import { describe, expect, it } from 'vitest';
import { gelu, geluF32, geluGrad, geluGradF32 } from '../../src/backend/js/math.js';
import { gelu as geluOp, tensor } from '../../src/index.js';

describe('GELU on float32', () => {
  it('matches the float64 GELU within 2e-7 (relative) and its derivative within 2e-7 (absolute; it crosses 0) on [-5, 6]', () => {
    for (let x = -5; x <= 6; x += 0.0037) {
      expect(Math.abs(geluF32(x) - gelu(x))).toBeLessThanOrEqual(2e-7 * Math.abs(gelu(x)));
      expect(Math.abs(geluGradF32(x) - geluGrad(x))).toBeLessThanOrEqual(2e-7);
    }
  });

  it('keeps relative precision in the tail: GELU(-8) = -8·Φ(-8) = -4.9770e-15', () => {
    // Φ(-8) = 6.220960574271785e-16
    expect(geluF32(-8) / (-8 * 6.220960574271785e-16)).toBeCloseTo(1, 6);
  });

  it('is what the gelu op computes on float32 tensors (the WASM kernel, when it runs, within 1e-6 relative)', () => {
    const xs = [-7, -2.5, -0.3, 0, 0.3, 2.5, 7];
    const got = geluOp(tensor(xs)).dataSync();
    for (const [i, x] of xs.entries()) expect(Math.abs(got[i]! - geluF32(x))).toBeLessThanOrEqual(1e-6 * Math.abs(geluF32(x)));
  });
});
