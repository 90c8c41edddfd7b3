/**
 * Reference kernels of the fused primitives: bias-add plus activation, and
 * softmax cross-entropy with its gradient.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { BiasActivationOp, SoftmaxCrossEntropyResult } from '../backend.js';
import { scalar, unary } from './elementwise.js';
import { alike } from './strided.js';

/**
 * `act(x + bias)` row by row for x viewed as [m, n]. The sum is stored first,
 * so it is rounded to the array's type exactly as a separate add would round it,
 * and the activation then runs on that stored value.
 */
export function biasActivation(
  op: BiasActivationOp,
  x: FloatArray,
  m: number,
  n: number,
  bias: FloatArray | null,
  a: number,
): FloatArray {
  let sum: FloatArray;
  if (bias === null) {
    sum = x;
  } else {
    sum = alike(x, m * n);
    for (let i = 0, p = 0; i < m; i++) for (let j = 0; j < n; j++, p++) sum[p] = x[p]! + bias[j]!;
  }
  switch (op) {
    case 'none':
      return sum === x ? x.slice() : sum;
    case 'leakyRelu':
    case 'elu':
      return scalar(op, sum, a, 0);
    default:
      return unary(op, sum);
  }
}

/**
 * Per-row `logSumExp(x) − x[label]` and the softmax of each row, in float64
 * arithmetic. Subtracting the row maximum first keeps every exponent ≤ 0, so
 * logits of any finite size give finite losses.
 */
export function softmaxCrossEntropy(
  logits: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): SoftmaxCrossEntropyResult {
  const losses = alike(logits, n);
  const probs = alike(logits, n * c);
  for (let i = 0; i < n; i++) {
    const base = i * c;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < c; j++) if (logits[base + j]! > max) max = logits[base + j]!;
    if (max === Number.NEGATIVE_INFINITY) max = 0;
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[base + j]! - max);
    for (let j = 0; j < c; j++) probs[base + j] = Math.exp(logits[base + j]! - max) / sum;
    const label = labels[i]!;
    // An out-of-range label (the op layer rejects them) gives NaN rather than a wrong number.
    const picked = label >= 0 && label < c ? logits[base + label]! : Number.NaN;
    losses[i] = max - picked + Math.log(sum);
  }
  return { losses, probs };
}

/** `dx[i, j] = (probs[i, j] − [j = labels[i]]) · g[i]`. */
export function softmaxCrossEntropyGrad(
  probs: FloatArray,
  g: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): FloatArray {
  const out = alike(probs, n * c);
  for (let i = 0; i < n; i++) {
    const base = i * c;
    const gi = g[i]!;
    const label = labels[i]!;
    for (let j = 0; j < c; j++) out[base + j] = (probs[base + j]! - (j === label ? 1 : 0)) * gi;
  }
  return out;
}
