// Reductions over the middle axis of x viewed as [outer, r, inner], and
// softmax / log-softmax with their gradients along rows (inner = 1).
// Sums accumulate in f64, like the reference backend.
import { R_MAX, R_SUM } from './opcodes';
import { vexp } from './vmath';

/** Doubles of scratch used per chunk of the inner axis. */
const CHUNK: i32 = 16384;

@inline export function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

@inline export function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// Sum of n floats at p in f64.
function rowSum(p: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    a0 = f64x2.add(a0, lo2(v));
    a1 = f64x2.add(a1, hi2(v));
  }
  a0 = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

// Max (or min when isMax is false) of n floats at p; NaN wins; -Inf (+Inf) when empty.
@inline function rowExtreme(p: usize, n: i32, isMax: bool): f32 {
  let acc = f32x4.splat(isMax ? -Infinity : Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    acc = isMax ? f32x4.max(acc, v) : f32x4.min(acc, v);
  }
  let s = isMax
    ? max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)))
    : min(min(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), min(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    s = isMax ? max(s, v) : min(s, v);
  }
  return s;
}

// Column sums of 16 columns at a time with the f64 accumulators in registers:
// y[j] = Σ over rr of x[rr*inner + j] for j in [j0, j0 + 16·blocks).
function columnSums16(x: usize, y: usize, r: i32, inner: i32, j0: i32, blocks: i32): void {
  const stride = <usize>inner << 2;
  for (let bk = 0; bk < blocks; bk++) {
    const j = j0 + (bk << 4);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
    let src = x + (<usize>j << 2);
    for (let rr = 0; rr < r; rr++) {
      const v0 = v128.load(src);
      const v1 = v128.load(src, 16);
      const v2 = v128.load(src, 32);
      const v3 = v128.load(src, 48);
      a0 = f64x2.add(a0, lo2(v0));
      a1 = f64x2.add(a1, hi2(v0));
      a2 = f64x2.add(a2, lo2(v1));
      a3 = f64x2.add(a3, hi2(v1));
      a4 = f64x2.add(a4, lo2(v2));
      a5 = f64x2.add(a5, hi2(v2));
      a6 = f64x2.add(a6, lo2(v3));
      a7 = f64x2.add(a7, hi2(v3));
      src += stride;
    }
    const d = y + (<usize>j << 2);
    v128.store(d, i32x4.shuffle(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
    v128.store(d, i32x4.shuffle(f32x4.demote_f64x2_zero(a2), f32x4.demote_f64x2_zero(a3), 0, 1, 4, 5), 16);
    v128.store(d, i32x4.shuffle(f32x4.demote_f64x2_zero(a4), f32x4.demote_f64x2_zero(a5), 0, 1, 4, 5), 32);
    v128.store(d, i32x4.shuffle(f32x4.demote_f64x2_zero(a6), f32x4.demote_f64x2_zero(a7), 0, 1, 4, 5), 48);
  }
}

// Column reduction of one outer slice: y[j] = op over rr of x[rr*inner + j], j in [j0, j1).
function columns(op: i32, x: usize, y: usize, r: i32, inner: i32, j0: i32, j1: i32, scratch: usize): void {
  if (op == R_SUM) {
    // Whole 16-column blocks keep their sums in registers; the rest goes below.
    const blocks = (j1 - j0) >> 4;
    columnSums16(x, y, r, inner, j0, blocks);
    j0 += blocks << 4;
  }
  for (let c0 = j0; c0 < j1; c0 += CHUNK) {
    const c1 = min(j1, c0 + CHUNK);
    const w = c1 - c0;
    if (op == R_SUM) {
      memory.fill(scratch, 0, <usize>w << 3);
      for (let rr = 0; rr < r; rr++) {
        const src = x + (<usize>(rr * inner + c0) << 2);
        let j = 0;
        for (; j + 4 <= w; j += 4) {
          const v = v128.load(src + (<usize>j << 2));
          const d = scratch + (<usize>j << 3);
          v128.store(d, f64x2.add(v128.load(d), lo2(v)));
          v128.store(d, f64x2.add(v128.load(d, 16), hi2(v)), 16);
        }
        for (; j < w; j++) {
          const d = scratch + (<usize>j << 3);
          store<f64>(d, load<f64>(d) + <f64>load<f32>(src + (<usize>j << 2)));
        }
      }
      const dst = y + (<usize>c0 << 2);
      for (let j = 0; j < w; j++) store<f32>(dst + (<usize>j << 2), <f32>load<f64>(scratch + (<usize>j << 3)));
    } else {
      const isMax = op == R_MAX;
      const dst = y + (<usize>c0 << 2);
      const init = f32x4.splat(isMax ? -Infinity : Infinity);
      let j = 0;
      for (; j + 4 <= w; j += 4) v128.store(dst + (<usize>j << 2), init);
      for (; j < w; j++) store<f32>(dst + (<usize>j << 2), isMax ? -Infinity : Infinity);
      for (let rr = 0; rr < r; rr++) {
        const src = x + (<usize>(rr * inner + c0) << 2);
        j = 0;
        for (; j + 4 <= w; j += 4) {
          const o = <usize>j << 2;
          const a = v128.load(dst + o);
          const b = v128.load(src + o);
          v128.store(dst + o, isMax ? f32x4.max(a, b) : f32x4.min(a, b));
        }
        for (; j < w; j++) {
          const o = <usize>j << 2;
          const a = load<f32>(dst + o);
          const b = load<f32>(src + o);
          store<f32>(dst + o, isMax ? max(a, b) : min(a, b));
        }
      }
    }
  }
}

/**
 * y[o, j] = op over rr of x[o, rr, j], for o in [o0, o1) and j in [j0, j1).
 * `scratch` holds CHUNK doubles for column sums.
 */
export function reduce(
  op: i32, x: usize, y: usize, r: i32, inner: i32, o0: i32, o1: i32, j0: i32, j1: i32, scratch: usize,
): void {
  for (let o = o0; o < o1; o++) {
    const src = x + (<usize>(o * r * inner) << 2);
    if (inner == 1) {
      const v: f32 = op == R_SUM ? <f32>rowSum(src, r) : rowExtreme(src, r, op == R_MAX);
      store<f32>(y + (<usize>o << 2), v);
    } else {
      columns(op, src, y + (<usize>(o * inner) << 2), r, inner, j0, j1, scratch);
    }
  }
}

/** Softmax (or log-softmax) of rows [o0, o1) of x viewed as [outer, n]. */
export function softmaxRows(x: usize, y: usize, n: i32, log: bool, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    const src = x + (<usize>(o * n) << 2);
    const dst = y + (<usize>(o * n) << 2);
    // The reference ignores NaN when taking the max; NaN then spreads through the sum anyway.
    let mx = rowExtreme(src, n, true);
    if (mx == -Infinity) mx = 0;
    const vm = f32x4.splat(mx);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o4 = <usize>i << 2;
      const e = vexp(f32x4.sub(v128.load(src + o4), vm));
      if (!log) v128.store(dst + o4, e);
      a0 = f64x2.add(a0, lo2(e));
      a1 = f64x2.add(a1, hi2(e));
    }
    a0 = f64x2.add(a0, a1);
    let sum = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    for (; i < n; i++) {
      const o1b = <usize>i << 2;
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(src + o1b) - mx)), 0);
      if (!log) store<f32>(dst + o1b, e);
      sum += <f64>e;
    }
    if (log) {
      const lse = <f64>mx + Math.log(sum);
      const vl = f64x2.splat(lse);
      i = 0;
      for (; i + 4 <= n; i += 4) {
        const o4 = <usize>i << 2;
        const v = v128.load(src + o4);
        const l = f32x4.demote_f64x2_zero(f64x2.sub(lo2(v), vl));
        const h = f32x4.demote_f64x2_zero(f64x2.sub(hi2(v), vl));
        v128.store(dst + o4, i32x4.shuffle(l, h, 0, 1, 4, 5));
      }
      for (; i < n; i++) {
        const o1b = <usize>i << 2;
        store<f32>(dst + o1b, <f32>(<f64>load<f32>(src + o1b) - lse));
      }
    } else {
      const vs = f32x4.splat(<f32>sum);
      i = 0;
      for (; i + 4 <= n; i += 4) {
        const o4 = <usize>i << 2;
        v128.store(dst + o4, f32x4.div(v128.load(dst + o4), vs));
      }
      for (; i < n; i++) {
        const o1b = <usize>i << 2;
        store<f32>(dst + o1b, load<f32>(dst + o1b) / <f32>sum);
      }
    }
  }
}

/** Gradient of softmax rows (dx = y (g - Σ g y)) or log-softmax rows (dx = g - e^y Σ g), in f64. */
export function softmaxGradRows(y: usize, g: usize, out: usize, n: i32, log: bool, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    const off = <usize>(o * n) << 2;
    const py = y + off;
    const pg = g + off;
    const po = out + off;
    let s: f64 = 0;
    if (log) {
      s = rowSum(pg, n);
    } else {
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const o4 = <usize>i << 2;
        const vy = v128.load(py + o4);
        const vg = v128.load(pg + o4);
        a0 = f64x2.add(a0, f64x2.mul(lo2(vy), lo2(vg)));
        a1 = f64x2.add(a1, f64x2.mul(hi2(vy), hi2(vg)));
      }
      a0 = f64x2.add(a0, a1);
      s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
      for (; i < n; i++) s += <f64>load<f32>(py + (<usize>i << 2)) * <f64>load<f32>(pg + (<usize>i << 2));
    }
    const vs = f64x2.splat(s);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o4 = <usize>i << 2;
      const vy = v128.load(py + o4);
      const vg = v128.load(pg + o4);
      let l: v128;
      let h: v128;
      if (log) {
        const e = vexp(vy);
        l = f64x2.sub(lo2(vg), f64x2.mul(lo2(e), vs));
        h = f64x2.sub(hi2(vg), f64x2.mul(hi2(e), vs));
      } else {
        l = f64x2.mul(lo2(vy), f64x2.sub(lo2(vg), vs));
        h = f64x2.mul(hi2(vy), f64x2.sub(hi2(vg), vs));
      }
      v128.store(po + o4, i32x4.shuffle(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
    }
    for (; i < n; i++) {
      const o1b = <usize>i << 2;
      const yv = load<f32>(py + o1b);
      const gv = <f64>load<f32>(pg + o1b);
      let r: f64;
      if (log) r = gv - <f64>f32x4.extract_lane(vexp(f32x4.splat(yv)), 0) * s;
      else r = <f64>yv * (gv - s);
      store<f32>(po + o1b, <f32>r);
    }
  }
}
