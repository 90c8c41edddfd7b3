import { afterEach, describe, expect, it, vi } from 'vitest';
import { DPOptimizer, Generator, Linear, PerSampleGradients, SGD, Tensor, crossEntropy, randomSource } from '../../src/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { logErfc } from '../../src/privacy/special.js';
import { Ziggurat, zigguratEdges } from '../../src/privacy/ziggurat.js';

/** Φ(x), the standard normal CDF. */
const phi = (x: number): number => 0.5 * Math.exp(logErfc(-x / Math.SQRT2));

/** Mean, standard deviation, Kolmogorov–Smirnov distance to N(0, std²), the fraction beyond `k` standard deviations, lag-1 correlation. */
function stats(v: Float32Array | Float64Array, std: number, k = 3): { mean: number; sd: number; ks: number; beyond: number; lag1: number } {
  const n = v.length;
  let s = 0;
  for (const x of v) s += x;
  const mean = s / n;
  let q = 0;
  let c = 0;
  let beyond = 0;
  for (let i = 0; i < n; i++) {
    q += (v[i]! - mean) ** 2;
    if (i > 0) c += (v[i]! - mean) * (v[i - 1]! - mean);
    if (Math.abs(v[i]!) > k * std) beyond++;
  }
  const sorted = Float64Array.from(v).sort();
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const f = phi(sorted[i]! / std);
    ks = Math.max(ks, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  return { mean, sd: Math.sqrt(q / n), ks, beyond: beyond / n, lag1: c / q };
}

/** The KS distance that n draws from the right distribution exceed with probability about 1e-4. */
const ksBound = (n: number): number => 2.15 / Math.sqrt(n);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the ziggurat normals', () => {
  it('the layers are built consistently: 128 of equal area, the top one ending at the mode', () => {
    const x = zigguratEdges();
    expect(x.length).toBe(129);
    expect(x[1]).toBeCloseTo(3.442619855899, 12);
    expect(x[128]).toBe(0);
    for (let i = 1; i < 128; i++) expect(x[i]! > x[i + 1]!).toBe(true);
    // The top layer [0, x127] × [f(x127), 1] has the common area too.
    const f = (t: number) => Math.exp(-0.5 * t * t);
    expect(x[127]! * (1 - f(x[127]!))).toBeCloseTo(9.91256303526217e-3, 9);
    expect(x[0]! * f(x[1]!)).toBeCloseTo(9.91256303526217e-3, 12);
  });

  it('a fixed word stream gives N(0, 1): mean, variance, KS distance, tails beyond 3σ and the 3.44 edge, no lag correlation', () => {
    const g = new Generator(123);
    const z = new Ziggurat((w) => {
      for (let i = 0; i < w.length; i++) w[i] = g.nextUint32();
    });
    const v = new Float64Array(400_000);
    z.fill(v.subarray(0, 7), 1); // odd lengths: the state carries across calls and refills
    z.fill(v.subarray(7), 1);
    const s = stats(v, 1);
    expect(Math.abs(s.mean)).toBeLessThan(5 / Math.sqrt(v.length));
    expect(Math.abs(s.sd - 1)).toBeLessThan(0.005);
    expect(s.ks).toBeLessThan(ksBound(v.length));
    expect(Math.abs(s.lag1)).toBeLessThan(0.01);
    const p3 = 2 * (1 - phi(3)); // 0.0027
    expect(Math.abs(s.beyond - p3)).toBeLessThan(5 * Math.sqrt(p3 / v.length));
    const tail = stats(v, 1, 3.442619855899).beyond; // the tail sampler's share
    const pt = 2 * (1 - phi(3.442619855899));
    expect(Math.abs(tail - pt)).toBeLessThan(5 * Math.sqrt(pt / v.length));
  });
});

describe('the ziggurat with its fast path in a backend kernel', () => {
  it('a fixed word stream through the reference kernel gives N(0, 1) in float32: every left draw finished, tails included', () => {
    const g = new Generator(321);
    const z = new Ziggurat((w) => {
      for (let i = 0; i < w.length; i++) w[i] = g.nextUint32();
    });
    const v = new Float32Array(400_001);
    let calls = 0;
    const kernel = (w: Int32Array, t: Float32Array, o: Float32Array, std: number) => {
      calls++;
      jsBackend.zigguratFast(w, t, o, std);
    };
    z.fillWith(v.subarray(0, 5), 1, kernel); // odd lengths
    z.fillWith(v.subarray(5), 1, kernel);
    expect(calls).toBe(2);
    expect(v.every((x) => Number.isFinite(x))).toBe(true);
    const s = stats(v, 1);
    expect(Math.abs(s.mean)).toBeLessThan(5 / Math.sqrt(v.length));
    expect(Math.abs(s.sd - 1)).toBeLessThan(0.005);
    expect(s.ks).toBeLessThan(ksBound(v.length));
    expect(Math.abs(s.lag1)).toBeLessThan(0.01);
    const pt = 2 * (1 - phi(3.442619855899));
    expect(Math.abs(stats(v, 1, 3.442619855899).beyond - pt)).toBeLessThan(5 * Math.sqrt(pt / v.length));
  });
});

describe('the default (crypto) noise', () => {
  it('comes from crypto.getRandomValues and is reported secure', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const r = randomSource();
    expect(r.secure).toBe(true);
    expect(r.description).toBe('crypto.getRandomValues');
    r.fillNormal(new Float32Array(100), 1);
    expect(spy).toHaveBeenCalled();
    expect(randomSource(3).secure).toBe(false);
  });

  it('float32 and float64 draws are N(0, std²): mean, variance, KS distance, 3σ tail, no lag correlation', () => {
    const r = randomSource();
    for (const v of [new Float32Array(300_000), new Float64Array(300_000)]) {
      r.fillNormal(v, 0.5);
      const s = stats(v, 0.5);
      expect(Math.abs(s.mean)).toBeLessThan((6 * 0.5) / Math.sqrt(v.length));
      expect(Math.abs(s.sd - 0.5)).toBeLessThan(0.004);
      expect(s.ks).toBeLessThan(ksBound(v.length) * 1.2);
      expect(Math.abs(s.lag1)).toBeLessThan(0.012);
      const p3 = 2 * (1 - phi(3));
      expect(Math.abs(s.beyond - p3)).toBeLessThan(6 * Math.sqrt(p3 / v.length));
    }
  });

  it('the DP step writes σC/B noise into the gradient in place, but never over a gradient the caller has read', () => {
    const model = new Linear(50, 40, { generator: new Generator(1) });
    const rec = new PerSampleGradients(model);
    const opt = new DPOptimizer(new SGD(model.parameters(), { lr: 0 }), {
      noiseMultiplier: 2, maxGradNorm: 3, expectedBatchSize: 10, sampleRate: 0.01, perSample: rec, random: randomSource(),
    });
    const x = new Tensor(Float32Array.from({ length: 4 * 50 }, (_, i) => Math.sin(i)), [4, 50]);
    const y = new Tensor(Int32Array.from([0, 1, 2, 3]), [4]);
    // Between zeroGrad and step, backward skips the Linear layer's batch gradients: the step replaces them.
    opt.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    expect(model.weight.grad).toBeNull();
    opt.step();
    expect(model.weight.grad).not.toBeNull();
    // releaseGradients (which makePrivate's detach calls) brings them back, e.g. after an interrupted step.
    opt.zeroGrad();
    opt.releaseGradients();
    rec.clear();
    crossEntropy(model.forward(x), y).backward();
    const seen = model.weight.grad!;
    const before = Array.from(seen.dataSync());
    opt.step();
    expect(Array.from(seen.dataSync())).toEqual(before);
    const g = model.weight.grad!;
    expect(g).not.toBe(seen);
    // With C = 3 and 4 samples the clipped sum is at most 12/10 in norm; the noise's sd is 0.6 per entry.
    const vals = Array.from(g.dataSync());
    const sd = Math.sqrt(vals.reduce((a, v) => a + v * v, 0) / vals.length);
    expect(Math.abs(sd - 0.6)).toBeLessThan(0.06);
    rec.remove();
  });
});
