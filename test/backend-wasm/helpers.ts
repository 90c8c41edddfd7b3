import { afterAll, beforeAll, describe, expect } from 'vitest';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { setNumThreads } from '../../src/backend/wasm/index.js';

/** A small seeded generator (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` uniform floats in [lo, hi). */
export function randomArray(next: () => number, n: number, lo = -2, hi = 2): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** Element count of a shape. */
export function count(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Expects `got` to match `want` elementwise: |got - want| <= rtol·|want| + atol·scale[i]
 * (scale defaults to 1). NaN must match NaN and infinities must match exactly.
 */
export function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
  atol: number,
  what: string,
  scale?: ArrayLike<number>,
): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) {
        expect.fail(`${what}: element ${i} is ${g}, expected ${w}`);
      }
      continue;
    }
    const tol = rtol * Math.abs(w) + atol * (scale === undefined ? 1 : scale[i]!);
    if (!(Math.abs(g - w) <= tol)) expect.fail(`${what}: element ${i} is ${g}, expected ${w} (tolerance ${tol})`);
  }
}

/** Expects identical values (NaN equal to NaN, 0 equal to -0). */
export function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expectClose(got, want, 0, 0, what);
}

/**
 * Runs `suite` (which declares tests) on one thread, then on two with the parallel
 * cut-offs at zero so that every job, however small, is split across the pool; the
 * suite gets the thread count.
 */
export function onOneAndTwoThreads(title: string, suite: (threads: 1 | 2) => void): void {
  describe(`${title}, 1 thread`, () => {
    beforeAll(async () => {
      await setNumThreads(1);
    });
    suite(1);
  });
  describe(`${title}, 2 threads, every job split`, () => {
    beforeAll(async () => {
      await setNumThreads(2);
      setParallelCutoffs(0, 0);
    });
    afterAll(async () => {
      setParallelCutoffs();
      await setNumThreads(1);
    });
    suite(2);
  });
}
