// Single-precision matrix product C = op(A) · op(B) with a packed,
// register-blocked 4x8 micro-kernel on f32x4 vectors.
//
// Layout (row-major, element counts, not bytes):
//   A is [m, k], or [k, m] when transA;  B is [k, n], or [n, k] when transB;
//   C is [m, n].
// The caller hands each thread a rectangle [i0, i1) x [j0, j1) of C and a
// private scratch area; every packing routine reads strided storage directly,
// so transposes are never materialised.

/** Rows of the micro-kernel. */
export const MR: i32 = 4;
/** Columns of the micro-kernel (two f32x4 vectors). */
export const NR: i32 = 8;
/** Depth of one packed block: a 4x256 A panel is 4 KiB, an 8x256 B panel 8 KiB. */
export const KC: i32 = 256;
/** Rows of A packed at once (64 KiB at KC = 256). */
export const MC: i32 = 64;
/** Columns of B packed at once (512 KiB at KC = 256, sized for a 1 MiB L2). */
export const NC: i32 = 512;

/** Bytes of scratch one thread needs: packed A, packed B and one C tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Packs rows [i, i + mc) and depth [p, p + kc) of op(A) into panels of MR rows:
// panel r holds, for each depth step, the MR values of its rows (zero-padded).
function packA(a: usize, lda: i32, transA: bool, i: i32, mc: i32, p: i32, kc: i32, dst: usize): void {
  for (let r = 0; r < mc; r += MR) {
    const rows = min(MR, mc - r);
    const panel = dst + (<usize>(r * kc) << 2);
    if (transA) {
      // A stored [k, m]: the MR values of one depth step are contiguous.
      let src = a + (<usize>(p * lda + i + r) << 2);
      if (rows == MR) {
        for (let q = 0; q < kc; q++) {
          v128.store(panel + (<usize>q << 4), v128.load(src));
          src += <usize>lda << 2;
        }
      } else {
        for (let q = 0; q < kc; q++) {
          const d = panel + (<usize>q << 4);
          v128.store(d, f32x4.splat(0));
          for (let t = 0; t < rows; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + (<usize>t << 2)));
          src += <usize>lda << 2;
        }
      }
    } else if (rows == MR) {
      // A stored [m, k]: read 4 depth steps of each row and transpose 4x4.
      const s0 = a + (<usize>((i + r) * lda + p) << 2);
      const ld = <usize>lda << 2;
      let q = 0;
      for (; q + 4 <= kc; q += 4) {
        const o = <usize>q << 2;
        const v0 = v128.load(s0 + o);
        const v1 = v128.load(s0 + ld + o);
        const v2 = v128.load(s0 + 2 * ld + o);
        const v3 = v128.load(s0 + 3 * ld + o);
        const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        const d = panel + (<usize>q << 4);
        v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 16);
        v128.store(d, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 32);
        v128.store(d, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 48);
      }
      for (; q < kc; q++) {
        const o = <usize>q << 2;
        const d = panel + (<usize>q << 4);
        store<f32>(d, load<f32>(s0 + o));
        store<f32>(d, load<f32>(s0 + ld + o), 4);
        store<f32>(d, load<f32>(s0 + 2 * ld + o), 8);
        store<f32>(d, load<f32>(s0 + 3 * ld + o), 12);
      }
    } else {
      // A stored [m, k], a partial panel: walk the rows, zero the rest.
      for (let t = 0; t < MR; t++) {
        const d = panel + (<usize>t << 2);
        if (t < rows) {
          const src = a + (<usize>((i + r + t) * lda + p) << 2);
          for (let q = 0; q < kc; q++) store<f32>(d + (<usize>q << 4), load<f32>(src + (<usize>q << 2)));
        } else {
          for (let q = 0; q < kc; q++) store<f32>(d + (<usize>q << 4), 0);
        }
      }
    }
  }
}

// Packs columns [j, j + nc) and depth [p, p + kc) of op(B) into panels of NR
// columns: panel c holds, for each depth step, NR values (zero-padded).
function packB(b: usize, ldb: i32, transB: bool, j: i32, nc: i32, p: i32, kc: i32, dst: usize): void {
  for (let c = 0; c < nc; c += NR) {
    const cols = min(NR, nc - c);
    const panel = dst + (<usize>(c * kc) << 2);
    if (!transB) {
      // B stored [k, n]: the NR values of one depth step are contiguous.
      let src = b + (<usize>(p * ldb + j + c) << 2);
      if (cols == NR) {
        for (let q = 0; q < kc; q++) {
          const d = panel + (<usize>q << 5);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += <usize>ldb << 2;
        }
      } else {
        for (let q = 0; q < kc; q++) {
          const d = panel + (<usize>q << 5);
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let t = 0; t < cols; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + (<usize>t << 2)));
          src += <usize>ldb << 2;
        }
      }
    } else if (cols == NR) {
      // B stored [n, k]: read 4 depth steps of each of the 8 rows, transpose two 4x4 blocks.
      const s0 = b + (<usize>((j + c) * ldb + p) << 2);
      const ld = <usize>ldb << 2;
      const s4 = s0 + 4 * ld;
      let q = 0;
      for (; q + 4 <= kc; q += 4) {
        const o = <usize>q << 2;
        const d = panel + (<usize>q << 5);
        let v0 = v128.load(s0 + o);
        let v1 = v128.load(s0 + ld + o);
        let v2 = v128.load(s0 + 2 * ld + o);
        let v3 = v128.load(s0 + 3 * ld + o);
        let t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
        let t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
        let t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        let t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 32);
        v128.store(d, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 64);
        v128.store(d, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 96);
        v0 = v128.load(s4 + o);
        v1 = v128.load(s4 + ld + o);
        v2 = v128.load(s4 + 2 * ld + o);
        v3 = v128.load(s4 + 3 * ld + o);
        t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
        t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
        t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5), 16);
        v128.store(d, i32x4.shuffle(t0, t1, 2, 3, 6, 7), 48);
        v128.store(d, i32x4.shuffle(t2, t3, 0, 1, 4, 5), 80);
        v128.store(d, i32x4.shuffle(t2, t3, 2, 3, 6, 7), 112);
      }
      for (; q < kc; q++) {
        const d = panel + (<usize>q << 5);
        for (let t = 0; t < NR; t++) store<f32>(d + (<usize>t << 2), load<f32>(s0 + <usize>t * ld + (<usize>q << 2)));
      }
    } else {
      // B stored [n, k], a partial panel: walk the rows, zero the rest.
      for (let t = 0; t < NR; t++) {
        const d = panel + (<usize>t << 2);
        if (t < cols) {
          const src = b + (<usize>((j + c + t) * ldb + p) << 2);
          for (let q = 0; q < kc; q++) store<f32>(d + (<usize>q << 5), load<f32>(src + (<usize>q << 2)));
        } else {
          for (let q = 0; q < kc; q++) store<f32>(d + (<usize>q << 5), 0);
        }
      }
    }
  }
}

// C[0:4, 0:8] (+)= Apanel · Bpanel over kc steps; ldc in elements. When the
// tile is partial (rows < 4 or cols < 8) it goes through `tile`.
function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, acc: bool, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let q = 0; q < kc; q++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  const ld = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    if (acc) {
      c00 = f32x4.add(c00, v128.load(c));
      c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + ld));
      c11 = f32x4.add(c11, v128.load(c + ld, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * ld));
      c21 = f32x4.add(c21, v128.load(c + 2 * ld, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * ld));
      c31 = f32x4.add(c31, v128.load(c + 3 * ld, 16));
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c + ld, c10);
    v128.store(c + ld, c11, 16);
    v128.store(c + 2 * ld, c20);
    v128.store(c + 2 * ld, c21, 16);
    v128.store(c + 3 * ld, c30);
    v128.store(c + 3 * ld, c31, 16);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    const dst = c + <usize>r * ld;
    const src = tile + (<usize>r << 5);
    for (let t = 0; t < cols; t++) {
      const o = <usize>t << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc ? load<f32>(dst + o) + v : v);
    }
  }
}

/**
 * Computes the block C[i0:i1, j0:j1] of C = op(A)·op(B) for one matrix, or
 * adds the product into C when `accum`.
 * `scratch` must hold {@link gemmScratchBytes} bytes, 16-byte aligned.
 */
export function gemmBlock(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize, accum: bool = false,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  if (k == 0) {
    if (accum) return;
    for (let i = i0; i < i1; i++) memory.fill(c + (<usize>(i * n + j0) << 2), 0, <usize>(j1 - j0) << 2);
    return;
  }
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const pA = scratch;
  const pB = scratch + (<usize>(MC * KC) << 2);
  const tile = pB + (<usize>(KC * NC) << 2);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b, ldb, transB, jc, nc, pc, kc, pB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(a, lda, transA, ic, mc, pc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const pb = pB + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const cp = c + (<usize>((ic + ir) * n + jc + jr) << 2);
            micro(pA + (<usize>(ir * kc) << 2), pb, kc, cp, n, pc > 0 || accum, min(MR, mc - ir), cols, tile);
          }
        }
      }
    }
  }
}

// Dot product of n floats at x and y, 8 lanes at a time.
@inline function dot(x: usize, y: usize, n: i32): f32 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= n; p += 8) {
    const o = <usize>p << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
    s1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), s1);
  }
  s0 = f32x4.add(s0, s1);
  let s = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + (f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3));
  for (; p < n; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return s;
}

// y[0:n] += alpha * x[0:n].
@inline function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(y + o, madd(va, v128.load(x + o), v128.load(y + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/**
 * Matrix-vector products without packing, for n == 1 or m == 1: computes
 * C[i0:i1, j0:j1] (one of the ranges covers a single row or column).
 * op(A) with n == 1: C = op(A)·b, rows of A dotted with b, or (transA) a sum
 * of scaled rows of storage. m == 1: C = a·op(B) likewise.
 */
export function gemv(
  a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  if (n == 1) {
    // op(B) is a k-vector in either layout.
    if (!transA) {
      for (let i = i0; i < i1; i++) store<f32>(c + (<usize>i << 2), dot(a + (<usize>(i * k) << 2), b, k));
    } else {
      memory.fill(c + (<usize>i0 << 2), 0, <usize>(i1 - i0) << 2);
      for (let p = 0; p < k; p++) {
        axpy(load<f32>(b + (<usize>p << 2)), a + (<usize>(p * m + i0) << 2), c + (<usize>i0 << 2), i1 - i0);
      }
    }
  } else {
    // m == 1: op(A) is a k-vector in either layout.
    if (transB) {
      for (let j = j0; j < j1; j++) store<f32>(c + (<usize>j << 2), dot(b + (<usize>(j * k) << 2), a, k));
    } else {
      memory.fill(c + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
      for (let p = 0; p < k; p++) {
        axpy(load<f32>(a + (<usize>p << 2)), b + (<usize>(p * n + j0) << 2), c + (<usize>j0 << 2), j1 - j0);
      }
    }
  }
}
