/** The PRV reference cases of scripts/opacus-reference.py, and the check each gets. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PRVAccountant, RDPAccountant } from '../../src/privacy/index.js';

interface Bounds {
  lower: number;
  estimate: number;
  upper: number;
}
export interface PrvCase {
  name: string;
  delta: number;
  history: { sampleRate: number; noiseMultiplier: number; steps: number }[];
  pow2Grid: Bounds;
  opacusGrid: Bounds;
}
export const fixture = JSON.parse(readFileSync(new URL('../fixtures/privacy/rdp-reference.json', import.meta.url), 'utf8')) as { prv: PrvCase[] };
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/** One `it` comparing the accountant with the reference figures of case `c`. */
export function checkCase(c: PrvCase): void {
  it(`matches the reference composition: ${c.name}`, () => {
    const acc = PRVAccountant.fromJSON({ mechanism: 'prv', history: c.history });
    const got = acc.getEpsilonBounds(c.delta);
    for (const k of ['lower', 'estimate', 'upper'] as const) {
      expect(rel(got[k], c.pow2Grid[k]), `${k} vs the same grid`).toBeLessThan(1e-6);
      expect(rel(got[k], c.opacusGrid[k]), `${k} vs Opacus's grid`).toBeLessThan(1e-6);
    }
    expect(acc.getEpsilon(c.delta)).toBe(got.upper);
    // Tighter than RDP.
    expect(got.upper).toBeLessThan(RDPAccountant.fromJSON({ mechanism: 'rdp', history: c.history }).getEpsilon(c.delta));
  });
}

