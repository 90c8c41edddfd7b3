import type { FloatArray } from '../../tensor/dtype.js';
import type { Im2colSpec } from '../backend.js';
import { alike } from './strided.js';

/**
 * Walks every (channel, tap, image, kernel position) of the geometry, calling
 * `visit(col, pix)` with the index into the columns and the index of the pixel
 * the tap reads, for taps inside the image.
 */
function eachTap(s: Im2colSpec, visit: (col: number, pix: number) => void): void {
  const { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = s;
  const positions = n * outH * outW;
  for (let ci = 0; ci < c; ci++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = ((ci * kh + i) * kw + j) * positions;
        for (let b = 0; b < n; b++) {
          const plane = (b * c + ci) * h * w;
          for (let oy = 0; oy < outH; oy++) {
            const y = oy * strideH - padH + i * dilationH;
            if (y < 0 || y >= h) continue;
            const col = row + (b * outH + oy) * outW;
            for (let ox = 0; ox < outW; ox++) {
              const xx = ox * strideW - padW + j * dilationW;
              if (xx >= 0 && xx < w) visit(col + ox, plane + y * w + xx);
            }
          }
        }
      }
    }
  }
}

/** Reference im2col: a zeroed `[c·kh·kw, n·outH·outW]` array filled tap by tap. */
export function im2col(x: FloatArray, spec: Im2colSpec): FloatArray {
  const out = alike(x, spec.c * spec.kh * spec.kw * spec.n * spec.outH * spec.outW);
  out.fill(0);
  eachTap(spec, (col, pix) => {
    out[col] = x[pix]!;
  });
  return out;
}

/** Reference col2im: each column entry added into its pixel, accumulated in float64. */
export function col2im(cols: FloatArray, spec: Im2colSpec): FloatArray {
  const acc = new Float64Array(spec.n * spec.c * spec.h * spec.w);
  eachTap(spec, (col, pix) => {
    acc[pix] = acc[pix]! + cols[col]!;
  });
  const out = alike(cols, acc.length);
  out.set(acc);
  return out;
}
