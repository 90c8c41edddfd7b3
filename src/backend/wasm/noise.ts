/**
 * The fast path of the ziggurat normal sampler (DP-SGD's noise) as a WASM job:
 * `asm/noise.ts`, four draws per vector, on the calling thread (the noise is drawn
 * per parameter tensor, and a split would cost more copying than it saves).
 * @module
 */
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';

/** See `Backend.zigguratFast`. */
export function zigguratFast(words: Int32Array, table: Float32Array, out: Float32Array, std: number): undefined | Declined {
  const n = out.length;
  if (!(out instanceof Float32Array) || table.length !== 256 || words.length < Math.ceil(n / 4) * 5) return DECLINE;
  if (n === 0) return;
  callJob('zigguratFast', [words, table, out, n, std], 1);
}
