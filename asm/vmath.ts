// Vectorised single-precision exp, log, sigmoid and tanh on f32x4.
// Cephes-style range reduction and minimax polynomials, accurate to about
// 2 ulp on normal inputs; NaN propagates, overflow gives +Inf.

@inline function poly(x: v128, c0: f32, c1: f32): v128 {
  return f32x4.add(f32x4.mul(x, f32x4.splat(c0)), f32x4.splat(c1));
}

@inline function horner(p: v128, x: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(p, x), f32x4.splat(c));
}

/** e^x lane by lane. */
@inline export function vexp(x: v128): v128 {
  // Clamp so that n = round(x / ln 2) lies in [-126, 128]. pmin/pmax are one instruction
  // each (min/max's NaN and signed-zero rules cost several); with x first, NaN passes through.
  const lo = f32x4.splat(-87.5);
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.8)), lo);
  // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits.
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.4426950408889634)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = poly(r, 1.9875691500e-4, 1.3981999507e-3);
  p = horner(p, r, 8.3334519073e-3);
  p = horner(p, r, 4.1665795894e-2);
  p = horner(p, r, 1.6666665459e-1);
  p = horner(p, r, 5.0000001201e-1);
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^(n-1) from the exponent bits (n - 1 + 127 lies in [0, 254]), then times 2:
  // n = 128 overflows to +Inf in the product, as it should.
  const scale = i32x4.add(i32x4.shl(t, 23), i32x4.splat(126 << 23));
  const y = f32x4.mul(f32x4.mul(p, scale), f32x4.splat(2));
  // Below the clamp e^x is under 1.2e-38: flush to 0 so that e^-Inf is 0.
  return v128.andnot(y, f32x4.lt(x, lo));
}

/** Natural logarithm lane by lane (NaN below 0, -Inf at 0). */
@inline export function vlog(x: v128): v128 {
  // Scale subnormals into the normal range first.
  const tiny = f32x4.lt(x, f32x4.splat(1.1754943508222875e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  e = v128.bitselect(i32x4.sub(e, i32x4.splat(23)), e, tiny);
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, f32x4.splat(1.41421356237));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = v128.bitselect(i32x4.add(e, i32x4.splat(1)), e, big);
  const fe = f32x4.convert_i32x4_s(e);
  const f = f32x4.sub(m, f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let p = poly(f, 7.0376836292e-2, -1.1514610310e-1);
  p = horner(p, f, 1.1676998740e-1);
  p = horner(p, f, -1.2420140846e-1);
  p = horner(p, f, 1.4249322787e-1);
  p = horner(p, f, -1.6668057665e-1);
  p = horner(p, f, 2.0000714765e-1);
  p = horner(p, f, -2.4999993993e-1);
  p = horner(p, f, 3.3333331174e-1);
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  y = f32x4.add(f32x4.add(f, y), f32x4.mul(fe, f32x4.splat(0.693359375)));
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(x, y, f32x4.eq(x, f32x4.splat(Infinity)));
  y = v128.bitselect(f32x4.splat(NaN), y, v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x)));
  return y;
}

/** 1 / (1 + e^-x) lane by lane. */
@inline export function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

/** tanh lane by lane: a polynomial near 0, 1 - 2 / (e^2|x| + 1) elsewhere. */
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = poly(z, -5.70498872745e-3, 2.06390887954e-2);
  p = horner(p, z, -5.37397155531e-2);
  p = horner(p, z, 1.33314422036e-1);
  p = horner(p, z, -3.33332819422e-1);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const one = f32x4.splat(1);
  const t = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(vexp(f32x4.add(ax, ax)), one)));
  // Copy the sign of x onto t.
  const signed = v128.or(v128.and(x, i32x4.splat(0x80000000)), t);
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** log(1 + t) lane by lane for t >= 0, accurate for small t (log(u) corrected by the rounding of u = 1 + t). */
@inline export function vlog1p(t: v128): v128 {
  const one = f32x4.splat(1);
  const u = f32x4.add(one, t);
  const r = f32x4.sub(vlog(u), f32x4.div(f32x4.sub(f32x4.sub(u, one), t), u));
  return v128.bitselect(t, r, f32x4.eq(u, one));
}

/** log(1 + e^x) lane by lane: max(x, 0) + log1p(e^-|x|). */
@inline export function vsoftplus(x: v128): v128 {
  return f32x4.add(f32x4.max(x, f32x4.splat(0)), vlog1p(vexp(f32x4.neg(f32x4.abs(x)))));
}

/** e^x - 1 lane by lane for x <= 0, accurate near 0: (u - 1)·x / log u with u = e^x. */
@inline export function vexpm1neg(x: v128): v128 {
  const one = f32x4.splat(1);
  const u = vexp(x);
  const um1 = f32x4.sub(u, one);
  let r = f32x4.div(f32x4.mul(um1, x), vlog(u));
  r = v128.bitselect(x, r, f32x4.eq(u, one));
  return v128.bitselect(f32x4.splat(-1), r, f32x4.eq(um1, f32x4.splat(-1)));
}

// char-gpt: GELU
/**
 * e^(−a²/2 + c) lane by lane for a >= 0, with a² split so that its rounding does not reach the
 * result (at a = 13, a²/2 = 84.5 and one float32 rounding of it would already cost 5e-6
 * relative): ah (a with the low 12 mantissa bits cleared) squares exactly, and the remainder
 * (a − ah)(a + ah)/2 joins the small exponent c, so each factor is an exp of an argument held
 * to float32 precision.
 */
@inline function vexpHalfNegSq(a: v128, c: v128): v128 {
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  const half = f32x4.splat(0.5);
  const d = f32x4.mul(f32x4.mul(f32x4.sub(a, ah), f32x4.add(a, ah)), half);
  return f32x4.mul(vexp(f32x4.neg(f32x4.mul(f32x4.mul(ah, ah), half))), vexp(f32x4.sub(c, d)));
}

/**
 * |x|, capped at 30 (where e^(−x²/2) has long flushed to 0) so that infinities give a tail of 0
 * rather than NaN from Inf − Inf; NaN passes through pmin.
 */
@inline function absCapped(x: v128): v128 {
  return f32x4.pmin(f32x4.abs(x), f32x4.splat(30));
}

/**
 * Φ(−|x|), the lower tail of the standard normal CDF, lane by lane: erfc's Chebyshev fit
 * (relative error below 1.2e-7 over the whole line) as the reference's `normalCdfF32`,
 * 0.5·t·e^(−z² + P(t)) with z = |x|/√2 and t = 1/(1 + z/2).
 */
@inline function vnormTail(x: v128): v128 {
  const a = absCapped(x);
  const z = f32x4.mul(a, f32x4.splat(0.7071067811865476));
  const one = f32x4.splat(1);
  const t = f32x4.div(one, f32x4.add(one, f32x4.mul(z, f32x4.splat(0.5))));
  let p = poly(t, 0.17087277, -0.82215223);
  p = horner(p, t, 1.48851587);
  p = horner(p, t, -1.13520398);
  p = horner(p, t, 0.27886807);
  p = horner(p, t, -0.18628806);
  p = horner(p, t, 0.09678418);
  p = horner(p, t, 0.37409196);
  p = horner(p, t, 1.00002368);
  p = horner(p, t, -1.26551223);
  return f32x4.mul(f32x4.mul(t, f32x4.splat(0.5)), vexpHalfNegSq(a, p));
}

/** Φ(x) from the tail: 1 − Φ(−x) for x >= 0, the tail itself below (NaN propagates). */
@inline function vnormCdf(x: v128): v128 {
  const tail = vnormTail(x);
  return v128.bitselect(f32x4.sub(f32x4.splat(1), tail), tail, f32x4.ge(x, f32x4.splat(0)));
}

/** GELU with the exact Gaussian CDF, x·Φ(x), lane by lane. */
@inline export function vgelu(x: v128): v128 {
  return f32x4.mul(x, vnormCdf(x));
}

/** d/dx GELU = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π), lane by lane. */
@inline export function vgeluGrad(x: v128): v128 {
  const pdf = f32x4.mul(vexpHalfNegSq(absCapped(x), f32x4.splat(0)), f32x4.splat(0.3989422804014327));
  return f32x4.add(vnormCdf(x), f32x4.mul(x, pdf));
}
