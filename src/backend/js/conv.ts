import type { FloatArray } from '../../tensor/dtype.js';
import type { Im2colSpec } from '../backend.js';
import { alike } from './strided.js';

/**
 * The kernel positions `o` (of `out`) whose tap at offset `tap` lands inside
 * an axis of size `size`: `o·stride − pad + tap` in `[0, size)` for `o` in
 * `[lo, hi)`.
 */
function inside(tap: number, pad: number, stride: number, size: number, out: number): [number, number] {
  const first = pad - tap; // o·stride ≥ first
  const lo = first <= 0 ? 0 : Math.ceil(first / stride);
  const hi = Math.min(out, Math.floor((size - 1 + pad - tap) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Reference im2col: a zeroed `[c·kh·kw, n·outH·outW]` array; row `(ci, i, j)`,
 * column `(b, oy, ox)` holds `x[b, ci, oy·sH − pH + i·dH, ox·sW − pW + j·dW]`
 * where that pixel exists.
 */
export function im2col(x: FloatArray, s: Im2colSpec): FloatArray {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = s;
  const positions = n * outH * outW;
  const out = alike(x, c * kh * kw * positions);
  out.fill(0);
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      const [y0, y1] = inside(i * dilationH, padH, strideH, h, outH);
      for (let j = 0; j < kw; j++) {
        const [x0, x1] = inside(j * dilationW, padW, strideW, w, outW);
        const row = ((ci * kh + i) * kw + j) * positions;
        for (let b = 0; b < n; b++) {
          const plane = (b * c + ci) * h * w;
          for (let oy = y0; oy < y1; oy++) {
            const src = plane + (oy * strideH - padH + i * dilationH) * w - padW + j * dilationW;
            const dst = row + (b * outH + oy) * outW;
            for (let ox = x0; ox < x1; ox++) out[dst + ox] = x[src + ox * strideW]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Reference col2im, the adjoint of {@link im2col}: each column entry added
 * into the pixel it was read from, accumulated in float64; `[n, c, h, w]`.
 */
export function col2im(cols: FloatArray, s: Im2colSpec): FloatArray {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = s;
  const positions = n * outH * outW;
  const acc = new Float64Array(n * c * h * w);
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      const [y0, y1] = inside(i * dilationH, padH, strideH, h, outH);
      for (let j = 0; j < kw; j++) {
        const [x0, x1] = inside(j * dilationW, padW, strideW, w, outW);
        const row = ((ci * kh + i) * kw + j) * positions;
        for (let b = 0; b < n; b++) {
          const plane = (b * c + ci) * h * w;
          for (let oy = y0; oy < y1; oy++) {
            const dst = plane + (oy * strideH - padH + i * dilationH) * w - padW + j * dilationW;
            const src = row + (b * outH + oy) * outW;
            for (let ox = x0; ox < x1; ox++) {
              const k = dst + ox * strideW;
              acc[k] = acc[k]! + cols[src + ox]!;
            }
          }
        }
      }
    }
  }
  const out = alike(cols, acc.length);
  out.set(acc);
  return out;
}
