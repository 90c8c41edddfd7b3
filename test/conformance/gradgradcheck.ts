/**
 * Second-derivative checks on a named backend: every differentiable op of the
 * gradient-check table through `gradgradcheck` (a backward pass through a
 * backward pass built with `createGraph`, against float64 central differences
 * of the first derivatives), on seeded random shapes.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, getBackend, grad, gradgradcheck, randn, setBackend, tensor } from '../../src/index.js';
import { GRADCHECK_CASES, STABLE, stabilityInput } from './gradcheck-cases.js';
import { type SuiteOptions, suiteTitle } from './suite-options.js';

/** Seeds of the random draws of each case. */
export const GRADGRADCHECK_SEEDS = [1, 2, 3] as const;

/** Registers the second-derivative checks for `backendName` (made active for the suite). */
export function gradgradcheckConformance(backendName: string, options: SuiteOptions = {}): void {
  describe(suiteTitle('second-derivative checks', backendName, options), () => {
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
      for (const seed of GRADGRADCHECK_SEEDS) {
        it(`${name} (seed ${seed})`, () => {
          const { fn, inputs, label } = build(new Generator(seed));
          const report = gradgradcheck(fn, inputs, { raise: false, seed });
          expect(report.ok, `${name} ${label}: ${report.worst}`).toBe(true);
          expect(report.checked).toBeGreaterThan(0);
        });
      }
    }

    describe('stability at |x| = 1e4', () => {
      for (const [name, fn] of Object.entries(STABLE)) {
        it(`${name}: gradgradcheck in float64`, () => {
          const report = gradgradcheck(fn, [stabilityInput()], { raise: false });
          expect(report.ok, report.worst).toBe(true);
        });

        it(`${name}: finite second derivatives in float32`, () => {
          const x = tensor(Float32Array.from(stabilityInput().dataSync()), { shape: [3, 5], requiresGrad: true });
          const y = fn(x);
          const [g1] = grad(y, x, { gradOutputs: randn(y.shape, { generator: new Generator(9) }), createGraph: true });
          const [g2] = grad(g1.mul(randn(x.shape, { generator: new Generator(10) })).sum(), x, { allowUnused: true });
          for (const t of [g1, g2]) {
            if (t === null) continue;
            expect(t.dtype).toBe('float32');
            expect(Array.from(t.dataSync()).every(Number.isFinite), `${name}: ${t.toString()}`).toBe(true);
          }
        });
      }
    });
  });
}
