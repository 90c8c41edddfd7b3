/**
 * Second-derivative checks on a named backend: every differentiable op of the
 * gradient-check table through `gradgradcheck` (a backward pass through a
 * backward pass built with `createGraph`, against float64 central differences
 * of the first derivatives), on seeded random shapes.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, getBackend, gradgradcheck, setBackend } from '../../src/index.js';
import { GRADCHECK_CASES } from './gradcheck-cases.js';
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
  });
}
