// Dropout with a counter-based mask (src/backend/js/dropout.ts has the reference, the same
// integer arithmetic): element i is kept when the top 24 bits of
// fmix32(fmix32(i·0x9E3779B1 ⊕ key0) + key1) are below `threshold` (⌊keep·2^24⌉), and
// y = x·(kept ? scale : 0), so NaN and ±∞ stay NaN where dropped, as x·mask would. The mask
// is a pure function of (key0, key1, i): any cut of the elements over threads gives the same
// one, and the backward pass is this same job applied to the gradient.

// The murmur3 finalizer over four lanes.
@inline function fmix4(v: v128): v128 {
  v = v128.xor(v, i32x4.shr_u(v, 16));
  v = i32x4.mul(v, i32x4.splat(0x85ebca6b));
  v = v128.xor(v, i32x4.shr_u(v, 13));
  v = i32x4.mul(v, i32x4.splat(0xc2b2ae35));
  return v128.xor(v, i32x4.shr_u(v, 16));
}

@inline function fmix1(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >>> 16);
}

/** Elements [j0, j1) of x into y (both whole arrays), keys and threshold as above. */
export function dropout(x: usize, y: usize, j0: i32, j1: i32, key0: i32, key1: i32, threshold: i32, scale: f32): void {
  const k0 = i32x4.splat(key0), k1 = i32x4.splat(key1), limit = i32x4.splat(threshold);
  const golden = i32x4.splat(0x9e3779b1);
  const vscale = f32x4.splat(scale), zero = f32x4.splat(0);
  let idx = i32x4.add(i32x4.splat(j0), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
  const four = i32x4.splat(4);
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const h = fmix4(i32x4.add(fmix4(v128.xor(i32x4.mul(idx, golden), k0)), k1));
    const keep = i32x4.lt_u(i32x4.shr_u(h, 8), limit);
    const q = <usize>j << 2;
    v128.store(y + q, f32x4.mul(v128.load(x + q), v128.bitselect(vscale, zero, keep)));
    idx = i32x4.add(idx, four);
  }
  for (; j < j1; j++) {
    const h = fmix1(fmix1(<u32>j * 0x9e3779b1 ^ <u32>key0) + <u32>key1);
    const q = <usize>j << 2;
    store<f32>(y + q, load<f32>(x + q) * ((h >>> 8) < <u32>threshold ? scale : <f32>0));
  }
}
