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

// y[0..n) = Σ_r w[r]·m[r] over the first `count` rows of m (n floats each, contiguous);
// w[r] sits at byte w + r·wStride. Eight columns at a time stay in registers.
function weightedRows(w: usize, wStride: usize, m: usize, n: i32, count: i32, y: usize): void {
  const rowBytes = <usize>n << 2;
  let e = 0;
  for (; e + 8 <= n; e += 8) {
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
  for (; e + 4 <= n; e += 4) {
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
  for (; e < n; e++) {
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
    for (let i = 0; i < t; i++) {
      const prow = pb + (<usize>(i * t) << 2);
      rowDots(qb + (<usize>(i * dim) << 2), kb, dim, i + 1, scale, prow);
      softmaxInPlace(prow, i + 1);
      zeroRange(prow, i + 1, t);
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
    // Rows: dP[i, j≤i] = g[i]·v[j], then dS in place, then dq[i] = Σ_j dS[i, j]·k[j].
    for (let i = 0; i < t; i++) {
      const srow = work + <usize>i * rowT;
      rowDots(gb + (<usize>(i * ev) << 2), vb, ev, i + 1, 1, srow);
      softmaxGradInPlace(srow, pb + <usize>i * rowT, i + 1, scale);
      weightedRows(srow, 4, kb, dim, i + 1, dq + (<usize>((b * t + i) * dim) << 2));
    }
    // Columns: dk[j] = Σ_i≥j dS[i, j]·q[i] and dv[j] = Σ_i≥j P[i, j]·g[i].
    for (let j = 0; j < t; j++) {
      const from = <usize>j * rowT + (<usize>j << 2);
      weightedRows(work + from, rowT, qb + (<usize>(j * dim) << 2), dim, t - j, dk + (<usize>((b * t + j) * dim) << 2));
      weightedRows(pb + from, rowT, gb + (<usize>(j * ev) << 2), ev, t - j, dv + (<usize>((b * t + j) * ev) << 2));
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
