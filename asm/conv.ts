// The convolution kernels: im2col unfolds an NCHW batch into the column matrix
// [c·kh·kw, n·outH·outW] the GEMM multiplies, and col2im is its adjoint, adding
// columns back into the image. Taps that fall outside the image read zeros
// (im2col) and write nothing (col2im). With stride 1 every column run is a
// contiguous copy (im2col) or add (col2im), done four floats at a time.

// First kernel position o in [0, out) whose tap o·stride − pad + tap is ≥ 0.
@inline function firstInside(tap: i32, pad: i32, stride: i32): i32 {
  const first = pad - tap;
  return first <= 0 ? 0 : (first + stride - 1) / stride;
}

// One past the last kernel position whose tap lands below `size`.
@inline function endInside(tap: i32, pad: i32, stride: i32, size: i32, out: i32, lo: i32): i32 {
  const top = size - 1 + pad - tap;
  const hi = top < 0 ? 0 : min(out, top / stride + 1);
  return max(lo, hi);
}

// Zeros n floats at byte address p.
@inline function zero(p: usize, n: i32): void {
  const z = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(p + (<usize>k << 2), z);
  for (; k < n; k++) store<f32>(p + (<usize>k << 2), 0);
}

// Copies n floats from src to dst (byte addresses).
@inline function copy(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

// dst[k] += src[k] for n floats.
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * Rows [r0, r1) of the column matrix: row (ci, i, j), column (b, oy, ox) holds
 * x[b, ci, oy·sH − pH + i·dH, ox·sW − pW + j·dW], or 0 outside the image.
 */
export function im2col(
  x: usize, cols: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32, outH: i32, outW: i32, r0: i32, r1: i32,
): void {
  const positions = n * outH * outW;
  const taps = kh * kw;
  for (let r = r0; r < r1; r++) {
    const ci = r / taps;
    const i = (r % taps) / kw;
    const j = r % kw;
    const y0 = min(outH, firstInside(i * dH, pH, sH)), y1 = endInside(i * dH, pH, sH, h, outH, y0);
    const x0 = min(outW, firstInside(j * dW, pW, sW)), x1 = endInside(j * dW, pW, sW, w, outW, x0);
    const row = cols + (<usize>r * <usize>positions << 2);
    for (let b = 0; b < n; b++) {
      const plane = x + (<usize>((b * c + ci) * h * w) << 2);
      const out = row + (<usize>(b * outH * outW) << 2);
      if (y0 > 0) zero(out, y0 * outW);
      for (let oy = y0; oy < y1; oy++) {
        const dst = out + (<usize>(oy * outW) << 2);
        // Pixel of ox = 0 (may lie left of the image; only ox in [x0, x1) is read).
        const srcRow = (oy * sH - pH + i * dH) * w - pW + j * dW;
        if (x0 > 0) zero(dst, x0);
        if (sW == 1) {
          copy(dst + (<usize>x0 << 2), plane + (<usize>(srcRow + x0) << 2), x1 - x0);
        } else {
          for (let ox = x0; ox < x1; ox++) {
            store<f32>(dst + (<usize>ox << 2), load<f32>(plane + (<usize>(srcRow + ox * sW) << 2)));
          }
        }
        if (x1 < outW) zero(dst + (<usize>x1 << 2), outW - x1);
      }
      if (y1 < outH) zero(out + (<usize>(y1 * outW) << 2), (outH - y1) * outW);
    }
  }
}

/**
 * Planes [p0, p1) (p = b·c + ci) of the image: zeroed, then every column entry
 * of channel ci and sample b added into the pixel it was read from.
 */
export function col2im(
  cols: usize, x: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32, outH: i32, outW: i32, p0: i32, p1: i32,
): void {
  const positions = n * outH * outW;
  for (let p = p0; p < p1; p++) {
    const b = p / c, ci = p % c;
    const plane = x + (<usize>(p * h * w) << 2);
    zero(plane, h * w);
    for (let i = 0; i < kh; i++) {
      const y0 = min(outH, firstInside(i * dH, pH, sH)), y1 = endInside(i * dH, pH, sH, h, outH, y0);
      for (let j = 0; j < kw; j++) {
        const x0 = min(outW, firstInside(j * dW, pW, sW)), x1 = endInside(j * dW, pW, sW, w, outW, x0);
        const r = (ci * kh + i) * kw + j;
        const src0 = cols + (<usize>(r * positions + b * outH * outW) << 2);
        for (let oy = y0; oy < y1; oy++) {
          const src = src0 + (<usize>(oy * outW) << 2);
          const dstRow = (oy * sH - pH + i * dH) * w - pW + j * dW;
          if (sW == 1) {
            addInto(plane + (<usize>(dstRow + x0) << 2), src + (<usize>x0 << 2), x1 - x0);
          } else {
            for (let ox = x0; ox < x1; ox++) {
              const d = plane + (<usize>(dstRow + ox * sW) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
            }
          }
        }
      }
    }
  }
}
