/**
 * Dropout's counter-based kernel (`Backend.dropout`) and the op and layer on it: the WASM
 * job equals the reference bit for bit on every SIMD tail, split over the pool or not,
 * from plain and resident inputs; a seeded generator gives the same masks on both
 * backends and at 1 and 2 threads; the kept fraction and the mean follow 1−p; the backward
 * pass reuses the forward mask; and gradcheck passes in float64.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropoutDraw } from '../../src/backend/js/dropout.js';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads, shutdownWasmThreads, wasmBackend as wasm } from '../../src/backend/wasm/index.js';
import { Dropout, Generator, dropout, gradcheck, setBackend, tensor } from '../../src/index.js';
import { residentStorage } from '../../src/tensor/storage.js';
import { randomArray, rng } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

beforeAll(async () => {
  await setNumThreads(2);
});

afterAll(async () => {
  setParallelCutoffs();
  setBackend('js');
  await shutdownWasmThreads();
});

const LENGTHS = [1, 3, 4, 5, 17, 1023, 40003];

function same(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
}

describe('dropout kernel', () => {
  it('WASM matches the reference bit for bit: every tail, one part and split, plain and resident, NaN and ±∞ kept as x·0', () => {
    const next = rng(5);
    for (const n of LENGTHS) {
      const x = randomArray(next, n);
      x[0] = Number.NaN;
      if (n > 2) x[2] = Number.POSITIVE_INFINITY;
      for (const [threshold, scale] of [
        [Math.round(0.75 * 2 ** 24), 1 / 0.75],
        [Math.round(0.1 * 2 ** 24), 10],
        [2 ** 24, 1],
      ] as const) {
        const ref = js.dropout(x, 0x12345678, -7, threshold, scale);
        for (const cutoff of [undefined, 0]) {
          if (cutoff === 0) setParallelCutoffs(0, 0);
          same(wasm.dropout(x, 0x12345678, -7, threshold, scale), ref);
          setParallelCutoffs();
        }
        const resident = residentStorage(Float32Array.from(x)).array as Float32Array;
        same(wasm.dropout(resident, 0x12345678, -7, threshold, scale), ref);
      }
    }
  });

  it('keeps each element with probability keep, independently of its neighbours', () => {
    const n = 200_000;
    for (const keep of [0.75, 0.5, 0.1]) {
      const t = Math.round(keep * 2 ** 24);
      let kept = 0;
      let both = 0;
      let prev = false;
      for (let i = 0; i < n; i++) {
        const k = dropoutDraw(i, 99, 12345) < t;
        if (k) kept++;
        if (k && prev) both++;
        prev = k;
      }
      const sd = Math.sqrt((keep * (1 - keep)) / n);
      expect(Math.abs(kept / n - keep)).toBeLessThan(5 * sd);
      // Adjacent pairs kept together: keep² if independent.
      expect(Math.abs(both / (n - 1) - keep * keep)).toBeLessThan(5 * Math.sqrt((keep * keep * (1 - keep * keep)) / n));
    }
    // Different keys give different masks.
    let diff = 0;
    for (let i = 0; i < 10_000; i++) if (dropoutDraw(i, 1, 2) < 2 ** 23 !== dropoutDraw(i, 1, 3) < 2 ** 23) diff++;
    expect(diff / 10_000).toBeGreaterThan(0.45);
  });
});

describe('dropout op and layer', () => {
  const x = Float32Array.from({ length: 64 * 3136 }, (_, i) => 1 + (i % 7));

  function forwardBackward(backend: 'js' | 'wasm'): [Float32Array, Float32Array] {
    setBackend(backend);
    const drop = new Dropout(0.25, { generator: new Generator(42) });
    const xt = tensor(x, { shape: [64, 3136], requiresGrad: true });
    const y = drop.forward(xt);
    y.sum().backward();
    return [y.dataSync() as Float32Array, xt.grad!.dataSync() as Float32Array];
  }

  it('the same seed gives the same masks on the reference and on WASM at 1 and 2 threads, and the backward reuses them', async () => {
    const [yRef, gRef] = forwardBackward('js');
    for (const threads of [1, 2]) {
      await setNumThreads(threads);
      for (const cutoff of [undefined, 0]) {
        if (cutoff === 0) setParallelCutoffs(0, 0);
        const [y, g] = forwardBackward('wasm');
        setParallelCutoffs();
        same(y, yRef);
        same(g, gRef);
      }
    }
    await setNumThreads(2);
    // y = x·mask/keep and dy/dx = mask/keep.
    let kept = 0;
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      expect(yRef[i]).toBe(gRef[i]! === 0 ? 0 : Math.fround(x[i]! * Math.fround(1 / 0.75)));
      if (gRef[i] !== 0) kept++;
      sum += yRef[i]!;
    }
    const n = x.length;
    expect(Math.abs(kept / n - 0.75)).toBeLessThan(5 * Math.sqrt((0.75 * 0.25) / n));
    const mean = x.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum / mean - 1)).toBeLessThan(0.01);
  });

  it('successive calls draw new masks; eval mode and p = 0 are the identity; p out of range throws', () => {
    setBackend('wasm');
    const g = new Generator(3);
    const xt = tensor(new Float32Array(1000).fill(1), { shape: [1000] });
    const a = dropout(xt, 0.5, { generator: g }).dataSync();
    const b = dropout(xt, 0.5, { generator: g }).dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(dropout(xt, 0.5, { training: false })).toBe(xt);
    expect(dropout(xt, 0)).toBe(xt);
    const layer = new Dropout(0.5);
    layer.eval();
    expect(layer.forward(xt)).toBe(xt);
    expect(() => dropout(xt, 1)).toThrow(/p must be in \[0, 1\)/);
    expect(() => new Dropout(-0.1)).toThrow(/p must be in \[0, 1\)/);
  });

  it('passes gradcheck in float64 (the mask fixed by the seed)', () => {
    setBackend('js');
    const x64 = tensor(Float64Array.from({ length: 30 }, (_, i) => Math.sin(i)), { shape: [5, 6], dtype: 'float64' });
    const report = gradcheck((t) => dropout(t, 0.3, { generator: new Generator(11) }).mul(t), [x64], { raise: false });
    expect(report.ok).toBe(true);
  });
});
