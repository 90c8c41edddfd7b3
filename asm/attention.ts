// The masked softmax of attention scores and its gradient, over the rows of
// [batch·rows, cols] score matrices: y = softmax(scale·x + mask) along each
// row, with columns j > i of row i left at zero when causal (those are never
// read, so no causal mask exists anywhere). Sums in f64, as in the reference.
import { hi2, lo2 } from './reduce';
import { vexp } from './vmath';

// Writes zeros to floats [j0, j1) at p.
@inline function zeroRange(p: usize, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) store<f32>(p + (<usize>j << 2), 0);
}

/**
 * Rows [r0, r1) of the masked softmax. Score matrix b = r / rows adds mask
 * matrix (b / maskRepeat) % maskBatch when hasMask. A row whose visible
 * entries are all −∞ (or NaN-free and empty) comes out as zeros.
 */
export function maskedSoftmaxRows(
  x: usize, mask: usize, y: usize, rows: i32, cols: i32, causal: bool, hasMask: bool,
  maskBatch: i32, maskRepeat: i32, scale: f32, r0: i32, r1: i32,
): void {
  const vs = f32x4.splat(scale);
  for (let r = r0; r < r1; r++) {
    const b = r / rows;
    const i = r - b * rows;
    const n = causal ? min(i + 1, cols) : cols;
    const src = x + (<usize>(r * cols) << 2);
    const dst = y + (<usize>(r * cols) << 2);
    const msk = hasMask ? mask + (<usize>(((b / maskRepeat) % maskBatch) * rows * cols + i * cols) << 2) : 0;
    // Pass 1: z = scale·x + mask into dst, and its max (pmax skips NaN like the reference's `>`).
    let vmax = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let z = f32x4.mul(v128.load(src + o), vs);
      if (hasMask) z = f32x4.add(z, v128.load(msk + o));
      v128.store(dst + o, z);
      vmax = f32x4.pmax(vmax, z);
    }
    let mx = max(
      max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
      max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)),
    );
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let z = load<f32>(src + o) * scale;
      if (hasMask) z += load<f32>(msk + o);
      store<f32>(dst + o, z);
      if (z > mx) mx = z;
    }
    if (mx == -Infinity) {
      zeroRange(dst, 0, cols);
      continue;
    }
    // Pass 2: e^(z − max) in place, summed in f64.
    const vm = f32x4.splat(mx);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const e = vexp(f32x4.sub(v128.load(dst + o), vm));
      v128.store(dst + o, e);
      a0 = f64x2.add(a0, lo2(e));
      a1 = f64x2.add(a1, hi2(e));
    }
    a0 = f64x2.add(a0, a1);
    let sum = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(dst + o) - mx)), 0);
      store<f32>(dst + o, e);
      sum += <f64>e;
    }
    // Pass 3: normalise; the hidden columns get zeros.
    const vsum = f32x4.splat(<f32>sum);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.div(v128.load(dst + o), vsum));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(dst + o) / <f32>sum);
    }
    zeroRange(dst, n, cols);
  }
}

/** Rows [r0, r1) of the gradient: out = scale·y ⊙ (g − Σ g⊙y) on the visible columns, 0 elsewhere. */
export function maskedSoftmaxGradRows(
  y: usize, g: usize, out: usize, rows: i32, cols: i32, causal: bool, scale: f32, r0: i32, r1: i32,
): void {
  const sc = <f64>scale;
  const vsc = f64x2.splat(sc);
  for (let r = r0; r < r1; r++) {
    const i = r % rows;
    const n = causal ? min(i + 1, cols) : cols;
    const off = <usize>(r * cols) << 2;
    const py = y + off;
    const pg = g + off;
    const po = out + off;
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const vy = v128.load(py + o);
      const vg = v128.load(pg + o);
      a0 = f64x2.add(a0, f64x2.mul(lo2(vy), lo2(vg)));
      a1 = f64x2.add(a1, f64x2.mul(hi2(vy), hi2(vg)));
    }
    a0 = f64x2.add(a0, a1);
    let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    for (; j < n; j++) s += <f64>load<f32>(py + (<usize>j << 2)) * <f64>load<f32>(pg + (<usize>j << 2));
    const vsum = f64x2.splat(s);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const vy = v128.load(py + o);
      const vg = v128.load(pg + o);
      const l = f64x2.mul(f64x2.mul(lo2(vy), f64x2.sub(lo2(vg), vsum)), vsc);
      const h = f64x2.mul(f64x2.mul(hi2(vy), f64x2.sub(hi2(vg), vsum)), vsc);
      v128.store(po + o, i32x4.shuffle(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(po + o, <f32>(sc * <f64>load<f32>(py + o) * (<f64>load<f32>(pg + o) - s)));
    }
    zeroRange(po, n, cols);
  }
}
