/**
 * Dropout as a WASM job (`asm/dropout.ts`): the counter-based mask and the scaling in one
 * pass, four elements per vector. Like the other cheap elementwise jobs it runs as one part
 * unless the parallel cut-off is 0 (tests), where the split shows that the mask does not
 * depend on it. Float64 is declined.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, elementParts } from './jobs.js';

/** See `Backend.dropout`. */
export function dropout(x: FloatArray, key0: number, key1: number, threshold: number, scale: number): FloatArray | Declined {
  if (!(x instanceof Float32Array)) return DECLINE;
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  return callJob('dropout', [x, n, n, key0 | 0, key1 | 0, threshold, scale], elementParts(CHEAP));
}
