import type { FloatArray } from '../../tensor/dtype.js';
import { alike } from './strided.js';

/** Softmax or log-softmax of x viewed as [outer, n, inner], along the middle axis. */
export function softmax(x: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray {
  const out = alike(x, x.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0, p = base; k < n; k++, p += inner) if (x[p]! > max) max = x[p]!;
      if (max === Number.NEGATIVE_INFINITY) max = 0;
      let sum = 0;
      for (let k = 0, p = base; k < n; k++, p += inner) sum += Math.exp(x[p]! - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let k = 0, p = base; k < n; k++, p += inner) out[p] = x[p]! - lse;
      } else {
        for (let k = 0, p = base; k < n; k++, p += inner) out[p] = Math.exp(x[p]! - max) / sum;
      }
    }
  }
  return out;
}

/** Gradient of softmax (dx = y ⊙ (g − Σ g⊙y)) or log-softmax (dx = g − e^y Σ g). */
export function softmaxGrad(
  y: FloatArray,
  g: FloatArray,
  outer: number,
  n: number,
  inner: number,
  log: boolean,
): FloatArray {
  const out = alike(g, g.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      let s = 0;
      if (log) {
        for (let k = 0, p = base; k < n; k++, p += inner) s += g[p]!;
        for (let k = 0, p = base; k < n; k++, p += inner) out[p] = g[p]! - Math.exp(y[p]!) * s;
      } else {
        for (let k = 0, p = base; k < n; k++, p += inner) s += g[p]! * y[p]!;
        for (let k = 0, p = base; k < n; k++, p += inner) out[p] = y[p]! * (g[p]! - s);
      }
    }
  }
  return out;
}
