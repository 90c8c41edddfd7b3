// Layer normalisation over the rows of x viewed as [rows, n]: the forward pass with its
// per-row statistics, and the backward pass giving dx and the column sums for the weight
// and the bias. Row sums accumulate in f64 (as the reference does); the elementwise parts
// run in f32x4.

@inline function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

@inline function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/**
 * Rows [r0, r1) of y = (x − mean)·rstd ⊙ w + b, with mean and rstd = 1/√(var + eps) (biased
 * variance, two passes in f64) stored per row.
 */
export function layerNormRows(
  x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, n: i32, eps: f32, r0: i32, r1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const off = <usize>r * <usize>n << 2;
    const px = x + off;
    const py = y + off;
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(px + (<usize>j << 2));
      a0 = f64x2.add(a0, lo2(v));
      a1 = f64x2.add(a1, hi2(v));
    }
    let s = hsum(f64x2.add(a0, a1));
    for (; j < n; j++) s += <f64>load<f32>(px + (<usize>j << 2));
    const mu = s / <f64>n;
    const vmu = f64x2.splat(mu);
    a0 = f64x2.splat(0);
    a1 = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(px + (<usize>j << 2));
      const d0 = f64x2.sub(lo2(v), vmu);
      const d1 = f64x2.sub(hi2(v), vmu);
      a0 = f64x2.add(a0, f64x2.mul(d0, d0));
      a1 = f64x2.add(a1, f64x2.mul(d1, d1));
    }
    let q = hsum(f64x2.add(a0, a1));
    for (; j < n; j++) {
      const d = <f64>load<f32>(px + (<usize>j << 2)) - mu;
      q += d * d;
    }
    const rs = 1 / Math.sqrt(q / <f64>n + <f64>eps);
    const muf = <f32>mu;
    const rsf = <f32>rs;
    store<f32>(mean + (<usize>r << 2), muf);
    store<f32>(rstd + (<usize>r << 2), rsf);
    const vm = f32x4.splat(muf);
    const vr = f32x4.splat(rsf);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(px + o), vm), vr);
      v128.store(py + o, f32x4.add(f32x4.mul(xh, v128.load(w + o)), v128.load(b + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(py + o, (load<f32>(px + o) - muf) * rsf * load<f32>(w + o) + load<f32>(b + o));
    }
  }
}

/**
 * dx, dweight and dbias of layer norm over all `rows` rows: per row, with x̂ = (x − mean)·rstd
 * and ĝ = g ⊙ w, dx = rstd·(ĝ − Σĝ/n − x̂·Σ(ĝ⊙x̂)/n) (the sums in f64); dweight = Σ g⊙x̂ and
 * dbias = Σ g over the rows, accumulated per column in f64 in `scratch` (2n doubles).
 */
export function layerNormGrad(
  x: usize, mean: usize, rstd: usize, w: usize, g: usize, dx: usize, dw: usize, db: usize, rows: i32, n: i32,
  scratch: usize,
): void {
  const sw = scratch;
  const sb = scratch + (<usize>n << 3);
  memory.fill(scratch, 0, <usize>n << 4);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>n << 2;
    const px = x + off;
    const pg = g + off;
    const pd = dx + off;
    const muf = load<f32>(mean + (<usize>r << 2));
    const rsf = load<f32>(rstd + (<usize>r << 2));
    const vm = f32x4.splat(muf);
    const vr = f32x4.splat(rsf);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let t0 = f64x2.splat(0);
    let t1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(px + o), vm), vr);
      const gv = v128.load(pg + o);
      const gh = f32x4.mul(gv, v128.load(w + o));
      s0 = f64x2.add(s0, lo2(gh));
      s1 = f64x2.add(s1, hi2(gh));
      const ghx = f32x4.mul(gh, xh);
      t0 = f64x2.add(t0, lo2(ghx));
      t1 = f64x2.add(t1, hi2(ghx));
      const gx = f32x4.mul(gv, xh);
      const o8 = <usize>j << 3;
      v128.store(sw + o8, f64x2.add(v128.load(sw + o8), lo2(gx)));
      v128.store(sw + o8 + 16, f64x2.add(v128.load(sw + o8 + 16), hi2(gx)));
      v128.store(sb + o8, f64x2.add(v128.load(sb + o8), lo2(gv)));
      v128.store(sb + o8 + 16, f64x2.add(v128.load(sb + o8 + 16), hi2(gv)));
    }
    let sg = hsum(f64x2.add(s0, s1));
    let sgx = hsum(f64x2.add(t0, t1));
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(px + o) - muf) * rsf;
      const gj = load<f32>(pg + o);
      const gh = gj * load<f32>(w + o);
      sg += <f64>gh;
      sgx += <f64>(gh * xh);
      const o8 = <usize>j << 3;
      store<f64>(sw + o8, load<f64>(sw + o8) + <f64>(gj * xh));
      store<f64>(sb + o8, load<f64>(sb + o8) + <f64>gj);
    }
    const af = <f32>(sg / <f64>n);
    const bf = <f32>(sgx / <f64>n);
    const va = f32x4.splat(af);
    const vb = f32x4.splat(bf);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(px + o), vm), vr);
      const gh = f32x4.mul(v128.load(pg + o), v128.load(w + o));
      v128.store(pd + o, f32x4.mul(vr, f32x4.sub(f32x4.sub(gh, va), f32x4.mul(xh, vb))));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(px + o) - muf) * rsf;
      const gh = load<f32>(pg + o) * load<f32>(w + o);
      store<f32>(pd + o, rsf * (gh - af - xh * bf));
    }
  }
  for (let j = 0; j < n; j++) {
    store<f32>(dw + (<usize>j << 2), <f32>load<f64>(sw + (<usize>j << 3)));
    store<f32>(db + (<usize>j << 2), <f32>load<f64>(sb + (<usize>j << 3)));
  }
}
