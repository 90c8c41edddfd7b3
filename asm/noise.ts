// The fast path of the ziggurat normal sampler for DP-SGD's noise (src/privacy/ziggurat.ts
// has the whole method and src/backend/js/noise.ts the reference). Four draws per group of
// five words: words 0-3 are the signed abscissae, the bytes of word 4 their layers (7 bits
// each). u = w·2^-31 in f32; out = u·width[layer]·std when |u| is below the layer's
// threshold (table[128 + layer], rounded down by the caller), else NaN for the caller to
// finish exactly. The layer lookups are scalar loads; the rest runs four lanes at a time.

@inline function draw(words: usize, table: usize, g: i32, lane: i32, std: f32): f32 {
  const base = words + <usize>g * 20;
  const layer = (load<u32>(base, 16) >>> (<u32>lane << 3)) & 127;
  const u = <f32>load<i32>(base + (<usize>lane << 2)) * <f32>4.656612873077393e-10;
  return Mathf.abs(u) < load<f32>(table + ((<usize>layer + 128) << 2)) ? u * load<f32>(table + (<usize>layer << 2)) * std : NaN;
}

export function zigguratFast(words: usize, table: usize, out: usize, n: i32, std: f32): void {
  const full = n >> 2;
  const scale = f32x4.splat(<f32>4.656612873077393e-10);
  const vstd = f32x4.splat(std);
  const nan = f32x4.splat(NaN);
  for (let g = 0; g < full; g++) {
    const base = words + <usize>g * 20;
    const aux = load<u32>(base, 16);
    const l0 = <usize>(aux & 127) << 2;
    const l1 = <usize>((aux >>> 8) & 127) << 2;
    const l2 = <usize>((aux >>> 16) & 127) << 2;
    const l3 = <usize>((aux >>> 24) & 127) << 2;
    let width = f32x4.splat(load<f32>(table + l0));
    width = f32x4.replace_lane(width, 1, load<f32>(table + l1));
    width = f32x4.replace_lane(width, 2, load<f32>(table + l2));
    width = f32x4.replace_lane(width, 3, load<f32>(table + l3));
    let limit = f32x4.splat(load<f32>(table + l0, 512));
    limit = f32x4.replace_lane(limit, 1, load<f32>(table + l1, 512));
    limit = f32x4.replace_lane(limit, 2, load<f32>(table + l2, 512));
    limit = f32x4.replace_lane(limit, 3, load<f32>(table + l3, 512));
    const u = f32x4.mul(f32x4.convert_i32x4_s(v128.load(base)), scale);
    const z = f32x4.mul(f32x4.mul(u, width), vstd);
    v128.store(out + (<usize>g << 4), v128.bitselect(z, nan, f32x4.lt(f32x4.abs(u), limit)));
  }
  for (let j = full << 2; j < n; j++) store<f32>(out + (<usize>j << 2), draw(words, table, j >> 2, j & 3, std));
}
