/**
 * Reference pooling kernels: max, average and adaptive average pooling over
 * `[planes, inH, inW]` (every (sample, channel) pair is one plane), with their
 * adjoints. One-dimensional pooling is the case `inH = outH = 1`.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AvgPool2dSpec, MaxPoolResult, Pool2dSpec } from '../backend.js';
import { alike } from './strided.js';

/**
 * Max pooling. A window's value is its largest element (NaN wins, as in PyTorch),
 * its index the flat position `h·inW + w` of that element in the plane: the first
 * one on ties. Padding counts as −∞, so it is never chosen.
 */
export function maxPool2d(x: FloatArray, s: Pool2dSpec): MaxPoolResult {
  const { planes, inH, inW, outH, outW, kH, kW, sH, sW, pH, pW, dH, dW } = s;
  const values = alike(x, planes * outH * outW);
  const indices = new Int32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * sH - pH;
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * sW - pW;
        let best = Number.NEGATIVE_INFINITY;
        let at = -1;
        for (let i = 0; i < kH; i++) {
          const h = h0 + i * dH;
          if (h < 0 || h >= inH) continue;
          for (let j = 0; j < kW; j++) {
            const w = w0 + j * dW;
            if (w < 0 || w >= inW) continue;
            const v = x[base + h * inW + w]!;
            if (at < 0 || v > best || v !== v) {
              best = v;
              at = h * inW + w;
            }
          }
        }
        const o = (p * outH + oh) * outW + ow;
        values[o] = best;
        indices[o] = at;
      }
    }
  }
  return { values, indices };
}

/** Adjoint of {@link maxPool2d}: each window's gradient added at its argmax. */
export function maxPool2dGrad(g: FloatArray, indices: Int32Array, s: Pool2dSpec): FloatArray {
  const { planes, inH, inW, outH, outW } = s;
  const plane = inH * inW;
  const n = outH * outW;
  const out = alike(g, planes * plane);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < n; o++) {
      const at = indices[p * n + o]!;
      if (at >= 0) out[p * plane + at] = out[p * plane + at]! + g[p * n + o]!;
    }
  }
  return out;
}

/** The rows or columns one average window covers, and its divisor before clipping. */
function avgWindow(o: number, stride: number, pad: number, k: number, size: number): [number, number, number] {
  const start = o * stride - pad;
  const end = Math.min(start + k, size + pad);
  const padded = end - start;
  return [Math.max(start, 0), Math.min(end, size), padded];
}

/** The divisor of one average window, PyTorch's rule. */
function divisorOf(s: AvgPool2dSpec, hs: number, he: number, ws: number, we: number, paddedArea: number): number {
  if (s.divisor > 0) return s.divisor;
  return s.countIncludePad ? paddedArea : (he - hs) * (we - ws);
}

/**
 * Average pooling. The divisor is `divisor` when positive, else the window's area
 * inside the padded input (`countIncludePad`) or inside the input itself.
 */
export function avgPool2d(x: FloatArray, s: AvgPool2dSpec): FloatArray {
  const { planes, inH, inW, outH, outW, kH, kW, sH, sW, pH, pW } = s;
  const out = alike(x, planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const [hs, he, ph] = avgWindow(oh, sH, pH, kH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const [ws, we, pw] = avgWindow(ow, sW, pW, kW, inW);
        let acc = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) acc += x[base + h * inW + w]!;
        out[(p * outH + oh) * outW + ow] = acc / divisorOf(s, hs, he, ws, we, ph * pw);
      }
    }
  }
  return out;
}

/** Adjoint of {@link avgPool2d}: each window's gradient spread over the input it covers. */
export function avgPool2dGrad(g: FloatArray, s: AvgPool2dSpec): FloatArray {
  const { planes, inH, inW, outH, outW, kH, kW, sH, sW, pH, pW } = s;
  const out = alike(g, planes * inH * inW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const [hs, he, ph] = avgWindow(oh, sH, pH, kH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const [ws, we, pw] = avgWindow(ow, sW, pW, kW, inW);
        const v = g[(p * outH + oh) * outW + ow]! / divisorOf(s, hs, he, ws, we, ph * pw);
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) out[base + h * inW + w] = out[base + h * inW + w]! + v;
      }
    }
  }
  return out;
}

/** PyTorch's adaptive window along one axis: `[⌊o·in/out⌋, ⌈(o+1)·in/out⌉)`. */
export function adaptiveRange(o: number, size: number, outSize: number): [number, number] {
  return [Math.floor((o * size) / outSize), Math.ceil(((o + 1) * size) / outSize)];
}

/** Adaptive average pooling of `[planes, inH, inW]` to `[planes, outH, outW]`. */
export function adaptiveAvgPool2d(x: FloatArray, planes: number, inH: number, inW: number, outH: number, outW: number): FloatArray {
  const out = alike(x, planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const [hs, he] = adaptiveRange(oh, inH, outH);
      for (let ow = 0; ow < outW; ow++) {
        const [ws, we] = adaptiveRange(ow, inW, outW);
        let acc = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) acc += x[base + h * inW + w]!;
        out[(p * outH + oh) * outW + ow] = acc / ((he - hs) * (we - ws));
      }
    }
  }
  return out;
}

/** Adjoint of {@link adaptiveAvgPool2d}. */
export function adaptiveAvgPool2dGrad(
  g: FloatArray,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): FloatArray {
  const out = alike(g, planes * inH * inW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const [hs, he] = adaptiveRange(oh, inH, outH);
      for (let ow = 0; ow < outW; ow++) {
        const [ws, we] = adaptiveRange(ow, inW, outW);
        const v = g[(p * outH + oh) * outW + ow]! / ((he - hs) * (we - ws));
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) out[base + h * inW + w] = out[base + h * inW + w]! + v;
      }
    }
  }
  return out;
}
