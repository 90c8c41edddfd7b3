/**
 * The reference of `dropout`: a counter-based mask, a pure function of two 32-bit keys
 * and the element index, so that any backend and any split of the elements over threads
 * draws the same mask, and the backward pass is the same kernel applied to the gradient.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';

/** The murmur3 32-bit finalizer (a bijection on 32-bit words with full avalanche). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The 24-bit draw of element `i` under keys `key0`, `key1`: kept when below the
 * threshold (see `Backend.dropout`).
 */
export function dropoutDraw(i: number, key0: number, key1: number): number {
  return fmix((fmix(Math.imul(i, 0x9e3779b1) ^ key0) + key1) | 0) >>> 8;
}

/** See `Backend.dropout`; float32 inputs multiply in float32, as the WASM kernel. */
export function dropout(x: FloatArray, key0: number, key1: number, threshold: number, scale: number): FloatArray {
  const n = x.length;
  if (x instanceof Float32Array) {
    const y = new Float32Array(n);
    const s = Math.fround(scale);
    for (let i = 0; i < n; i++) y[i] = x[i]! * (dropoutDraw(i, key0, key1) < threshold ? s : 0);
    return y;
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i]! * (dropoutDraw(i, key0, key1) < threshold ? scale : 0);
  return y;
}
