/**
 * The fast Fourier transform the PRV accountant composes densities with: an in-place
 * iterative radix-2 complex FFT in float64, and the two convolutions built on it.
 * @module
 */
import { ArgumentError } from '../errors.js';

/** In-place FFT of (re, im), whose length must be a power of two; `inverse` includes the 1/n. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new ArgumentError(`fft: the length must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = (sign * 2 * Math.PI) / len;
    for (let k = 0; k < half; k++) {
      // Twiddles from the angle directly (not by repeated multiplication) keep float64 accuracy at 2²⁰ points.
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let s = k; s < n; s += len) {
        const t = s + half;
        const xr = re[t]! * wr - im[t]! * wi;
        const xi = re[t]! * wi + im[t]! * wr;
        re[t] = re[s]! - xr;
        im[t] = im[s]! - xi;
        re[s]! += xr;
        im[s]! += xi;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i]! /= n;
      im[i]! /= n;
    }
  }
}

/**
 * The n-fold circular self-convolution of `p` (length a power of two): the inverse FFT of
 * FFT(p)ⁿ, its n-th power taken in polar form.
 */
export function selfConvolveCircular(p: Float64Array, times: number): Float64Array {
  const re = Float64Array.from(p);
  const im = new Float64Array(p.length);
  fft(re, im);
  for (let k = 0; k < re.length; k++) {
    const mag = Math.hypot(re[k]!, im[k]!);
    const ang = Math.atan2(im[k]!, re[k]!) * times;
    const m = mag ** times;
    re[k] = m * Math.cos(ang);
    im[k] = m * Math.sin(ang);
  }
  fft(re, im, true);
  return re;
}

/**
 * The linear convolution of two equally long sequences, cut to the centre as
 * `scipy.signal.convolve(a, b, mode='same')`: out[k] = full[k + ⌊(n − 1)/2⌋].
 */
export function convolveSame(a: Float64Array, b: Float64Array): Float64Array {
  const n = a.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const ar = new Float64Array(size);
  const ai = new Float64Array(size);
  const br = new Float64Array(size);
  const bi = new Float64Array(size);
  ar.set(a);
  br.set(b);
  fft(ar, ai);
  fft(br, bi);
  for (let k = 0; k < size; k++) {
    const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
    ai[k] = ar[k]! * bi[k]! + ai[k]! * br[k]!;
    ar[k] = r;
  }
  fft(ar, ai, true);
  const start = Math.floor((n - 1) / 2);
  return ar.slice(start, start + n);
}
