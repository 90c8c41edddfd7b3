/**
 * The RDP accountant against the figures of scripts/opacus-reference.py (Opacus's formulas
 * re-implemented in float64 with scipy) and against the figures Opacus's MNIST README prints.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { computeRdp, DEFAULT_ORDERS, getNoiseMultiplier, RDPAccountant, rdpToEpsilon } from '../../src/privacy/index.js';
import { logErfc } from '../../src/privacy/special.js';

interface Spent {
  epsilon: number;
  bestOrder: number;
}
interface Fixture {
  orders: number[];
  cases: { name: string; q: number; sigma: number; steps: number; rdp: number[]; eps: { delta: number; balle2020: Spent; mironov2017: Spent }[] }[];
  published: { source: string; epsilon: number; digits: number; q: number; steps: number; sigma: number; delta: number; checked: boolean; bestOrder?: number }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/privacy/rdp-reference.json', import.meta.url), 'utf8')) as Fixture;

const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('RDP of the sampled Gaussian mechanism (Opacus formulas)', () => {
  it('uses Opacus default orders: 1.1 … 10.9, then 12 … 63', () => {
    expect(DEFAULT_ORDERS.length).toBe(151);
    expect([...DEFAULT_ORDERS]).toEqual(fixture.orders);
  });

  it('log erfc is accurate from the bulk to the far tail', () => {
    // log(erfc(x)) from scipy (log 2 + log_ndtr(−x√2)).
    const ref: [number, number][] = [[-5, 0.6931471805591766], [-1, 0.6112323176780705], [0.5, -0.7350111298370848], [1.9, -4.93234586278027],
      [2, -5.36494126461664], [2.1, -5.816010968867557], [5, -27.200889545537446], [30, -903.9741171106442], [100, -10005.177585122668]];
    for (const [x, v] of ref) expect(relErr(logErfc(x), v), `x = ${x}`).toBeLessThan(1e-13);
  });

  for (const c of fixture.cases) {
    it(`matches the reference RDP curve and ε: ${c.name} (q ${c.q}, σ ${c.sigma}, ${c.steps} steps)`, () => {
      const rdp = computeRdp(c.q, c.sigma, c.steps);
      // Float64 cancellation in log A_α ≈ log 1 leaves ~1e-14 absolute at the smallest RDP values.
      for (let k = 0; k < rdp.length; k++) {
        expect(Math.abs(rdp[k]! - c.rdp[k]!), `order ${DEFAULT_ORDERS[k]}`).toBeLessThan(1e-7 * c.rdp[k]! + 1e-12);
      }
      for (const e of c.eps) {
        for (const conv of ['balle2020', 'mironov2017'] as const) {
          const got = rdpToEpsilon(DEFAULT_ORDERS, rdp, e.delta, conv);
          expect(relErr(got.epsilon, e[conv].epsilon)).toBeLessThan(1e-10);
          expect(got.bestOrder).toBe(e[conv].bestOrder);
        }
      }
    });
  }

  it('reproduces the Opacus MNIST README parameter sets to their printed precision', () => {
    const checked = fixture.published.filter((p) => p.checked);
    expect(checked.length).toBe(3);
    for (const p of checked) {
      const { epsilon } = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(p.q, p.sigma, p.steps), p.delta, 'mironov2017');
      expect(epsilon.toFixed(p.digits), p.source).toBe(p.epsilon.toFixed(p.digits));
    }
  });

  it("the issue's example: σ 1.1, q 0.004, 60 epochs, δ 1e-5 gives ε ≈ 2.50 (Balle et al.), 2.91 (Mironov 2017)", () => {
    const acc = new RDPAccountant();
    for (let s = 0; s < 15000; s++) acc.step({ noiseMultiplier: 1.1, sampleRate: 0.004 });
    const spent = acc.getPrivacySpent(1e-5);
    expect(spent.epsilon).toBeCloseTo(2.5029, 3);
    expect(spent.bestOrder).toBe(8.4);
    expect(rdpToEpsilon(DEFAULT_ORDERS, acc.rdp(), 1e-5, 'mironov2017').epsilon).toBeCloseTo(2.905, 3);
  });

  it('q = 1 is the plain Gaussian mechanism: α / (2σ²) per step', () => {
    const r = computeRdp(1, 2, 3, [2, 10.5]);
    expect(r[0]).toBeCloseTo((3 * 2) / 8, 12);
    expect(r[1]).toBeCloseTo((3 * 10.5) / 8, 12);
  });

  it('more noise, fewer steps or a lower rate spend less', () => {
    const eps = (q: number, s: number, t: number): number => rdpToEpsilon(DEFAULT_ORDERS, computeRdp(q, s, t), 1e-5).epsilon;
    expect(eps(0.01, 1.5, 1000)).toBeLessThan(eps(0.01, 1.0, 1000));
    expect(eps(0.01, 1.0, 500)).toBeLessThan(eps(0.01, 1.0, 1000));
    expect(eps(0.005, 1.0, 1000)).toBeLessThan(eps(0.01, 1.0, 1000));
  });
});

describe('RDPAccountant', () => {
  it('merges consecutive identical steps into one history entry, as Opacus', () => {
    const acc = new RDPAccountant();
    for (let i = 0; i < 3; i++) acc.step({ noiseMultiplier: 1, sampleRate: 0.01 });
    acc.step({ noiseMultiplier: 2, sampleRate: 0.01 });
    acc.step({ noiseMultiplier: 1, sampleRate: 0.01 });
    acc.step({ noiseMultiplier: 1, sampleRate: 0.01 });
    expect(acc.history).toEqual([
      { noiseMultiplier: 1, sampleRate: 0.01, steps: 3 },
      { noiseMultiplier: 2, sampleRate: 0.01, steps: 1 },
      { noiseMultiplier: 1, sampleRate: 0.01, steps: 2 },
    ]);
    // The composition adds RDP: same ε as five steps at σ 1 plus one at σ 2.
    const a = computeRdp(0.01, 1, 5);
    const b = computeRdp(0.01, 2, 1);
    const sum = a.map((v, k) => v + b[k]!);
    expect(acc.getEpsilon(1e-5)).toBeCloseTo(rdpToEpsilon(DEFAULT_ORDERS, sum, 1e-5).epsilon, 12);
  });

  it('spends nothing before its first step', () => {
    expect(new RDPAccountant().getPrivacySpent(1e-5)).toEqual({ epsilon: 0, bestOrder: Number.NaN });
  });

  it('round-trips through JSON and checks what it reads', () => {
    const acc = new RDPAccountant();
    for (let i = 0; i < 7; i++) acc.step({ noiseMultiplier: 1.1, sampleRate: 0.004 });
    acc.step({ noiseMultiplier: 0.9, sampleRate: 0.004 });
    const back = RDPAccountant.fromJSON(JSON.parse(JSON.stringify(acc)));
    expect(back.history).toEqual(acc.history);
    expect(back.getEpsilon(1e-5)).toBe(acc.getEpsilon(1e-5));
    back.step({ noiseMultiplier: 0.9, sampleRate: 0.004 });
    expect(back.history[1]!.steps).toBe(2);
    expect(acc.history[1]!.steps).toBe(1);
    expect(() => RDPAccountant.fromJSON({ mechanism: 'prv', history: [] })).toThrow(ArgumentError);
    expect(() => RDPAccountant.fromJSON({ mechanism: 'rdp', history: [{ noiseMultiplier: 1, sampleRate: 2, steps: 1 }] })).toThrow(/sampleRate/);
    expect(() => RDPAccountant.fromJSON({ mechanism: 'rdp', history: [{ noiseMultiplier: 1, sampleRate: 0.1, steps: 1.5 }] })).toThrow(/steps/);
    expect(() => RDPAccountant.fromJSON(null)).toThrow(ArgumentError);
  });

  it('throws typed errors on arguments that cannot work', () => {
    const acc = new RDPAccountant();
    for (const sampleRate of [0, -0.1, 1.5, Number.NaN]) expect(() => acc.step({ noiseMultiplier: 1, sampleRate })).toThrow(ArgumentError);
    for (const noiseMultiplier of [0, -1, Number.POSITIVE_INFINITY]) expect(() => acc.step({ noiseMultiplier, sampleRate: 0.1 })).toThrow(ArgumentError);
    acc.step({ noiseMultiplier: 1, sampleRate: 0.1 });
    for (const delta of [0, 1, -1e-5, Number.NaN]) expect(() => acc.getEpsilon(delta)).toThrow(/delta must be in \(0, 1\)/);
    expect(() => acc.getEpsilon(1e-5, [])).toThrow(ArgumentError);
    expect(() => acc.getEpsilon(1e-5, [1])).toThrow(/order/);
    expect(() => computeRdp(0.1, 1, -1)).toThrow(ArgumentError);
    expect(() => rdpToEpsilon([2, 3], [0.1], 1e-5)).toThrow(/2 orders but 1/);
  });
});

describe('getNoiseMultiplier', () => {
  it('finds the noise that meets the budget within the tolerance (round trip)', () => {
    const opts = { targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.004, epochs: 60 };
    const sigma = getNoiseMultiplier(opts);
    const eps = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(0.004, sigma, 15000), 1e-5).epsilon;
    expect(eps).toBeLessThanOrEqual(3);
    expect(eps).toBeGreaterThan(3 - 0.01);
    const fine = getNoiseMultiplier({ ...opts, epochs: undefined, steps: 15000, epsilonTolerance: 1e-4 });
    expect(Math.abs(fine - sigma)).toBeLessThan(0.01);
  });

  it('throws a typed error when the budget is unreachable or the options are wrong', () => {
    expect(() => getNoiseMultiplier({ targetEpsilon: 1e-9, targetDelta: 1e-5, sampleRate: 1, steps: 1_000_000 })).toThrow(/cannot be reached/);
    expect(() => getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.01 })).toThrow(/either epochs or steps/);
    expect(() => getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.01, epochs: 1, steps: 100 })).toThrow(ArgumentError);
    expect(() => getNoiseMultiplier({ targetEpsilon: -1, targetDelta: 1e-5, sampleRate: 0.01, epochs: 1 })).toThrow(/targetEpsilon/);
    expect(() => getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.01, epochs: 1, accountant: 'prv' })).toThrow(/PRV/);
  });
});
