// Pooling kernels over planes [inH, inW] (every (sample, channel) pair of an
// NCHW tensor is one plane), each run over planes [p0, p1) so that the pool
// can split a job by planes. The forward kernels vectorise across four output
// columns whose windows lie inside the image when the column stride is 1 or 2
// (a plain or a deinterleaving load per tap); border columns and other strides
// run one window at a time. Max pooling follows the reference exactly: the
// first tap inside the image starts the window, and a later tap replaces it
// when it is larger or NaN.

// First output position o whose window start o·stride − pad + tap is ≥ 0, at most `out`.
@inline function firstInside(tap: i32, pad: i32, stride: i32, out: i32): i32 {
  const first = pad - tap;
  return min(out, first <= 0 ? 0 : (first + stride - 1) / stride);
}

// One past the last output position whose tap o·stride − pad + tap is below `size` (at least lo).
@inline function endInside(tap: i32, pad: i32, stride: i32, size: i32, out: i32, lo: i32): i32 {
  const top = size - 1 + pad - tap;
  return max(lo, top < 0 ? 0 : min(out, top / stride + 1));
}

// The floats at p, p + s, p + 2s, p + 3s (s = 1 or 2 elements); with s = 2 it reads the float after the last.
@inline function load4(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  return i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

@inline function zero(p: usize, n: i32): void {
  const z = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(p + (<usize>k << 2), z);
  for (; k < n; k++) store<f32>(p + (<usize>k << 2), 0);
}

// One max window at (h0, w0) of the plane at `base`: its value and flat index stored at `o`.
@inline function maxWindow(
  base: usize, inH: i32, inW: i32, h0: i32, w0: i32, kH: i32, kW: i32, dH: i32, dW: i32,
  values: usize, indices: usize, o: usize,
): void {
  let best = -Infinity as f32;
  let at = -1;
  for (let i = 0; i < kH; i++) {
    const h = h0 + i * dH;
    if (h < 0 || h >= inH) continue;
    for (let j = 0; j < kW; j++) {
      const w = w0 + j * dW;
      if (w < 0 || w >= inW) continue;
      const k = h * inW + w;
      const v = load<f32>(base + (<usize>k << 2));
      if (at < 0 || v > best || v != v) {
        best = v;
        at = k;
      }
    }
  }
  store<f32>(values + (o << 2), best);
  store<i32>(indices + (o << 2), at);
}

/** Max pooling of planes [p0, p1) with the flat argmax of every window. */
export function maxPool2d(
  x: usize, values: usize, indices: usize, inH: i32, inW: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32, p0: i32, p1: i32,
): void {
  const lastTap = (kW - 1) * dW;
  const lo = firstInside(0, pW, sW, outW);
  const hi = endInside(lastTap, pW, sW, inW, outW, lo);
  // Vector columns also need the float after the last tap when sW = 2.
  const vhi = sW == 1 ? hi : sW == 2 ? endInside(lastTap + 1, pW, sW, inW, outW, lo) : lo;
  const lanes = i32x4(0, sW, 2 * sW, 3 * sW);
  for (let p = p0; p < p1; p++) {
    const base = x + (<usize>(p * inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * sH - pH;
      const row = <usize>((p * outH + oh) * outW);
      let ow = 0;
      for (; ow < lo; ow++) maxWindow(base, inH, inW, h0, ow * sW - pW, kH, kW, dH, dW, values, indices, row + ow);
      for (; ow + 4 <= vhi; ow += 4) {
        const w0 = ow * sW - pW;
        let best = f32x4.splat(-Infinity);
        let at = i32x4.splat(-1);
        let first = true;
        for (let i = 0; i < kH; i++) {
          const h = h0 + i * dH;
          if (h < 0 || h >= inH) continue;
          for (let j = 0; j < kW; j++) {
            const k = h * inW + w0 + j * dW;
            const v = load4(base + (<usize>k << 2), sW);
            const vk = i32x4.add(i32x4.splat(k), lanes);
            if (first) {
              best = v;
              at = vk;
              first = false;
            } else {
              const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(vk, at, take);
            }
          }
        }
        v128.store(values + ((row + ow) << 2), best);
        v128.store(indices + ((row + ow) << 2), at);
      }
      for (; ow < outW; ow++) maxWindow(base, inH, inW, h0, ow * sW - pW, kH, kW, dH, dW, values, indices, row + ow);
    }
  }
}

/** Adjoint of maxPool2d over planes [p0, p1): zeros, then g added at the argmax indices. */
export function maxPool2dGrad(g: usize, indices: usize, out: usize, inH: i32, inW: i32, outH: i32, outW: i32, p0: i32, p1: i32): void {
  const plane = inH * inW, n = outH * outW;
  for (let p = p0; p < p1; p++) {
    const dst = out + (<usize>(p * plane) << 2);
    zero(dst, plane);
    const src = <usize>(p * n) << 2;
    for (let o = 0; o < n; o++) {
      const at = load<i32>(indices + src + (<usize>o << 2));
      if (at < 0) continue;
      const d = dst + (<usize>at << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + src + (<usize>o << 2)));
    }
  }
}

// The divisor of an average window covering rows [hs, he) and columns [ws, we), `padded` its area inside the padded image.
@inline function divisorOf(divisor: i32, countIncludePad: bool, hs: i32, he: i32, ws: i32, we: i32, padded: i32): f32 {
  if (divisor > 0) return <f32>divisor;
  return <f32>(countIncludePad ? padded : (he - hs) * (we - ws));
}

/** Average pooling of planes [p0, p1) (dilation 1); see the reference kernel for the divisor rule. */
export function avgPool2d(
  x: usize, y: usize, inH: i32, inW: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, countIncludePad: bool, divisor: i32, p0: i32, p1: i32,
): void {
  const lo = firstInside(0, pW, sW, outW);
  const hi = endInside(kW - 1, pW, sW, inW, outW, lo);
  const vhi = sW == 1 ? hi : sW == 2 ? endInside(kW, pW, sW, inW, outW, lo) : lo;
  for (let p = p0; p < p1; p++) {
    const base = x + (<usize>(p * inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const start = oh * sH - pH;
      const end = min(start + kH, inH + pH);
      const hs = max(start, 0), he = min(end, inH);
      const row = y + (<usize>((p * outH + oh) * outW) << 2);
      let ow = 0;
      for (; ow < outW; ow++) {
        if (ow >= lo && ow + 4 <= vhi) {
          // Four windows inside the image across: one vector sum per tap.
          const w0 = ow * sW - pW;
          let acc = f32x4.splat(0);
          for (let h = hs; h < he; h++) {
            for (let j = 0; j < kW; j++) acc = f32x4.add(acc, load4(base + (<usize>(h * inW + w0 + j) << 2), sW));
          }
          const d = divisorOf(divisor, countIncludePad, hs, he, 0, kW, (end - start) * kW);
          v128.store(row + (<usize>ow << 2), f32x4.div(acc, f32x4.splat(d)));
          ow += 3;
          continue;
        }
        const ws0 = ow * sW - pW;
        const we0 = min(ws0 + kW, inW + pW);
        const ws = max(ws0, 0), we = min(we0, inW);
        let acc: f32 = 0;
        for (let h = hs; h < he; h++) {
          for (let w = ws; w < we; w++) acc += load<f32>(base + (<usize>(h * inW + w) << 2));
        }
        store<f32>(row + (<usize>ow << 2), acc / divisorOf(divisor, countIncludePad, hs, he, ws, we, (end - start) * (we0 - ws0)));
      }
    }
  }
}

/** Adjoint of avgPool2d over planes [p0, p1): every window's gradient spread evenly over the input it covers. */
export function avgPool2dGrad(
  g: usize, out: usize, inH: i32, inW: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, countIncludePad: bool, divisor: i32, p0: i32, p1: i32,
): void {
  for (let p = p0; p < p1; p++) {
    const base = out + (<usize>(p * inH * inW) << 2);
    zero(base, inH * inW);
    for (let oh = 0; oh < outH; oh++) {
      const start = oh * sH - pH;
      const end = min(start + kH, inH + pH);
      const hs = max(start, 0), he = min(end, inH);
      const row = g + (<usize>((p * outH + oh) * outW) << 2);
      for (let ow = 0; ow < outW; ow++) {
        const ws0 = ow * sW - pW;
        const we0 = min(ws0 + kW, inW + pW);
        const ws = max(ws0, 0), we = min(we0, inW);
        const v = load<f32>(row + (<usize>ow << 2)) / divisorOf(divisor, countIncludePad, hs, he, ws, we, (end - start) * (we0 - ws0));
        for (let h = hs; h < he; h++) {
          const r = base + (<usize>(h * inW) << 2);
          for (let w = ws; w < we; w++) {
            const d = r + (<usize>w << 2);
            store<f32>(d, load<f32>(d) + v);
          }
        }
      }
    }
  }
}

// PyTorch's adaptive window along one axis: [⌊o·size/out⌋, ⌈(o+1)·size/out⌉).
@inline function adaptiveStart(o: i32, size: i32, out: i32): i32 {
  return (o * size) / out;
}

@inline function adaptiveEnd(o: i32, size: i32, out: i32): i32 {
  return ((o + 1) * size + out - 1) / out;
}

/** Adaptive average pooling of planes [p0, p1) to [outH, outW]. */
export function adaptiveAvgPool2d(x: usize, y: usize, inH: i32, inW: i32, outH: i32, outW: i32, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    const base = x + (<usize>(p * inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const hs = adaptiveStart(oh, inH, outH), he = adaptiveEnd(oh, inH, outH);
      for (let ow = 0; ow < outW; ow++) {
        const ws = adaptiveStart(ow, inW, outW), we = adaptiveEnd(ow, inW, outW);
        let acc: f32 = 0;
        for (let h = hs; h < he; h++) {
          for (let w = ws; w < we; w++) acc += load<f32>(base + (<usize>(h * inW + w) << 2));
        }
        store<f32>(y + (<usize>((p * outH + oh) * outW + ow) << 2), acc / <f32>((he - hs) * (we - ws)));
      }
    }
  }
}

/** Adjoint of adaptiveAvgPool2d over planes [p0, p1). */
export function adaptiveAvgPool2dGrad(g: usize, out: usize, inH: i32, inW: i32, outH: i32, outW: i32, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    const base = out + (<usize>(p * inH * inW) << 2);
    zero(base, inH * inW);
    for (let oh = 0; oh < outH; oh++) {
      const hs = adaptiveStart(oh, inH, outH), he = adaptiveEnd(oh, inH, outH);
      for (let ow = 0; ow < outW; ow++) {
        const ws = adaptiveStart(ow, inW, outW), we = adaptiveEnd(ow, inW, outW);
        const v = load<f32>(g + (<usize>((p * outH + oh) * outW + ow) << 2)) / <f32>((he - hs) * (we - ws));
        for (let h = hs; h < he; h++) {
          const r = base + (<usize>(h * inW) << 2);
          for (let w = ws; w < we; w++) {
            const d = r + (<usize>w << 2);
            store<f32>(d, load<f32>(d) + v);
          }
        }
      }
    }
  }
}
