// Optimizer updates (PyTorch's rules, as in src/backend/js/optim.ts): SGD with
// momentum, dampening and Nesterov; Adam/AdamW with AMSGrad; RMSprop (centered,
// momentum); Adagrad. Each updates the parameters w and its state buffers in
// place, in f32 arithmetic, four lanes at a time.
//
// Every array starts 16-byte aligned and has room up to the next multiple of
// 16 floats (the arena's 64-byte spans), so the loops run whole vectors past n:
// the extra lanes compute on padding that is never copied out. Hyperparameters
// derived from others (1 − β, bias corrections, the decayed lr) come in
// precomputed from float64, as the reference computes them. One deliberate
// difference: Adam multiplies by 1 / √(1 − β2^t) where the reference divides by
// √(1 − β2^t), to spare one of the two vector divisions that bound its speed
// (one more rounding, within a float32 ulp).

import { SGD_FRESH, SGD_NESTEROV } from './opcodes';

@inline function ld(p: usize, o: usize): v128 {
  return v128.load(p + o);
}

@inline function st(p: usize, o: usize, v: v128): void {
  v128.store(p + o, v);
}

// d = g + wd·w; with momentum b = fresh ? d : mom·b + damp1·d and
// w −= lr·(nesterov ? d + mom·b : b); without (b == 0) w −= lr·d.
@inline function sgdLoop(
  w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32,
  momentum: bool, fresh: bool, nesterov: bool,
): void {
  const vlr = f32x4.splat(lr), vmom = f32x4.splat(mom), vdamp = f32x4.splat(damp1), vwd = f32x4.splat(wd);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const wi = ld(w, o);
    const d = f32x4.add(ld(g, o), f32x4.mul(vwd, wi));
    if (!momentum) {
      st(w, o, f32x4.sub(wi, f32x4.mul(vlr, d)));
      continue;
    }
    const bi = fresh ? d : f32x4.add(f32x4.mul(vmom, ld(b, o)), f32x4.mul(vdamp, d));
    st(b, o, bi);
    const dir = nesterov ? f32x4.add(d, f32x4.mul(vmom, bi)) : bi;
    st(w, o, f32x4.sub(wi, f32x4.mul(vlr, dir)));
  }
}

// One function per combination keeps each loop branch-free.
function sgdPlain(w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  sgdLoop(w, g, b, n, lr, mom, damp1, wd, false, false, false);
}
function sgdMomentum(w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  sgdLoop(w, g, b, n, lr, mom, damp1, wd, true, false, false);
}
function sgdMomentumFresh(w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  sgdLoop(w, g, b, n, lr, mom, damp1, wd, true, true, false);
}
function sgdNesterov(w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  sgdLoop(w, g, b, n, lr, mom, damp1, wd, true, false, true);
}
function sgdNesterovFresh(w: usize, g: usize, b: usize, n: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  sgdLoop(w, g, b, n, lr, mom, damp1, wd, true, true, true);
}


/** SGD over n floats; b is 0 without momentum. */
export function sgd(w: usize, g: usize, b: usize, n: i32, flags: i32, lr: f32, mom: f32, damp1: f32, wd: f32): void {
  if (b == 0) sgdPlain(w, g, b, n, lr, mom, damp1, wd);
  else if (flags == 0) sgdMomentum(w, g, b, n, lr, mom, damp1, wd);
  else if (flags == SGD_FRESH) sgdMomentumFresh(w, g, b, n, lr, mom, damp1, wd);
  else if (flags == SGD_NESTEROV) sgdNesterov(w, g, b, n, lr, mom, damp1, wd);
  else sgdNesterovFresh(w, g, b, n, lr, mom, damp1, wd);
}

// wi = w·shrink; d = g + l2·wi; m = b1·m + c1·d; v = b2·v + c2·d·d;
// s = amsgrad ? (vmax = max(vmax, v)) : v; w = wi − (stepSize·m) / (√s · invBc2 + eps), invBc2 = 1 / √(1 − β2^t).
@inline function adamLoop(
  w: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, invBc2: f32, l2: f32, shrink: f32,
  amsgrad: bool,
): void {
  const vstep = f32x4.splat(stepSize), vb1 = f32x4.splat(b1), vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2), vc2 = f32x4.splat(c2), veps = f32x4.splat(eps);
  const vbc2 = f32x4.splat(invBc2), vl2 = f32x4.splat(l2), vshrink = f32x4.splat(shrink);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const wi = f32x4.mul(ld(w, o), vshrink);
    const d = f32x4.add(ld(g, o), f32x4.mul(vl2, wi));
    const mi = f32x4.add(f32x4.mul(vb1, ld(m, o)), f32x4.mul(vc1, d));
    const vi = f32x4.add(f32x4.mul(vb2, ld(v, o)), f32x4.mul(f32x4.mul(vc2, d), d));
    st(m, o, mi);
    st(v, o, vi);
    let second = vi;
    if (amsgrad) {
      // pmax(a, b) = a < b ? b : a: keeps vmax when v is NaN, like the reference's `v > vmax`.
      second = f32x4.pmax(ld(vmax, o), vi);
      st(vmax, o, second);
    }
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(second), vbc2), veps);
    st(w, o, f32x4.sub(wi, f32x4.div(f32x4.mul(vstep, mi), denom)));
  }
}

function adamPlain(
  w: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, invBc2: f32, l2: f32, shrink: f32,
): void {
  adamLoop(w, g, m, v, vmax, n, stepSize, b1, c1, b2, c2, eps, invBc2, l2, shrink, false);
}
function adamAmsgrad(
  w: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, invBc2: f32, l2: f32, shrink: f32,
): void {
  adamLoop(w, g, m, v, vmax, n, stepSize, b1, c1, b2, c2, eps, invBc2, l2, shrink, true);
}

/** Adam or AdamW over n floats; vmax is 0 without AMSGrad. */
export function adam(
  w: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, invBc2: f32, l2: f32, shrink: f32,
): void {
  if (vmax == 0) adamPlain(w, g, m, v, vmax, n, stepSize, b1, c1, b2, c2, eps, invBc2, l2, shrink);
  else adamAmsgrad(w, g, m, v, vmax, n, stepSize, b1, c1, b2, c2, eps, invBc2, l2, shrink);
}

// d = g + wd·w; sq = α·sq + c·d·d; centered: ga = α·ga + c·d, avg = √(sq − ga·ga) + eps,
// else avg = √sq + eps; momentum: b = mom·b + d / avg, w −= lr·b; else w −= lr·d / avg.
@inline function rmspropLoop(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32,
  lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
  centered: bool, momentum: bool,
): void {
  const vlr = f32x4.splat(lr), valpha = f32x4.splat(alpha), vc = f32x4.splat(c);
  const veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vmom = f32x4.splat(mom);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const wi = ld(w, o);
    const d = f32x4.add(ld(g, o), f32x4.mul(vwd, wi));
    const si = f32x4.add(f32x4.mul(valpha, ld(sq, o)), f32x4.mul(f32x4.mul(vc, d), d));
    st(sq, o, si);
    let avg: v128;
    if (centered) {
      const ai = f32x4.add(f32x4.mul(valpha, ld(ga, o)), f32x4.mul(vc, d));
      st(ga, o, ai);
      avg = f32x4.add(f32x4.sqrt(f32x4.sub(si, f32x4.mul(ai, ai))), veps);
    } else {
      avg = f32x4.add(f32x4.sqrt(si), veps);
    }
    if (momentum) {
      const bi = f32x4.add(f32x4.mul(vmom, ld(b, o)), f32x4.div(d, avg));
      st(b, o, bi);
      st(w, o, f32x4.sub(wi, f32x4.mul(vlr, bi)));
    } else {
      st(w, o, f32x4.sub(wi, f32x4.div(f32x4.mul(vlr, d), avg)));
    }
  }
}

function rmspropPlain(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
): void {
  rmspropLoop(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom, false, false);
}
function rmspropCentered(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
): void {
  rmspropLoop(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom, true, false);
}
function rmspropMomentum(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
): void {
  rmspropLoop(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom, false, true);
}
function rmspropCenteredMomentum(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
): void {
  rmspropLoop(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom, true, true);
}

/** RMSprop over n floats; ga is 0 unless centered, b is 0 without momentum. */
export function rmsprop(
  w: usize, g: usize, sq: usize, ga: usize, b: usize, n: i32, lr: f32, alpha: f32, c: f32, eps: f32, wd: f32, mom: f32,
): void {
  if (ga == 0 && b == 0) rmspropPlain(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom);
  else if (b == 0) rmspropCentered(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom);
  else if (ga == 0) rmspropMomentum(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom);
  else rmspropCenteredMomentum(w, g, sq, ga, b, n, lr, alpha, c, eps, wd, mom);
}

/** Adagrad over n floats: d = g + wd·w; s += d·d; w −= clr·d / (√s + eps). */
export function adagrad(w: usize, g: usize, s: usize, n: i32, clr: f32, wd: f32, eps: f32): void {
  const vlr = f32x4.splat(clr), vwd = f32x4.splat(wd), veps = f32x4.splat(eps);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const wi = ld(w, o);
    const d = f32x4.add(ld(g, o), f32x4.mul(vwd, wi));
    const si = f32x4.add(ld(s, o), f32x4.mul(d, d));
    st(s, o, si);
    st(w, o, f32x4.sub(wi, f32x4.div(f32x4.mul(vlr, d), f32x4.add(f32x4.sqrt(si), veps))));
  }
}

// acc += x (gradient accumulation into an existing .grad), four lanes at a time.
export function accumulate(acc: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    st(acc, o, f32x4.add(ld(acc, o), ld(x, o)));
  }
}
