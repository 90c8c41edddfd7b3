/**
 * Standard normals from a stream of uniform random 32-bit words by the ziggurat
 * method (Marsaglia and Tsang 2000, in the form of Doornik 2005: 128 layers, the
 * layer index drawn from bits of their own, not from the word that gives the
 * abscissa). About 97% of the draws cost one word, one byte, a multiply and a
 * compare: no logarithm, square root or trigonometry; the rest fall to an exact
 * wedge test or to Marsaglia's sampler of the tail beyond r = 3.44. The result has
 * the N(0, 1) distribution exactly, up to the 2⁻³¹ resolution of the abscissa (with the
 * fast path in a float32 kernel, {@link Ziggurat.fillWith}: up to the float32 rounding
 * of the abscissa and of the product, about an ulp of the float32 result).
 * @module
 */

/** Layers of the ziggurat. */
const LAYERS = 128;
/** The right edge of the base layer's rectangle: the tail starts here. */
const R = 3.442619855899;
/** The area of every layer (the base one with its tail), for the unnormalised density e^(−x²/2). */
const AREA = 9.91256303526217e-3;

/** e^(−x²/2). */
const density = (x: number): number => Math.exp(-0.5 * x * x);

/** Layer i spans [0, X[i]) × [F[i], F[i+1]); X decreases from X[0] = AREA/f(R) (the base) to X[128] = 0. */
const X = new Float64Array(LAYERS + 1);
/** F[i] = f(X[i]). */
const F = new Float64Array(LAYERS + 1);
/** X[i+1]/X[i]: below it, a point of layer i lies under the curve for sure. */
const RATIO = new Float64Array(LAYERS);

X[0] = AREA / density(R);
X[1] = R;
for (let i = 2; i < LAYERS; i++) X[i] = Math.sqrt(-2 * Math.log(AREA / X[i - 1]! + density(X[i - 1]!)));
X[LAYERS] = 0;
for (let i = 0; i <= LAYERS; i++) F[i] = density(X[i]!);
for (let i = 0; i < LAYERS; i++) RATIO[i] = X[i + 1]! / X[i]!;

/**
 * The table of a backend's `zigguratFast` kernel: the 128 layer widths in float32, then
 * the 128 fast-path thresholds rounded down by 2⁻²⁰ relative, so that the kernel's
 * float32 test (on the abscissa rounded to 24 bits) accepts nothing the exact test
 * rejects; the draws it leaves (NaN) are finished here exactly.
 */
const KERNEL_TABLE = new Float32Array(2 * LAYERS);
for (let i = 0; i < LAYERS; i++) {
  KERNEL_TABLE[i] = X[i]!;
  KERNEL_TABLE[LAYERS + i] = Math.fround(RATIO[i]! * (1 - 2 ** -20));
}

/** The fast path of the sampler as a backend kernel runs it (`Backend.zigguratFast`). */
export type ZigguratKernel = (words: Int32Array, table: Float32Array, out: Float32Array, std: number) => void;

/** Words drawn per refill: a multiple of 5 (four abscissae and their four layer bytes) within getRandomValues's 65,536 bytes. */
export const ZIGGURAT_WORDS = 16380;

/**
 * A generator of normals on top of a source of uniform 32-bit words (filled in
 * bulk). Each group of five words gives four draws: words 0–3 the signed
 * abscissae, the bytes of word 4 their layers.
 */
export class Ziggurat {
  private readonly words = new Uint32Array(ZIGGURAT_WORDS);
  /** Start of the current group of five. */
  private group = ZIGGURAT_WORDS;
  /** Draws taken from the current group (0–4). */
  private lane = 4;

  /** @param refill - fills its argument with uniform random words (e.g. `crypto.getRandomValues`). */
  constructor(private readonly refill: (words: Uint32Array) => void) {}

  /** Fills `out` with independent draws from N(0, std²). */
  fill(out: Float32Array | Float64Array, std: number): void {
    const words = this.words;
    const n = out.length;
    let group = this.group;
    let lane = this.lane;
    for (let j = 0; j < n; j++) {
      for (;;) {
        if (lane === 4) {
          group += 5;
          lane = 0;
          if (group >= ZIGGURAT_WORDS) {
            this.refill(words);
            group = 0;
          }
        }
        const layer = (words[group + 4]! >>> (lane << 3)) & (LAYERS - 1);
        // A signed abscissa in (−1, 1), symmetric: (w + ½)·2⁻³¹ for the word read as an int32.
        const u = ((words[group + lane]! | 0) + 0.5) * 4.656612873077393e-10;
        lane++;
        if (Math.abs(u) < RATIO[layer]!) {
          out[j] = u * X[layer]! * std;
          break;
        }
        this.group = group;
        this.lane = lane;
        const z = layer === 0 ? this.tail(u < 0) : this.wedge(layer, u * X[layer]!);
        group = this.group;
        lane = this.lane;
        if (z !== null) {
          out[j] = z * std;
          break;
        }
      }
    }
    this.group = group;
    this.lane = lane;
  }

  /**
   * {@link Ziggurat.fill} for float32 with the fast path in a backend kernel: the words of
   * all of `out` are drawn first (five per four draws), `kernel` turns them into normals
   * where the fast test passes and NaN elsewhere, and those are finished here: the exact
   * fast test, then the wedge or the tail, and when that rejects, a fresh draw.
   */
  fillWith(out: Float32Array, std: number, kernel: ZigguratKernel): void {
    const n = out.length;
    if (n === 0) return;
    const need = Math.ceil(n / 4) * 5;
    if (this.bulk.length < need) {
      this.bulk = new Uint32Array(need);
      this.bulkI32 = new Int32Array(this.bulk.buffer);
    }
    const bulk = this.bulk;
    for (let o = 0; o < need; o += ZIGGURAT_WORDS) this.refill(bulk.subarray(o, Math.min(need, o + ZIGGURAT_WORDS)));
    kernel(this.bulkI32.subarray(0, need), KERNEL_TABLE, out, std);
    for (let j = 0; j < n; j++) {
      if (out[j] === out[j]) continue; // drawn by the kernel
      const g = (j >> 2) * 5;
      const lane = j & 3;
      const layer = (bulk[g + 4]! >>> (lane << 3)) & (LAYERS - 1);
      const u = ((bulk[g + lane]! | 0) + 0.5) * 4.656612873077393e-10;
      out[j] = this.finish(layer, u) * std;
    }
  }

  /** Words for {@link Ziggurat.fillWith}, as unsigned and as signed words. */
  private bulk = new Uint32Array(0);
  private bulkI32 = new Int32Array(0);
  private readonly one = new Float64Array(1);

  /** The draw with abscissa `u` in `layer` that the kernel left: accepted exactly, or drawn afresh. */
  private finish(layer: number, u: number): number {
    if (Math.abs(u) < RATIO[layer]!) return u * X[layer]!;
    const z = layer === 0 ? this.tail(u < 0) : this.wedge(layer, u * X[layer]!);
    if (z !== null) return z;
    this.fill(this.one, 1);
    return this.one[0]!;
  }

  /** A uniform double in (0, 1] from 53 bits of the next two abscissa words of a group. */
  private uniform(): number {
    if (this.lane >= 3) {
      // Fewer than two abscissa words left in this group: a fresh group.
      this.group += 5;
      this.lane = 0;
      if (this.group >= ZIGGURAT_WORDS) {
        this.refill(this.words);
        this.group = 0;
      }
    }
    const w = this.words;
    const g = this.group + this.lane;
    this.lane += 2;
    return ((w[g]! >>> 5) * 67108864 + (w[g + 1]! >>> 6) + 1) / 9007199254740992;
  }

  /** The wedge of layer `i` (0 < i): `x` if a uniform height in the layer lies under the curve there, else null (draw again). */
  private wedge(i: number, x: number): number | null {
    const y = F[i]! + this.uniform() * (F[i + 1]! - F[i]!);
    return y < density(x) ? x : null;
  }

  /** A draw from the tail beyond R (Marsaglia 1964), with the sign asked for. */
  private tail(negative: boolean): number {
    for (;;) {
      const a = -Math.log(this.uniform()) / R;
      const b = -Math.log(this.uniform());
      if (b + b >= a * a) return negative ? -(R + a) : R + a;
    }
  }
}

/** The layer edges X[0..128], for tests of the construction. */
export function zigguratEdges(): Float64Array {
  return X.slice();
}

/** The table {@link Ziggurat.fillWith} gives the kernel, for its conformance tests. */
export function zigguratKernelTable(): Float32Array {
  return KERNEL_TABLE.slice();
}
