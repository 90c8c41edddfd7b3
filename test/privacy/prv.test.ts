/**
 * The PRV accountant against scripts/opacus-reference.py (the same composition in numpy and
 * scipy's FFT, on Opacus's grid and on the power-of-two grid Cortex uses), and its FFT.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { convolveSame, fft, selfConvolveCircular } from '../../src/privacy/fft.js';
import { getNoiseMultiplier, PRVAccountant } from '../../src/privacy/index.js';
import { checkCase, fixture } from './prv-fixture.js';

describe('PRVAccountant', () => {
  // The larger reference cases run in prv.slow.test.ts.
  for (const c of fixture.prv.filter((k) => k.name === 'q01_s1_1000')) checkCase(c);

  it('merges steps, round-trips through JSON, and checks its arguments', () => {
    const acc = new PRVAccountant();
    expect(acc.getEpsilon(1e-5)).toBe(0);
    for (let i = 0; i < 4; i++) acc.step({ noiseMultiplier: 1, sampleRate: 0.05 });
    expect(acc.history).toEqual([{ noiseMultiplier: 1, sampleRate: 0.05, steps: 4 }]);
    expect(PRVAccountant.fromJSON(JSON.parse(JSON.stringify(acc))).history).toEqual(acc.history);
    expect(() => PRVAccountant.fromJSON({ mechanism: 'rdp', history: [] })).toThrow(/mechanism must be 'prv'/);
    expect(() => acc.getEpsilon(0)).toThrow(ArgumentError);
    expect(() => acc.getEpsilon(1e-5, { epsError: 0 })).toThrow(/epsError/);
    expect(() => acc.getEpsilon(1e-5, { deltaError: 1e-4 })).toThrow(/deltaError/);
    expect(() => acc.step({ noiseMultiplier: 1, sampleRate: 0 })).toThrow(ArgumentError);
  });

  it('getNoiseMultiplier with the PRV accountant needs less noise than with RDP', () => {
    const opts = { targetEpsilon: 2, targetDelta: 1e-5, sampleRate: 0.05, steps: 100, epsilonTolerance: 0.05 };
    const prv = getNoiseMultiplier({ ...opts, accountant: 'prv' });
    const rdp = getNoiseMultiplier(opts);
    expect(prv).toBeLessThan(rdp);
    const eps = PRVAccountant.fromJSON({ mechanism: 'prv', history: [{ noiseMultiplier: prv, sampleRate: 0.05, steps: 100 }] }).getEpsilon(1e-5);
    expect(eps).toBeLessThanOrEqual(2);
    expect(eps).toBeGreaterThan(2 - 0.05);
  });
});

describe('the FFT behind it', () => {
  const direct = (a: number[], b: number[]): number[] => {
    const out = new Array<number>(a.length + b.length - 1).fill(0);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! += a[i]! * b[j]!;
    return out;
  };
  it('convolves like scipy.signal.convolve(mode="same") and composes circularly', () => {
    const a = [0.1, 0.2, 0.3, 0.15, 0.05, 0.1, 0.06, 0.04];
    const b = [0.3, 0.1, 0.2, 0.1, 0.05, 0.05, 0.1, 0.1];
    const full = direct(a, b);
    const same = convolveSame(Float64Array.from(a), Float64Array.from(b));
    for (let i = 0; i < 8; i++) expect(same[i]).toBeCloseTo(full[i + 3]!, 14);
    const three = selfConvolveCircular(Float64Array.from(a), 3);
    const lin = direct(direct(a, a), a);
    const circ = new Array<number>(8).fill(0);
    for (let i = 0; i < lin.length; i++) circ[i % 8]! += lin[i]!;
    for (let i = 0; i < 8; i++) expect(three[i]).toBeCloseTo(circ[i]!, 14);
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });
});
