import type { FloatArray } from '../../tensor/dtype.js';
import type { MatmulSpec } from '../backend.js';
import { alike } from './strided.js';

/** Reference batched matmul: i-p-j loops with a float64 row accumulator. */
export function matmul(a: FloatArray, b: FloatArray, spec: MatmulSpec): FloatArray {
  const { batch, m, k, n, transA, transB, strideA, strideB } = spec;
  const out = spec.out ?? alike(a, batch * m * n);
  // Element (i, p) of op(A) is at i*ai + p*ap; element (p, j) of op(B) at p*bp + j*bj.
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  const bp = transB ? 1 : n;
  const bj = transB ? k : 1;
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const a0 = t * strideA;
    const b0 = t * strideB;
    const c0 = t * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[a0 + i * ai + p * ap]!;
        const row = b0 + p * bp;
        for (let j = 0; j < n; j++) acc[j] = acc[j]! + av * b[row + j * bj]!;
      }
      for (let j = 0; j < n; j++) out[c0 + i * n + j] = acc[j]!;
    }
  }
  return out;
}
