import { describe, expect, it } from 'vitest';
import { blobs, circles, moons, sine, spiral, surface, twoSpirals, xor } from '../../src/data/generators.js';

describe('generators', () => {
  it('are reproducible per seed and differ across seeds', () => {
    for (const make of [xor, spiral, moons, circles, blobs]) {
      const a = make({ n: 60, noise: 0.1, seed: 3 });
      const b = make({ n: 60, noise: 0.1, seed: 3 });
      const c = make({ n: 60, noise: 0.1, seed: 4 });
      expect(Array.from(a.x)).toEqual(Array.from(b.x));
      expect(Array.from(a.y)).toEqual(Array.from(b.y));
      expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
      expect(a.x.length).toBe(60 * a.features);
      expect(Math.max(...a.y)).toBe(a.classes - 1);
    }
  });

  it('xor labels follow the sign of x1 * x2 without noise', () => {
    const d = xor({ n: 100, noise: 0, seed: 1 });
    for (let i = 0; i < d.n; i++) expect(d.y[i]).toBe(d.x[2 * i]! * d.x[2 * i + 1]! < 0 ? 1 : 0);
  });

  it('spiral makes balanced classes', () => {
    const d = spiral({ n: 301, classes: 4, seed: 0 });
    const counts = [0, 0, 0, 0];
    for (const c of d.y) counts[c]!++;
    expect(counts).toEqual([76, 75, 75, 75]);
  });

  it('circles put class 1 on the inner circle', () => {
    const d = circles({ n: 40, noise: 0, factor: 0.3 });
    for (let i = 0; i < d.n; i++) {
      const r = Math.hypot(d.x[2 * i]!, d.x[2 * i + 1]!);
      expect(r).toBeCloseTo(d.y[i] === 1 ? 0.3 : 1, 5);
    }
  });

  it('moons without noise lie on the two half circles', () => {
    const d = moons({ n: 20, noise: 0 });
    for (let i = 0; i < d.n; i++) {
      const [a, b] = [d.x[2 * i]!, d.x[2 * i + 1]!];
      const r = d.y[i] === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5);
      expect(r).toBeCloseTo(1, 5);
    }
  });

  it('blobs honour given centres', () => {
    const d = blobs({ centers: [[5, 5, 5], [-5, -5, -5]], n: 2000, noise: 0.5, seed: 2 });
    expect(d.features).toBe(3);
    let mean = 0;
    for (let i = 0; i < d.n; i++) if (d.y[i] === 1) mean += d.x[3 * i]!;
    expect(mean / 1000).toBeCloseTo(-5, 1);
  });

  it('two spirals is the 194-point Lang and Witbrock set', () => {
    const d = twoSpirals();
    expect(d.n).toBe(194);
    expect(d.y.reduce((a, b) => a + b, 0)).toBe(97);
    expect(d.x[0]).toBeCloseTo(0, 6);
    expect(d.x[1]).toBeCloseTo(6.5, 5);
    expect(d.x[2]).toBeCloseTo(-d.x[0]!, 6);
  });

  it('sine and surface are regression sets with the requested noise', () => {
    const s = sine({ n: 5000, noise: 0.2, seed: 1 });
    let sq = 0;
    for (let i = 0; i < s.n; i++) sq += (s.y[i]! - Math.sin(s.x[i]!)) ** 2;
    expect(Math.sqrt(sq / s.n)).toBeCloseTo(0.2, 1);
    const w = surface({ n: 50, kind: 'plane' });
    for (let i = 0; i < w.n; i++) expect(w.y[i]).toBeCloseTo((w.x[2 * i]! + w.x[2 * i + 1]!) / 2, 5);
    expect(surface({ kind: 'gaussian', n: 10 }).x.length).toBe(20);
  });

  it('reject bad arguments', () => {
    expect(() => xor({ n: 0 })).toThrow(/n must be/);
    expect(() => moons({ noise: -1 })).toThrow(/noise/);
  });
});
