/**
 * Randomness for DP-SGD: the Gaussian noise added to the summed gradients and the
 * coin flips of Poisson sampling. By default it comes from the platform's
 * cryptographic generator, `globalThis.crypto.getRandomValues` (Node 19+ and every
 * browser), its words turned into normals by the ziggurat method; a seeded generator
 * is accepted for tests and is reported as not private.
 * @module
 */
import { ArgumentError, PrivacyError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { backend } from '../ops/util.js';
import { Ziggurat, type ZigguratKernel } from './ziggurat.js';

/** A source of the random numbers DP-SGD draws. */
export interface RandomSource {
  /** True only for the cryptographic source: a seeded run gives no privacy guarantee. */
  readonly secure: boolean;
  /** A short description, e.g. `crypto.getRandomValues` or `seeded generator (not private)`. */
  readonly description: string;
  /** A uniform draw in [0, 1). */
  uniform(): number;
  /** Fills `out` with independent draws from N(0, std²). */
  fillNormal(out: Float32Array | Float64Array, std: number): void;
}

/** 2⁵³: uniform doubles are made of 53 random bits. */
const TWO_53 = 2 ** 53;

/** The cryptographic source (the default). */
class CryptoSource implements RandomSource {
  readonly secure = true;
  readonly description = 'crypto.getRandomValues';
  private readonly words = new Uint32Array(8192);
  private next = this.words.length;
  private readonly crypto: { getRandomValues(a: Uint32Array): Uint32Array };

  constructor() {
    const c = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
    if (c === undefined || typeof c.getRandomValues !== 'function') {
      throw new PrivacyError(
        'DP-SGD: globalThis.crypto.getRandomValues is not available (Node 19+ and browsers have it); private training needs a cryptographic random generator',
      );
    }
    this.crypto = c as { getRandomValues(a: Uint32Array): Uint32Array };
  }

  private word(): number {
    if (this.next >= this.words.length) {
      this.crypto.getRandomValues(this.words);
      this.next = 0;
    }
    return this.words[this.next++]!;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.word() >>> 5; // 27 bits
    const lo = this.word() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_53;
  }

  /**
   * Normals by the ziggurat method over crypto words drawn in bulk (16,380 per call):
   * about 1.25 words per normal, and for 97% of them no logarithm or square root. For
   * float32 the fast path runs in the backend's `zigguratFast` kernel (WASM SIMD when
   * that backend is active), the rest here.
   */
  fillNormal(out: Float32Array | Float64Array, std: number): void {
    if (out instanceof Float32Array) this.ziggurat.fillWith(out, std, fastPath);
    else this.ziggurat.fill(out, std);
  }

  private readonly ziggurat = new Ziggurat((w) => {
    this.crypto.getRandomValues(w);
  });
}

/** The active backend's fast path of the ziggurat. */
const fastPath: ZigguratKernel = (words, table, out, std) => {
  backend().zigguratFast(words, table, out, std);
};

/** Box–Muller: two uniforms give two independent standard normals. */
function fillBoxMuller(out: Float32Array | Float64Array, std: number, uniform: () => number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - uniform(); // (0, 1]: the logarithm stays finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
}

/** A seeded source, for reproducible tests only. */
class SeededSource implements RandomSource {
  readonly secure = false;
  readonly description = 'seeded generator (not private)';
  constructor(private readonly gen: Generator) {}
  uniform(): number {
    return this.gen.nextFloat();
  }
  fillNormal(out: Float32Array | Float64Array, std: number): void {
    fillBoxMuller(out, std, () => this.gen.nextFloat());
  }
}

/** What the `noise` option accepts: `'crypto'` (the default), or a seeded generator or seed for tests. */
export type NoiseOption = 'crypto' | Generator | number;

/**
 * The random source for a `noise` option: the cryptographic one for `'crypto'` or
 * undefined, a seeded (not private) one for a {@link Generator} or a seed.
 *
 * @example
 * ```ts
 * const rng = randomSource();            // crypto.getRandomValues: secure
 * const test = randomSource(new Generator(1)); // reproducible, secure: false
 * ```
 */
export function randomSource(noise: NoiseOption = 'crypto'): RandomSource {
  if (noise === 'crypto') return new CryptoSource();
  if (noise instanceof Generator) return new SeededSource(noise);
  if (typeof noise === 'number') return new SeededSource(new Generator(noise));
  throw new ArgumentError(`DP-SGD: noise must be 'crypto', a Generator or a seed, got ${String(noise)}`);
}
