/**
 * Synthetic data sets, made on the spot with no network: xor, spirals, moons, circles,
 * Gaussian blobs, a noisy sine and a 2-D regression surface. Every generator takes a
 * `noise` level and a `seed`; all randomness goes through {@link Generator}, so the same
 * seed gives the same points on every platform.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { Generator } from '../tensor/random.js';

/** A labelled classification set: `x` is row-major `[n, features]`, `y` holds class ids. */
export interface ClassificationSet {
  /** Features, row-major, `n * features` values. */
  x: Float32Array;
  /** Class ids in `[0, classes)`. */
  y: Int32Array;
  /** Number of samples. */
  n: number;
  /** Number of features per sample. */
  features: number;
  /** Number of classes. */
  classes: number;
}

/** A regression set: `x` is row-major `[n, features]`, `y` holds one target per sample. */
export interface RegressionSet {
  /** Features, row-major, `n * features` values. */
  x: Float32Array;
  /** Targets, one per sample. */
  y: Float32Array;
  /** Number of samples. */
  n: number;
  /** Number of features per sample. */
  features: number;
}

/** Options shared by every generator. */
export interface GeneratorOptions {
  /** Number of samples (for class-balanced sets, the total over all classes). */
  n?: number;
  /** Standard deviation of the Gaussian noise added (meaning differs per set; 0 = none). */
  noise?: number;
  /** Seed of the {@link Generator} used for every random draw. */
  seed?: number;
}

function checkCount(name: string, n: number, min = 1): number {
  if (!Number.isInteger(n) || n < min) {
    throw new ArgumentError(`${name}: n must be an integer >= ${min}, got ${n}`);
  }
  return n;
}

function checkNoise(name: string, noise: number): number {
  if (!Number.isFinite(noise) || noise < 0) {
    throw new ArgumentError(`${name}: noise must be a finite number >= 0, got ${noise}`);
  }
  return noise;
}

/** Splits `n` samples over `k` classes as evenly as possible (the first ones get the extra). */
function perClass(n: number, k: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < k; c++) out.push(Math.floor(n / k) + (c < n % k ? 1 : 0));
  return out;
}

/**
 * XOR in the plane: points uniform in `[-1, 1]^2`, class 1 where the two coordinates have
 * different signs. `noise` jitters the points after they are labelled, so it blurs the border.
 */
export function xor(opts: GeneratorOptions = {}): ClassificationSet {
  const n = checkCount('xor', opts.n ?? 200);
  const noise = checkNoise('xor', opts.noise ?? 0);
  const g = new Generator(opts.seed ?? 0);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = g.nextFloat() * 2 - 1;
    const b = g.nextFloat() * 2 - 1;
    y[i] = a * b < 0 ? 1 : 0;
    x[2 * i] = a + noise * g.nextNormal();
    x[2 * i + 1] = b + noise * g.nextNormal();
  }
  return { x, y, n, features: 2, classes: 2 };
}

/**
 * An n-class spiral: each class is one arm winding out from the origin. `noise` is added
 * to the angle (in radians), as in the classic CS231n toy problem.
 */
export function spiral(opts: GeneratorOptions & { classes?: number } = {}): ClassificationSet {
  const classes = checkCount('spiral classes', opts.classes ?? 3, 2);
  const n = checkCount('spiral', opts.n ?? 300, classes);
  const noise = checkNoise('spiral', opts.noise ?? 0.2);
  const g = new Generator(opts.seed ?? 0);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  let i = 0;
  perClass(n, classes).forEach((m, c) => {
    for (let j = 0; j < m; j++, i++) {
      const t = m === 1 ? 0 : j / (m - 1);
      const angle = c * 4 + t * 4 + noise * g.nextNormal();
      x[2 * i] = t * Math.sin(angle);
      x[2 * i + 1] = t * Math.cos(angle);
      y[i] = c;
    }
  });
  return { x, y, n, features: 2, classes };
}

/**
 * The two-spirals benchmark of Lang and Witbrock (1988): 194 points, 97 per spiral, each
 * spiral making three turns; the second is the first rotated by 180 degrees. Class 1 is the
 * first spiral. With `noise > 0`, Gaussian noise is added to each coordinate.
 */
export function twoSpirals(opts: { noise?: number; seed?: number } = {}): ClassificationSet {
  const noise = checkNoise('twoSpirals', opts.noise ?? 0);
  const g = new Generator(opts.seed ?? 0);
  const per = 97;
  const x = new Float32Array(per * 4);
  const y = new Int32Array(per * 2);
  for (let i = 0; i < per; i++) {
    const angle = (i * Math.PI) / 16;
    const radius = (6.5 * (104 - i)) / 104;
    const a = radius * Math.sin(angle);
    const b = radius * Math.cos(angle);
    x[4 * i] = a + noise * g.nextNormal();
    x[4 * i + 1] = b + noise * g.nextNormal();
    y[2 * i] = 1;
    x[4 * i + 2] = -a + noise * g.nextNormal();
    x[4 * i + 3] = -b + noise * g.nextNormal();
    y[2 * i + 1] = 0;
  }
  return { x, y, n: per * 2, features: 2, classes: 2 };
}

/** Two interleaving half circles (class 0 on top, class 1 below), with Gaussian noise. */
export function moons(opts: GeneratorOptions = {}): ClassificationSet {
  const n = checkCount('moons', opts.n ?? 200, 2);
  const noise = checkNoise('moons', opts.noise ?? 0.1);
  const g = new Generator(opts.seed ?? 0);
  const [outer = 0, inner = 0] = perClass(n, 2);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const top = i < outer;
    const j = top ? i : i - outer;
    const m = top ? outer : inner;
    const t = m === 1 ? 0 : (Math.PI * j) / (m - 1);
    x[2 * i] = (top ? Math.cos(t) : 1 - Math.cos(t)) + noise * g.nextNormal();
    x[2 * i + 1] = (top ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * g.nextNormal();
    y[i] = top ? 0 : 1;
  }
  return { x, y, n, features: 2, classes: 2 };
}

/**
 * Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius
 * `factor` (default 0.5), with Gaussian noise.
 */
export function circles(opts: GeneratorOptions & { factor?: number } = {}): ClassificationSet {
  const n = checkCount('circles', opts.n ?? 200, 2);
  const noise = checkNoise('circles', opts.noise ?? 0.05);
  const factor = opts.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) throw new ArgumentError(`circles: factor must be in (0, 1), got ${factor}`);
  const g = new Generator(opts.seed ?? 0);
  const [outer = 0] = perClass(n, 2);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const big = i < outer;
    const m = big ? outer : n - outer;
    const t = (2 * Math.PI * (big ? i : i - outer)) / m;
    const r = big ? 1 : factor;
    x[2 * i] = r * Math.cos(t) + noise * g.nextNormal();
    x[2 * i + 1] = r * Math.sin(t) + noise * g.nextNormal();
    y[i] = big ? 0 : 1;
  }
  return { x, y, n, features: 2, classes: 2 };
}

/** Options of {@link blobs}. */
export interface BlobOptions extends GeneratorOptions {
  /** Number of blobs when `centers` is not given (default 3). */
  classes?: number;
  /** Number of features when `centers` is not given (default 2). */
  features?: number;
  /** Explicit centres, one array of `features` numbers per class. */
  centers?: number[][];
  /** Centres are drawn uniformly from `[-box, box]^features` (default 10). */
  box?: number;
}

/**
 * Isotropic Gaussian blobs, one per class. `noise` is the standard deviation of each blob
 * (default 1). Centres are drawn from the seeded generator unless given.
 */
export function blobs(opts: BlobOptions = {}): ClassificationSet {
  const g = new Generator(opts.seed ?? 0);
  const noise = checkNoise('blobs', opts.noise ?? 1);
  let centers = opts.centers;
  if (centers === undefined) {
    const k = checkCount('blobs classes', opts.classes ?? 3);
    const d = checkCount('blobs features', opts.features ?? 2);
    const box = opts.box ?? 10;
    centers = [];
    for (let c = 0; c < k; c++) {
      const row: number[] = [];
      for (let j = 0; j < d; j++) row.push((g.nextFloat() * 2 - 1) * box);
      centers.push(row);
    }
  }
  const k = centers.length;
  const d = centers[0]?.length ?? 0;
  if (k === 0 || d === 0 || centers.some((c) => c.length !== d)) {
    throw new ArgumentError('blobs: centers must be a non-empty list of equally long, non-empty coordinate lists');
  }
  const n = checkCount('blobs', opts.n ?? 100 * k, k);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  let i = 0;
  perClass(n, k).forEach((m, c) => {
    const centre = centers[c]!;
    for (let s = 0; s < m; s++, i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = centre[j]! + noise * g.nextNormal();
      y[i] = c;
    }
  });
  return { x, y, n, features: d, classes: k };
}

/**
 * A noisy sine for regression: `x` uniform in `[low, high]` (default `[-π, π]`),
 * `y = sin(x) + noise * N(0, 1)`.
 */
export function sine(opts: GeneratorOptions & { low?: number; high?: number } = {}): RegressionSet {
  const n = checkCount('sine', opts.n ?? 200);
  const noise = checkNoise('sine', opts.noise ?? 0.1);
  const low = opts.low ?? -Math.PI;
  const high = opts.high ?? Math.PI;
  if (!(high > low)) throw new ArgumentError(`sine: high (${high}) must be greater than low (${low})`);
  const g = new Generator(opts.seed ?? 0);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = low + (high - low) * g.nextFloat();
    x[i] = v;
    y[i] = Math.sin(v) + noise * g.nextNormal();
  }
  return { x, y, n, features: 1 };
}

/** The shapes of {@link surface}. */
export type SurfaceKind = 'plane' | 'gaussian' | 'wave';

/**
 * A 2-D regression surface over `[-1, 1]^2` (the playground's regression tasks):
 * `plane` is `(x1 + x2) / 2`, `gaussian` is a bump at `(0.5, 0.5)` minus one at
 * `(-0.5, -0.5)`, `wave` is `sin(πx1) cos(πx2)`. Gaussian noise of std `noise` is added to y.
 */
export function surface(opts: GeneratorOptions & { kind?: SurfaceKind } = {}): RegressionSet {
  const n = checkCount('surface', opts.n ?? 400);
  const noise = checkNoise('surface', opts.noise ?? 0);
  const kind = opts.kind ?? 'wave';
  const g = new Generator(opts.seed ?? 0);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const bump = (a: number, b: number, ca: number, cb: number) =>
    Math.exp(-((a - ca) ** 2 + (b - cb) ** 2) / 0.18);
  for (let i = 0; i < n; i++) {
    const a = g.nextFloat() * 2 - 1;
    const b = g.nextFloat() * 2 - 1;
    let v: number;
    if (kind === 'plane') v = (a + b) / 2;
    else if (kind === 'gaussian') v = bump(a, b, 0.5, 0.5) - bump(a, b, -0.5, -0.5);
    else if (kind === 'wave') v = Math.sin(Math.PI * a) * Math.cos(Math.PI * b);
    else throw new ArgumentError(`surface: unknown kind '${String(kind)}' (use plane, gaussian or wave)`);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = v + noise * g.nextNormal();
  }
  return { x, y, n, features: 2 };
}
