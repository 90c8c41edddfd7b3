// Fused causal attention over `batch` independent problems (one per batch·head):
// queries and keys [seq, dim], values [seq, valueDim], query i attending to keys
// j ≤ i. Only the lower triangle of each score matrix is ever computed: the
// forward pass writes the weights P (zero above the diagonal, kept for the
// backward pass) and out = P·v row by row; the backward pass builds
// dS = P ⊙ (dP − rowsum(dP ⊙ P)) one row at a time in the thread's work matrix
// with dq, then reads its columns for dk and P's for dv. Problems are
// independent, so the jobs split over them.
import { vexp } from './vmath';
import {
  CAUSAL_ATTENTION_BATCH, CAUSAL_ATTENTION_DIM, CAUSAL_ATTENTION_K, CAUSAL_ATTENTION_OUT, CAUSAL_ATTENTION_PROBS,
  CAUSAL_ATTENTION_Q, CAUSAL_ATTENTION_SCALE, CAUSAL_ATTENTION_SEQ, CAUSAL_ATTENTION_V, CAUSAL_ATTENTION_VALUE_DIM,
  CAUSAL_ATTENTION_GRAD_BATCH, CAUSAL_ATTENTION_GRAD_DIM, CAUSAL_ATTENTION_GRAD_DK, CAUSAL_ATTENTION_GRAD_DQ,
  CAUSAL_ATTENTION_GRAD_DV, CAUSAL_ATTENTION_GRAD_G, CAUSAL_ATTENTION_GRAD_K, CAUSAL_ATTENTION_GRAD_PROBS,
  CAUSAL_ATTENTION_GRAD_Q, CAUSAL_ATTENTION_GRAD_SCALE, CAUSAL_ATTENTION_GRAD_SEQ, CAUSAL_ATTENTION_GRAD_V,
  CAUSAL_ATTENTION_GRAD_VALUE_DIM, CAUSAL_ATTENTION_GRAD_WORK,
  JOB, K_CAUSAL_ATTENTION, K_CAUSAL_ATTENTION_GRAD,
} from './opcodes';

@inline function slot(i: i32): i32 {
  return load<i32>(JOB + (<usize>i << 2));
}

@inline function addr(i: i32): usize {
  return load<u32>(JOB + (<usize>i << 2));
}

@inline function slotf(i: i32): f32 {
  return load<f32>(JOB + (<usize>i << 2));
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function lanes(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3);
}

// Lane r of the result is the sum of the lanes of the r-th argument.
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

// dst[r] = scale · x·y[r] for the first `count` rows of y (n floats each, contiguous).
// Four rows at a time share each load of x and end in one transposing sum.
function rowDots(x: usize, y: usize, n: i32, count: i32, scale: f32, dst: usize): void {
  const rowBytes = <usize>n << 2;
  const vs = f32x4.splat(scale);
  let r = 0;
  for (; r + 4 <= count; r += 4) {
    const y0 = y + <usize>r * rowBytes;
    const y1 = y0 + rowBytes;
    const y2 = y1 + rowBytes;
    const y3 = y2 + rowBytes;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let e = 0;
    for (; e + 4 <= n; e += 4) {
      const o = <usize>e << 2;
      const xv = v128.load(x + o);
      a0 = madd(xv, v128.load(y0 + o), a0);
      a1 = madd(xv, v128.load(y1 + o), a1);
      a2 = madd(xv, v128.load(y2 + o), a2);
      a3 = madd(xv, v128.load(y3 + o), a3);
    }
    let s = hsum4(a0, a1, a2, a3);
    if (e < n) {
      let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
      for (; e < n; e++) {
        const o = <usize>e << 2;
        const xe = load<f32>(x + o);
        t0 += xe * load<f32>(y0 + o);
        t1 += xe * load<f32>(y1 + o);
        t2 += xe * load<f32>(y2 + o);
        t3 += xe * load<f32>(y3 + o);
      }
      const t = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3);
      s = f32x4.add(s, t);
    }
    v128.store(dst + (<usize>r << 2), f32x4.mul(s, vs));
  }
  for (; r < count; r++) {
    const yr = y + <usize>r * rowBytes;
    let a = f32x4.splat(0);
    let e = 0;
    for (; e + 4 <= n; e += 4) {
      const o = <usize>e << 2;
      a = madd(v128.load(x + o), v128.load(yr + o), a);
    }
    let s = lanes(a);
    for (; e < n; e++) s += load<f32>(x + (<usize>e << 2)) * load<f32>(yr + (<usize>e << 2));
    store<f32>(dst + (<usize>r << 2), s * scale);
  }
}

// y[0..width) = Σ_r w[r]·m[r][0..width) over the first `count` rows of m (rows of n floats,
// contiguous); w[r] sits at byte w + r·wStride. Eight columns at a time stay in registers.
function weightedRows(w: usize, wStride: usize, m: usize, n: i32, count: i32, y: usize, width: i32 = n): void {
  const rowBytes = <usize>n << 2;
  let e = 0;
  for (; e + 8 <= width; e += 8) {
    const o = <usize>e << 2;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let p = m + o;
    let pw = w;
    for (let r = 0; r < count; r++) {
      const wv = v128.load32_splat(pw);
      a0 = madd(wv, v128.load(p), a0);
      a1 = madd(wv, v128.load(p + 16), a1);
      p += rowBytes;
      pw += wStride;
    }
    v128.store(y + o, a0);
    v128.store(y + o + 16, a1);
  }
  for (; e + 4 <= width; e += 4) {
    const o = <usize>e << 2;
    let a = f32x4.splat(0);
    let p = m + o;
    let pw = w;
    for (let r = 0; r < count; r++) {
      a = madd(v128.load32_splat(pw), v128.load(p), a);
      p += rowBytes;
      pw += wStride;
    }
    v128.store(y + o, a);
  }
  for (; e < width; e++) {
    const o = <usize>e << 2;
    let a: f32 = 0;
    let p = m + o;
    let pw = w;
    for (let r = 0; r < count; r++) {
      a += load<f32>(pw) * load<f32>(p);
      p += rowBytes;
      pw += wStride;
    }
    store<f32>(y + o, a);
  }
}

// rowDots for two rows x0 and x1 at once over the same `count` rows of y, into d0 and d1:
// each load of y feeds both rows.
function rowDots2(x0: usize, x1: usize, y: usize, n: i32, count: i32, scale: f32, d0: usize, d1: usize): void {
  const rowBytes = <usize>n << 2;
  const vs = f32x4.splat(scale);
  let r = 0;
  for (; r + 4 <= count; r += 4) {
    const y0 = y + <usize>r * rowBytes;
    const y1 = y0 + rowBytes;
    const y2 = y1 + rowBytes;
    const y3 = y2 + rowBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    let e = 0;
    for (; e + 4 <= n; e += 4) {
      const o = <usize>e << 2;
      const u = v128.load(x0 + o);
      const w = v128.load(x1 + o);
      const k0 = v128.load(y0 + o);
      a0 = madd(u, k0, a0);
      b0 = madd(w, k0, b0);
      const k1 = v128.load(y1 + o);
      a1 = madd(u, k1, a1);
      b1 = madd(w, k1, b1);
      const k2 = v128.load(y2 + o);
      a2 = madd(u, k2, a2);
      b2 = madd(w, k2, b2);
      const k3 = v128.load(y3 + o);
      a3 = madd(u, k3, a3);
      b3 = madd(w, k3, b3);
    }
    let sa = hsum4(a0, a1, a2, a3);
    let sb = hsum4(b0, b1, b2, b3);
    for (; e < n; e++) {
      const o = <usize>e << 2;
      const t = f32x4.replace_lane(
        f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(y0 + o)), 1, load<f32>(y1 + o)), 2, load<f32>(y2 + o)),
        3, load<f32>(y3 + o),
      );
      sa = madd(v128.load32_splat(x0 + o), t, sa);
      sb = madd(v128.load32_splat(x1 + o), t, sb);
    }
    v128.store(d0 + (<usize>r << 2), f32x4.mul(sa, vs));
    v128.store(d1 + (<usize>r << 2), f32x4.mul(sb, vs));
  }
  if (r < count) {
    const rest = count - r;
    const off = <usize>r << 2;
    rowDots(x0, y + <usize>r * rowBytes, n, rest, scale, d0 + off);
    rowDots(x1, y + <usize>r * rowBytes, n, rest, scale, d1 + off);
  }
}

// weightedRows for two outputs at once over the same `count` rows of m: y0 from weights at w,
// y1 = y0 + yNext bytes from weights at w + wNext bytes (both with stride wStride). Each load of
// m feeds both outputs.
function weightedRows2(w: usize, wNext: usize, wStride: usize, m: usize, n: i32, count: i32, y: usize, yNext: usize): void {
  const rowBytes = <usize>n << 2;
  const w1 = w + wNext;
  const y1 = y + yNext;
  let e = 0;
  for (; e + 8 <= n; e += 8) {
    const o = <usize>e << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    let p = m + o;
    let pw = <usize>0;
    for (let r = 0; r < count; r++) {
      const u = v128.load32_splat(w + pw);
      const z = v128.load32_splat(w1 + pw);
      const m0 = v128.load(p);
      const m1 = v128.load(p + 16);
      a0 = madd(u, m0, a0);
      a1 = madd(u, m1, a1);
      b0 = madd(z, m0, b0);
      b1 = madd(z, m1, b1);
      p += rowBytes;
      pw += wStride;
    }
    v128.store(y + o, a0);
    v128.store(y + o + 16, a1);
    v128.store(y1 + o, b0);
    v128.store(y1 + o + 16, b1);
  }
  if (e < n) {
    // The last n % 8 columns: one output at a time.
    const o = <usize>e << 2;
    weightedRows(w, wStride, m + o, n, count, y + o, n - e);
    weightedRows(w1, wStride, m + o, n, count, y1 + o, n - e);
  }
}

// The softmax of the n scores at p, in place (the exponentials summed in f64).
function softmaxInPlace(p: usize, n: i32): void {
  let vmax = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) vmax = f32x4.pmax(vmax, v128.load(p + (<usize>j << 2)));
  let mx = max(
    max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
    max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)),
  );
  for (; j < n; j++) {
    const z = load<f32>(p + (<usize>j << 2));
    if (z > mx) mx = z;
  }
  const vm = f32x4.splat(mx);
  let sum: f64 = 0;
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const e = vexp(f32x4.sub(v128.load(p + o), vm));
    v128.store(p + o, e);
    sum += <f64>lanes(e);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(p + o) - mx)), 0);
    store<f32>(p + o, e);
    sum += <f64>e;
  }
  const inv = f32x4.splat(<f32>(1 / sum));
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(p + o, f32x4.mul(v128.load(p + o), inv));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(p + o, load<f32>(p + o) * f32x4.extract_lane(inv, 0));
  }
}

// d[j] = scale · p[j]·(d[j] − Σ d⊙p) for j < n, in place: row i of dS from dP's.
function softmaxGradInPlace(d: usize, p: usize, n: i32, scale: f32): void {
  let a = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    a = madd(v128.load(d + o), v128.load(p + o), a);
  }
  let s = lanes(a);
  for (; j < n; j++) s += load<f32>(d + (<usize>j << 2)) * load<f32>(p + (<usize>j << 2));
  const vs = f32x4.splat(s);
  const vc = f32x4.splat(scale);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(d + o, f32x4.mul(f32x4.mul(v128.load(p + o), vc), f32x4.sub(v128.load(d + o), vs)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(d + o, load<f32>(p + o) * scale * (load<f32>(d + o) - s));
  }
}

// Zeros floats [j0, j1) at p.
@inline function zeroRange(p: usize, j0: i32, j1: i32): void {
  if (j1 > j0) memory.fill(p + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
}

/** The forward pass of problems [b0, b1). */
export function causalAttentionProblems(
  q: usize, k: usize, v: usize, out: usize, probs: usize, t: i32, dim: i32, ev: i32, scale: f32, b0: i32, b1: i32,
): void {
  for (let b = b0; b < b1; b++) {
    const qb = q + (<usize>(b * t * dim) << 2);
    const kb = k + (<usize>(b * t * dim) << 2);
    const vb = v + (<usize>(b * t * ev) << 2);
    const ob = out + (<usize>(b * t * ev) << 2);
    const pb = probs + (<usize>(b * t * t) << 2);
    const rowT = <usize>t << 2;
    const rowQ = <usize>dim << 2;
    let i = 0;
    // Rows in pairs: keys 0..i for both, key i + 1 for the second; P[i, i + 1] = 0 lets the
    // pair share one pass over v.
    for (; i + 2 <= t; i += 2) {
      const p0 = pb + <usize>i * rowT;
      const p1 = p0 + rowT;
      const q0 = qb + <usize>i * rowQ;
      rowDots2(q0, q0 + rowQ, kb, dim, i + 1, scale, p0, p1);
      rowDots(q0 + rowQ, kb + <usize>(i + 1) * rowQ, dim, 1, scale, p1 + (<usize>(i + 1) << 2));
      softmaxInPlace(p0, i + 1);
      zeroRange(p0, i + 1, t);
      softmaxInPlace(p1, i + 2);
      zeroRange(p1, i + 2, t);
      weightedRows2(p0, rowT, 4, vb, ev, i + 2, ob + (<usize>(i * ev) << 2), <usize>ev << 2);
    }
    if (i < t) {
      const prow = pb + <usize>i * rowT;
      rowDots(qb + <usize>i * rowQ, kb, dim, i + 1, scale, prow);
      softmaxInPlace(prow, i + 1);
      weightedRows(prow, 4, vb, ev, i + 1, ob + (<usize>(i * ev) << 2));
    }
  }
}

/** The backward pass of problems [b0, b1), with one [t, t] work matrix for dS. */
export function causalAttentionGradProblems(
  q: usize, k: usize, v: usize, probs: usize, g: usize, dq: usize, dk: usize, dv: usize, work: usize,
  t: i32, dim: i32, ev: i32, scale: f32, b0: i32, b1: i32,
): void {
  const rowT = <usize>t << 2;
  for (let b = b0; b < b1; b++) {
    const qb = q + (<usize>(b * t * dim) << 2);
    const kb = k + (<usize>(b * t * dim) << 2);
    const vb = v + (<usize>(b * t * ev) << 2);
    const gb = g + (<usize>(b * t * ev) << 2);
    const pb = probs + (<usize>(b * t * t) << 2);
    const rowQ = <usize>dim << 2;
    const rowV = <usize>ev << 2;
    const dqb = dq + (<usize>(b * t * dim) << 2);
    const dkb = dk + (<usize>(b * t * dim) << 2);
    const dvb = dv + (<usize>(b * t * ev) << 2);
    // Rows in pairs: dP[i, j≤i] = g[i]·v[j], then dS in place, then dq[i] = Σ_j dS[i, j]·k[j].
    // dS[i, i + 1] = 0 for even i lets a pair share one pass over k here, and a pair of
    // columns share one pass over q below.
    let i = 0;
    for (; i + 2 <= t; i += 2) {
      const s0 = work + <usize>i * rowT;
      const s1 = s0 + rowT;
      const g0 = gb + <usize>i * rowV;
      rowDots2(g0, g0 + rowV, vb, ev, i + 1, 1, s0, s1);
      rowDots(g0 + rowV, vb + <usize>(i + 1) * rowV, ev, 1, 1, s1 + (<usize>(i + 1) << 2));
      const p0 = pb + <usize>i * rowT;
      softmaxGradInPlace(s0, p0, i + 1, scale);
      store<f32>(s0 + (<usize>(i + 1) << 2), 0);
      softmaxGradInPlace(s1, p0 + rowT, i + 2, scale);
      weightedRows2(s0, rowT, 4, kb, dim, i + 2, dqb + <usize>i * rowQ, rowQ);
    }
    if (i < t) {
      const srow = work + <usize>i * rowT;
      rowDots(gb + <usize>i * rowV, vb, ev, i + 1, 1, srow);
      softmaxGradInPlace(srow, pb + <usize>i * rowT, i + 1, scale);
      weightedRows(srow, 4, kb, dim, i + 1, dqb + <usize>i * rowQ);
    }
    // Columns in pairs: dk[j] = Σ_i≥j dS[i, j]·q[i] and dv[j] = Σ_i≥j P[i, j]·g[i].
    let j = 0;
    for (; j + 2 <= t; j += 2) {
      const from = <usize>j * rowT + (<usize>j << 2);
      weightedRows2(work + from, 4, rowT, qb + <usize>j * rowQ, dim, t - j, dkb + <usize>j * rowQ, rowQ);
      weightedRows2(pb + from, 4, rowT, gb + <usize>j * rowV, ev, t - j, dvb + <usize>j * rowV, rowV);
    }
    if (j < t) {
      const from = <usize>j * rowT + (<usize>j << 2);
      weightedRows(work + from, rowT, qb + <usize>j * rowQ, dim, t - j, dkb + <usize>j * rowQ);
      weightedRows(pb + from, rowT, gb + <usize>j * rowV, ev, t - j, dvb + <usize>j * rowV);
    }
  }
}

// Start of share `p` of `total` problems cut into `parts` shares.
@inline function share(total: i32, p: i32, parts: i32): i32 {
  const per = (total + parts - 1) / parts;
  return min(total, p * per);
}

/** Runs part `part` of `parts` of a causal attention job of kind `kind` on thread `thread`; false for another kind. */
export function causalAttentionJob(kind: i32, part: i32, parts: i32, thread: i32): bool {
  if (kind == K_CAUSAL_ATTENTION) {
    const batch = slot(CAUSAL_ATTENTION_BATCH);
    causalAttentionProblems(
      addr(CAUSAL_ATTENTION_Q), addr(CAUSAL_ATTENTION_K), addr(CAUSAL_ATTENTION_V), addr(CAUSAL_ATTENTION_OUT),
      addr(CAUSAL_ATTENTION_PROBS), slot(CAUSAL_ATTENTION_SEQ), slot(CAUSAL_ATTENTION_DIM), slot(CAUSAL_ATTENTION_VALUE_DIM),
      slotf(CAUSAL_ATTENTION_SCALE), share(batch, part, parts), share(batch, part + 1, parts),
    );
    return true;
  }
  if (kind == K_CAUSAL_ATTENTION_GRAD) {
    const batch = slot(CAUSAL_ATTENTION_GRAD_BATCH);
    const t = slot(CAUSAL_ATTENTION_GRAD_SEQ);
    const work = addr(CAUSAL_ATTENTION_GRAD_WORK) + (<usize>(thread * t * t) << 2);
    causalAttentionGradProblems(
      addr(CAUSAL_ATTENTION_GRAD_Q), addr(CAUSAL_ATTENTION_GRAD_K), addr(CAUSAL_ATTENTION_GRAD_V),
      addr(CAUSAL_ATTENTION_GRAD_PROBS), addr(CAUSAL_ATTENTION_GRAD_G), addr(CAUSAL_ATTENTION_GRAD_DQ),
      addr(CAUSAL_ATTENTION_GRAD_DK), addr(CAUSAL_ATTENTION_GRAD_DV), work, t, slot(CAUSAL_ATTENTION_GRAD_DIM),
      slot(CAUSAL_ATTENTION_GRAD_VALUE_DIM), slotf(CAUSAL_ATTENTION_GRAD_SCALE),
      share(batch, part, parts), share(batch, part + 1, parts),
    );
    return true;
  }
  return false;
}
