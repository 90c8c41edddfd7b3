/**
 * Reference kernels of the fused convolution: each is the {@link im2col} /
 * {@link col2im} composition with a float64-accumulated product, rounded to the
 * array type where the unfused ops (im2col, matmul, bias add, col2im) would
 * round, so the fused kernels of other backends have a specification.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { Conv2dSpec, Conv2dWeightGrads, MaxPoolResult, Pool2dSpec } from '../backend.js';
import { col2im, im2col } from './conv.js';
import { maxPool2d, maxPool2dGrad } from './pool.js';
import { alike } from './strided.js';

/** Per-group sizes: output channels, column rows, positions per image. */
function sizes(s: Conv2dSpec): { og: number; kg: number; positions: number } {
  return { og: s.outC / s.groups, kg: (s.c / s.groups) * s.kh * s.kw, positions: s.outH * s.outW };
}

/** Reference conv2d: per group `weight · im2col(x)`, rounded, then `+ bias`; `[n, outC, outH, outW]`. */
export function conv2d(x: FloatArray, weight: FloatArray, bias: FloatArray | null, s: Conv2dSpec): FloatArray {
  const cols = im2col(x, s);
  const { og, kg, positions } = sizes(s);
  const total = s.n * positions;
  const out = alike(x, s.n * s.outC * positions);
  const acc = new Float64Array(positions);
  for (let b = 0; b < s.n; b++) {
    for (let o = 0; o < s.outC; o++) {
      const g = Math.floor(o / og);
      acc.fill(0);
      for (let k = 0; k < kg; k++) {
        const wv = weight[o * kg + k]!;
        const row = (g * kg + k) * total + b * positions;
        for (let p = 0; p < positions; p++) acc[p] = acc[p]! + wv * cols[row + p]!;
      }
      const dst = (b * s.outC + o) * positions;
      for (let p = 0; p < positions; p++) out[dst + p] = acc[p]!;
      if (bias !== null) {
        const bv = bias[o]!;
        for (let p = 0; p < positions; p++) out[dst + p] = out[dst + p]! + bv;
      }
    }
  }
  return out;
}

/** Reference input gradient: per group `weightᵀ · g` as columns, rounded, then {@link col2im}. */
export function conv2dGradInput(g: FloatArray, weight: FloatArray, s: Conv2dSpec): FloatArray {
  const { og, kg, positions } = sizes(s);
  const total = s.n * positions;
  const cols = alike(g, s.groups * kg * total);
  const acc = new Float64Array(positions);
  for (let b = 0; b < s.n; b++) {
    for (let t = 0; t < s.groups; t++) {
      for (let k = 0; k < kg; k++) {
        acc.fill(0);
        for (let o = t * og; o < (t + 1) * og; o++) {
          const wv = weight[o * kg + k]!;
          const src = (b * s.outC + o) * positions;
          for (let p = 0; p < positions; p++) acc[p] = acc[p]! + wv * g[src + p]!;
        }
        const dst = (t * kg + k) * total + b * positions;
        for (let p = 0; p < positions; p++) cols[dst + p] = acc[p]!;
      }
    }
  }
  return col2im(cols, s);
}

/** Reference weight and bias gradients: per group `g · im2col(x)ᵀ`, and the sums of `g` per output channel. */
export function conv2dGradWeight(x: FloatArray, g: FloatArray, s: Conv2dSpec): Conv2dWeightGrads {
  const cols = im2col(x, s);
  const { og, kg, positions } = sizes(s);
  const total = s.n * positions;
  const weight = alike(x, s.outC * kg);
  const bias = alike(x, s.outC);
  for (let o = 0; o < s.outC; o++) {
    const t = Math.floor(o / og);
    let sum = 0;
    for (let b = 0; b < s.n; b++) {
      const src = (b * s.outC + o) * positions;
      for (let p = 0; p < positions; p++) sum += g[src + p]!;
    }
    bias[o] = sum;
    for (let k = 0; k < kg; k++) {
      let acc = 0;
      for (let b = 0; b < s.n; b++) {
        const src = (b * s.outC + o) * positions;
        const row = (t * kg + k) * total + b * positions;
        for (let p = 0; p < positions; p++) acc += g[src + p]! * cols[row + p]!;
      }
      weight[o * kg + k] = acc;
    }
  }
  return { weight, bias };
}

/** Reference conv2dMaxPool2d: {@link conv2d}, then max pooling of its planes. */
export function conv2dMaxPool2d(x: FloatArray, weight: FloatArray, bias: FloatArray | null, s: Conv2dSpec, pool: Pool2dSpec): MaxPoolResult {
  return maxPool2d(conv2d(x, weight, bias, s), pool);
}

/** Reference conv2dMaxPoolGradInput: the adjoint of the pooling, then {@link conv2dGradInput}. */
export function conv2dMaxPoolGradInput(g: FloatArray, indices: Int32Array, weight: FloatArray, s: Conv2dSpec, pool: Pool2dSpec): FloatArray {
  return conv2dGradInput(maxPool2dGrad(g, indices, pool), weight, s);
}

/** Reference conv2dMaxPoolGradWeight: the adjoint of the pooling, then {@link conv2dGradWeight}. */
export function conv2dMaxPoolGradWeight(x: FloatArray, g: FloatArray, indices: Int32Array, s: Conv2dSpec, pool: Pool2dSpec): Conv2dWeightGrads {
  return conv2dGradWeight(x, maxPool2dGrad(g, indices, pool), s);
}
