/**
 * The masked softmax of attention scores, the reference for the fused kernels.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { MaskedSoftmaxSpec } from '../backend.js';
import { alike } from './strided.js';

/** Columns of row `i` that take part: all, or `0..i` when causal. */
function visible(spec: MaskedSoftmaxSpec, i: number): number {
  return spec.causal ? Math.min(i + 1, spec.cols) : spec.cols;
}

/** `softmax(scale·x + mask)` per row, causal columns left at 0; float64 arithmetic. */
export function maskedSoftmax(x: FloatArray, spec: MaskedSoftmaxSpec, mask: FloatArray | null): FloatArray {
  const { batch, rows, cols, scale, maskBatch, maskRepeat } = spec;
  const out = alike(x, x.length);
  const z = new Float64Array(cols);
  for (let b = 0; b < batch; b++) {
    const mBase = mask === null ? 0 : (Math.floor(b / maskRepeat) % maskBatch) * rows * cols;
    for (let i = 0; i < rows; i++) {
      const base = (b * rows + i) * cols;
      const n = visible(spec, i);
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const v = x[base + j]! * scale + (mask === null ? 0 : mask[mBase + i * cols + j]!);
        z[j] = v;
        if (v > max) max = v;
      }
      // Nothing visible (or only −∞): the row stays zero instead of 0/0.
      if (max === Number.NEGATIVE_INFINITY) continue;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(z[j]! - max);
      for (let j = 0; j < n; j++) out[base + j] = Math.exp(z[j]! - max) / sum;
    }
  }
  return out;
}

/** `scale · y ⊙ (g − Σ g⊙y)` per row (hidden columns, where y = 0, give 0). */
export function maskedSoftmaxGrad(y: FloatArray, g: FloatArray, spec: MaskedSoftmaxSpec): FloatArray {
  const { batch, rows, cols, scale } = spec;
  const out = alike(g, g.length);
  for (let r = 0; r < batch * rows; r++) {
    const base = r * cols;
    const n = visible(spec, r % rows);
    let s = 0;
    for (let j = 0; j < n; j++) s += g[base + j]! * y[base + j]!;
    for (let j = 0; j < n; j++) out[base + j] = scale * y[base + j]! * (g[base + j]! - s);
  }
  return out;
}
