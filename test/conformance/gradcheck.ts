/**
 * Gradient checks on a named backend: every differentiable op against float64
 * central differences (`gradcheck`), on seeded random shapes, plus the
 * |x| = 1e4 stability cases in float64 and float32.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, type Tensor, getBackend, gradcheck, randn, setBackend, tensor } from '../../src/index.js';
import { GRADCHECK_CASES, STABLE, stabilityInput } from './gradcheck-cases.js';
import { type SuiteOptions, suiteTitle } from './suite-options.js';

/** Seeds of the random draws of each case. */
export const GRADCHECK_SEEDS = [1, 2, 3, 4] as const;

/** A float32 copy of a tensor that requires grad. */
function float32Leaf(t: Tensor): Tensor {
  return tensor(Float32Array.from(t.dataSync()), { shape: t.shape, requiresGrad: true });
}

/**
 * Registers the gradient checks for `backendName` (made active for the suite,
 * the previous backend restored after).
 */
export function gradcheckConformance(backendName: string, options: SuiteOptions = {}): void {
  describe(suiteTitle('gradient checks', backendName, options), () => {
    let previous = '';
    beforeAll(async () => {
      await options.setup?.();
      previous = getBackend().name;
      setBackend(backendName);
    });
    afterAll(() => {
      setBackend(previous);
    });

    for (const [name, build] of Object.entries(GRADCHECK_CASES)) {
      for (const seed of GRADCHECK_SEEDS) {
        it(`${name} (seed ${seed})`, () => {
          const { fn, inputs, label } = build(new Generator(seed));
          const report = gradcheck(fn, inputs, { raise: false, seed });
          expect(report.ok, `${name} ${label}: ${report.worst}`).toBe(true);
          expect(report.checked).toBeGreaterThan(0);
        });
      }
    }

    describe('stability at |x| = 1e4', () => {
      for (const [name, fn] of Object.entries(STABLE)) {
        it(`${name}: gradcheck in float64`, () => {
          const report = gradcheck(fn, [stabilityInput()], { raise: false });
          expect(report.ok, report.worst).toBe(true);
        });

        it(`${name}: finite outputs and gradients in float32`, () => {
          const x = float32Leaf(stabilityInput());
          const y = fn(x);
          expect(y.dtype).toBe('float32');
          expect(Array.from(y.dataSync()).every(Number.isFinite), `${name} output ${y.toString()}`).toBe(true);
          y.backward(randn(y.shape, { generator: new Generator(9) }));
          const g = x.grad;
          expect(g).not.toBeNull();
          expect(Array.from(g!.dataSync()).every(Number.isFinite), `${name} grad ${g!.toString()}`).toBe(true);
        });
      }
    });
  });
}
