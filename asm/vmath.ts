// Vectorised single-precision exp, log, sigmoid and tanh on f32x4.
// Cephes-style range reduction and minimax polynomials, accurate to about
// 2 ulp on normal inputs; NaN propagates, overflow gives +Inf.

@inline function poly(x: v128, c0: f32, c1: f32): v128 {
  return f32x4.add(f32x4.mul(x, f32x4.splat(c0)), f32x4.splat(c1));
}

@inline function horner(p: v128, x: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(p, x), f32x4.splat(c));
}

/** e^r·2^n from a reduced argument r (|r| <= ln2/2) and t = n + 1.5·2^23 (n in its low mantissa bits). */
@inline function expReduced(r: v128, t: v128): v128 {
  let p = poly(r, 1.9875691500e-4, 1.3981999507e-3);
  p = horner(p, r, 8.3334519073e-3);
  p = horner(p, r, 4.1665795894e-2);
  p = horner(p, r, 1.6666665459e-1);
  p = horner(p, r, 5.0000001201e-1);
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // 2^(n-1) from the exponent bits (n - 1 + 127 lies in [0, 254]), then times 2:
  // n = 128 overflows to +Inf in the product, as it should.
  const scale = i32x4.add(i32x4.shl(t, 23), i32x4.splat(126 << 23));
  return f32x4.mul(f32x4.mul(p, scale), f32x4.splat(2));
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
  // Below the clamp e^x is under 1.2e-38: flush to 0 so that e^-Inf is 0.
  return v128.andnot(expReduced(r, t), f32x4.lt(x, lo));
}

/**
 * e^(h + l) lane by lane for h <= 0 held exactly (h = −ah²/2 below) and a correction |l| < 2:
 * n = round((h + l)/ln 2) comes from the rounded sum, but h − n·ln 2 is formed before l joins
 * it (Cody–Waite with a short ln 2: n·0.693359375 is exact, and where |h| is large, h and n·ln 2
 * are within a factor of two, so their difference is exact too; for small |h| it is a number
 * below 2 rounded once). So the sum's own rounding (5e-6 relative at h = −84.5) never reaches
 * the result. Below e^−87.5 it flushes to 0.
 */
@inline function vexpSum(h: v128, l: v128): v128 {
  const lo = f32x4.splat(-87.5);
  const s = f32x4.add(h, l);
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(f32x4.pmax(s, lo), f32x4.splat(1.4426950408889634)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(h, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4))), l);
  return v128.andnot(expReduced(r, t), f32x4.lt(s, lo));
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
// Φ(−a) for a = |x| comes from erfc's Chebyshev fit (relative error below 1.2e-7 over the
// whole line, as the reference's `normalCdfF32`): Φ(−a) = 0.5·t·e^(−a²/2 + P(t)) with
// t = 1/(1 + a/(2√2)). a is capped at 30 (where everything has long flushed to 0) so that
// infinities give 0 rather than NaN from Inf − Inf; NaN passes through pmin. a² is split so
// that its rounding does not reach the result: ah (a with the low 12 mantissa bits cleared)
// squares exactly into h = −ah²/2, and the remainder d = (a − ah)(a + ah)/2 joins the small
// part of the exponent (see vexpSum).

@inline function capAbs(x: v128): v128 {
  return f32x4.pmin(f32x4.abs(x), f32x4.splat(30));
}

/** t = 1/(1 + a/(2√2)) of the fit. */
@inline function tailT(a: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, f32x4.mul(a, f32x4.splat(0.35355339059327373))));
}

/** h = −ah²/2, exact. */
@inline function sqHigh(a: v128): v128 {
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  return f32x4.mul(f32x4.mul(ah, ah), f32x4.splat(-0.5));
}

/** d = a²/2 + h, the part of a²/2 that h leaves. */
@inline function sqLow(a: v128): v128 {
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  return f32x4.mul(f32x4.mul(f32x4.sub(a, ah), f32x4.add(a, ah)), f32x4.splat(0.5));
}

/** P(t) of the fit by Estrin's scheme (a third of Horner's dependency chain). */
@inline function tailPoly(t: v128): v128 {
  const t2 = f32x4.mul(t, t);
  const t4 = f32x4.mul(t2, t2);
  const t8 = f32x4.mul(t4, t4);
  const q0 = poly(t, 1.00002368, -1.26551223);
  const q1 = poly(t, 0.09678418, 0.37409196);
  const q2 = poly(t, 0.27886807, -0.18628806);
  const q3 = poly(t, 1.48851587, -1.13520398);
  const q4 = poly(t, 0.17087277, -0.82215223);
  const r0 = f32x4.add(f32x4.mul(q1, t2), q0);
  const r1 = f32x4.add(f32x4.mul(q3, t2), q2);
  return f32x4.add(f32x4.add(f32x4.mul(r1, t4), r0), f32x4.mul(q4, t8));
}

/** Φ(x) from the tail Φ(−|x|): 1 − tail for x >= 0, the tail itself below (NaN propagates). */
@inline function cdfFromTail(x: v128, tail: v128): v128 {
  return v128.bitselect(f32x4.sub(f32x4.splat(1), tail), tail, f32x4.ge(x, f32x4.splat(0)));
}

/** GELU with the exact Gaussian CDF, x·Φ(x), lane by lane (one exp). */
@inline export function vgelu(x: v128): v128 {
  const a = capAbs(x);
  const t = tailT(a);
  const tail = f32x4.mul(f32x4.mul(t, f32x4.splat(0.5)), vexpSum(sqHigh(a), f32x4.sub(tailPoly(t), sqLow(a))));
  return f32x4.mul(x, cdfFromTail(x, tail));
}

/**
 * d/dx GELU = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π), lane by lane: e^(−x²/2) once, and the
 * tail is it times e^P(t) (|P| < 1.3, no precision to lose there).
 */
@inline export function vgeluGrad(x: v128): v128 {
  const a = capAbs(x);
  const t = tailT(a);
  const g = vexpSum(sqHigh(a), f32x4.neg(sqLow(a)));
  const tail = f32x4.mul(f32x4.mul(f32x4.mul(t, f32x4.splat(0.5)), g), vexp(tailPoly(t)));
  const pdf = f32x4.mul(g, f32x4.splat(0.3989422804014327));
  return f32x4.add(cdfFromTail(x, tail), f32x4.mul(x, pdf));
}
