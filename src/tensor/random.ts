import { ArgumentError } from '../errors.js';

/** The full state of a {@link Generator}, for checkpoints. */
export interface GeneratorState {
  /** The four 32-bit words of xoshiro128**. */
  s: [number, number, number, number];
  /** A cached second normal deviate from Box–Muller, or null. */
  spare: number | null;
}

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Validates a user-given seed: a non-negative safe integer. */
export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ArgumentError(`seed must be a non-negative integer below 2^53, got ${String(seed)}`);
  }
  return seed;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * The same seed gives the same stream on every platform and backend.
 *
 * @example
 * ```ts
 * const g = new Generator(42);
 * const x = randn([2, 3], { generator: g });
 * ```
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the generator to the start of the stream for `seed`. */
  seed(seed: number): this {
    checkSeed(seed);
    // The low 32 bits seed all four words; the high bits (seeds ≥ 2^32) are mixed into
    // s1 and s3 through a second splitmix stream. s0 alone determines the low bits and
    // s1 then the high bits (splitmix's mix is a bijection), so distinct seeds give distinct states.
    const st = { x: seed >>> 0 };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    const high = Math.floor(seed / 2 ** 32);
    if (high !== 0) {
      const sh = { x: high ^ 0x5bd1e995 };
      this.s1 ^= splitmix32(sh);
      this.s3 ^= splitmix32(sh);
    }
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
    return this;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 24 random bits, so it is exact in float32. */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /** A standard normal deviate (Box–Muller). */
  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    do u = this.nextFloat();
    while (u === 0);
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [low, high). */
  nextInt(low: number, high: number): number {
    const range = high - low;
    if (range <= 0) throw new ArgumentError(`randint: high (${high}) must be greater than low (${low})`);
    if (range > 2 ** 32) throw new ArgumentError('randint: the range must be at most 2^32');
    // Rejection sampling keeps the distribution exactly uniform.
    const limit = 2 ** 32 - (2 ** 32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(0, i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** A copy of the state, for checkpoints. */
  getState(): GeneratorState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Restores a state from {@link getState}. */
  setState(state: GeneratorState): this {
    const [a, b, c, d] = state.s;
    this.s0 = a | 0;
    this.s1 = b | 0;
    this.s2 = c | 0;
    this.s3 = d | 0;
    this.spare = state.spare;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let defaultGenerator = new Generator(0);

/** Seeds the global generator that every random op uses when not given one. */
export function manualSeed(seed: number): Generator {
  defaultGenerator = new Generator(seed);
  return defaultGenerator;
}

/** The global generator. */
export function getDefaultGenerator(): Generator {
  return defaultGenerator;
}
