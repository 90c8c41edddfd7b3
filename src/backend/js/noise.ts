/**
 * The reference of `zigguratFast`, the vectorisable fast path of the ziggurat normal
 * sampler that DP-SGD's noise uses (see src/privacy/ziggurat.ts for the whole method).
 * @module
 */

/** 2⁻³¹: a signed 32-bit word times this is in [−1, 1). */
const SCALE = Math.fround(4.656612873077393e-10);

/** See `Backend.zigguratFast`; float32 arithmetic, as the WASM kernel. */
export function zigguratFast(words: Int32Array, table: Float32Array, out: Float32Array, std: number): void {
  const f = Math.fround;
  const s = f(std);
  for (let j = 0; j < out.length; j++) {
    const g = (j >> 2) * 5;
    const lane = j & 3;
    const layer = (words[g + 4]! >>> (lane << 3)) & 127;
    const u = f(words[g + lane]! * SCALE);
    out[j] = Math.abs(u) < table[128 + layer]! ? f(f(u * table[layer]!) * s) : Number.NaN;
  }
}
