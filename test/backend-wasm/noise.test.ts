/**
 * The WASM fast path of the ziggurat normal sampler (`zigguratFast`, DP-SGD's noise)
 * against the reference backend: bit for bit (both compute in float32), the same NaN
 * for the draws left to the caller, on lengths that leave every SIMD tail, into a plain
 * array and into resident storage (where a private gradient lives).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { initWasmBackend, setNumThreads, shutdownWasmThreads, wasmBackend as wasm } from '../../src/backend/wasm/index.js';
import { randomSource, setBackend } from '../../src/index.js';
import { zigguratKernelTable } from '../../src/privacy/ziggurat.js';
import { residentStorage } from '../../src/tensor/storage.js';
import { rng } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

beforeAll(async () => {
  // Two workers, so the shared space that holds resident storage exists.
  await setNumThreads(2);
  setBackend('wasm');
});

afterAll(async () => {
  await shutdownWasmThreads();
});

const LENGTHS = [1, 3, 4, 5, 17, 1023, 40003];

function words(seed: number, n: number): Int32Array {
  const next = rng(seed);
  return Int32Array.from({ length: Math.ceil(n / 4) * 5 }, () => (next() * 2 ** 32) | 0);
}

function same(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
}

it('zigguratFast matches the reference bit for bit, NaN where the caller must finish, every tail, plain and resident', () => {
  const table = zigguratKernelTable();
  for (const n of LENGTHS) {
    const w = words(n, n);
    const ref = new Float32Array(n);
    js.zigguratFast(w, table, ref, 0.7);
    const plain = new Float32Array(n).fill(5);
    wasm.zigguratFast(w, table, plain, 0.7);
    same(plain, ref);
    const resident = residentStorage(new Float32Array(n)).array as Float32Array;
    wasm.zigguratFast(w, table, resident, 0.7);
    same(resident, ref);
    if (n === 40003) {
      const left = ref.filter((v) => Number.isNaN(v)).length / n;
      // The layers' rectangles hold 97.24% of the draws (the mean of the 128 thresholds).
      const p = 0.0275605;
      expect(Math.abs(left - p)).toBeLessThan(5 * Math.sqrt(p / n));
      expect(Math.max(...ref.filter((v) => !Number.isNaN(v)).map(Math.abs))).toBeLessThan(3.442619855899 * 0.7);
    }
  }
});

it('the default crypto noise through the WASM kernel: float32 N(0, std²), nothing left unfinished', () => {
  const v = new Float32Array(300_001);
  randomSource().fillNormal(v, 2);
  expect(v.every((x) => Number.isFinite(x))).toBe(true);
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let q = 0;
  let beyond = 0;
  for (const x of v) {
    q += (x - m) ** 2;
    if (Math.abs(x) > 6) beyond++;
  }
  expect(Math.abs(m)).toBeLessThan(6 * (2 / Math.sqrt(v.length)));
  expect(Math.abs(Math.sqrt(q / v.length) - 2)).toBeLessThan(0.016);
  // P(|z| > 3) = 0.0027: the tail and wedge draws finished in JavaScript are there.
  expect(Math.abs(beyond / v.length - 0.0027)).toBeLessThan(6 * Math.sqrt(0.0027 / v.length));
});
