/**
 * Layer normalisation over the rows of `[rows, n]`, the reference for the fused kernels:
 * float64 arithmetic throughout, each result rounded once into the output's dtype.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { LayerNormGradResult, LayerNormResult } from '../backend.js';
import { alike } from './strided.js';

/** `(x − mean)·rstd ⊙ weight + bias` per row, with the biased variance (two passes). */
export function layerNorm(
  x: FloatArray,
  rows: number,
  n: number,
  weight: FloatArray | null,
  bias: FloatArray | null,
  eps: number,
): LayerNormResult {
  const y = alike(x, rows * n);
  const mean = alike(x, rows);
  const rstd = alike(x, rows);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += x[base + j]!;
    const mu = s / n;
    let q = 0;
    for (let j = 0; j < n; j++) {
      const d = x[base + j]! - mu;
      q += d * d;
    }
    const rs = 1 / Math.sqrt(q / n + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < n; j++) {
      let v = (x[base + j]! - mu) * rs;
      if (weight !== null) v *= weight[j]!;
      if (bias !== null) v += bias[j]!;
      y[base + j] = v;
    }
  }
  return { y, mean, rstd };
}

/** dx, dweight and dbias of {@link layerNorm} from the saved per-row mean and rstd. */
export function layerNormGrad(
  x: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  weight: FloatArray | null,
  g: FloatArray,
  rows: number,
  n: number,
): LayerNormGradResult {
  const dx = alike(x, rows * n);
  const dw = new Float64Array(n);
  const db = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < n; j++) {
      const xh = (x[base + j]! - mu) * rs;
      const gj = g[base + j]!;
      const gh = weight === null ? gj : gj * weight[j]!;
      sg += gh;
      sgx += gh * xh;
      dw[j] = dw[j]! + gj * xh;
      db[j] = db[j]! + gj;
    }
    const a = sg / n;
    const b = sgx / n;
    for (let j = 0; j < n; j++) {
      const xh = (x[base + j]! - mu) * rs;
      const gj = g[base + j]!;
      const gh = weight === null ? gj : gj * weight[j]!;
      dx[base + j] = rs * (gh - a - xh * b);
    }
  }
  const dweight = alike(x, n);
  const dbias = alike(x, n);
  for (let j = 0; j < n; j++) {
    dweight[j] = dw[j]!;
    dbias[j] = db[j]!;
  }
  return { dx, dweight, dbias };
}
