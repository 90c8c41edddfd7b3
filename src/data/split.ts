/**
 * Splits of a data set into index sets: a seeded train/test split (optionally stratified),
 * k-fold and stratified k-fold. They work on indices, so they apply to any storage:
 * use {@link takeRows} on typed arrays, `Table` row selection, or `indexSelect` on tensors.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { Generator } from '../tensor/random.js';

/** Labels used for stratification: class ids or category strings. */
export type Labels = ArrayLike<number> | readonly string[];

/** One split: two disjoint lists of row indices into the original data. */
export interface Split {
  /** Indices of the training rows. */
  train: Int32Array;
  /** Indices of the test (or validation) rows. */
  test: Int32Array;
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) or an absolute count of test rows (default 0.25). */
  testSize?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Shuffle before splitting (default true). Without shuffling, the last rows are the test set. */
  shuffle?: boolean;
  /** Labels to stratify on: every class keeps its proportion in both parts. */
  stratify?: Labels;
}

function testCount(n: number, testSize: number): number {
  let t: number;
  if (testSize > 0 && testSize < 1) t = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1) t = testSize;
  else throw new ArgumentError(`trainTestSplit: testSize must be a fraction in (0, 1) or a count >= 1, got ${testSize}`);
  if (t >= n) {
    throw new ArgumentError(`trainTestSplit: testSize ${testSize} leaves no training rows out of ${n}`);
  }
  return t;
}

/** Groups row indices by label, in order of first appearance. */
function groupByLabel(labels: Labels): number[][] {
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = labels[i]!;
    let g = groups.get(key);
    if (g === undefined) {
      g = [];
      groups.set(key, g);
    }
    g.push(i);
  }
  return [...groups.values()];
}

function shuffleInPlace(a: number[], g: Generator): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = g.nextInt(0, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * Splits `n` rows into a training and a test part.
 *
 * With `stratify`, each class gets `round`-ed test rows in proportion to its size: the
 * whole-number parts first, then the leftover rows to the classes with the largest
 * fractions, so every class is within one sample of its exact share.
 *
 * @example
 * ```ts
 * const { train, test } = trainTestSplit(150, { testSize: 0.2, seed: 1, stratify: labels });
 * ```
 */
export function trainTestSplit(n: number, opts: TrainTestSplitOptions = {}): Split {
  if (!Number.isInteger(n) || n < 2) throw new ArgumentError(`trainTestSplit: need at least 2 rows, got ${n}`);
  const nTest = testCount(n, opts.testSize ?? 0.25);
  const g = new Generator(opts.seed ?? 0);
  const shuffle = opts.shuffle ?? true;
  if (opts.stratify === undefined) {
    const order = shuffle ? Array.from(g.permutation(n)) : Array.from({ length: n }, (_, i) => i);
    return { train: Int32Array.from(order.slice(0, n - nTest)), test: Int32Array.from(order.slice(n - nTest)) };
  }
  if (opts.stratify.length !== n) {
    throw new ArgumentError(`trainTestSplit: stratify has ${opts.stratify.length} labels for ${n} rows`);
  }
  if (!shuffle) throw new ArgumentError('trainTestSplit: stratify needs shuffle: true');
  const groups = groupByLabel(opts.stratify);
  const exact = groups.map((grp) => (grp.length * nTest) / n);
  const take = exact.map(Math.floor);
  let left = nTest - take.reduce((a, b) => a + b, 0);
  const byFraction = exact.map((e, c) => ({ c, f: e - Math.floor(e) })).sort((a, b) => b.f - a.f || a.c - b.c);
  for (const { c } of byFraction) {
    if (left === 0) break;
    take[c]! += 1;
    left--;
  }
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((grp, c) => {
    shuffleInPlace(grp, g);
    const k = take[c]!;
    test.push(...grp.slice(0, k));
    train.push(...grp.slice(k));
  });
  shuffleInPlace(train, g);
  shuffleInPlace(test, g);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** Options of {@link kFold} and {@link stratifiedKFold}. */
export interface KFoldOptions {
  /** Shuffle before making folds (default false, as in scikit-learn). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

function checkK(k: number, n: number, name: string): void {
  if (!Number.isInteger(k) || k < 2) throw new ArgumentError(`${name}: k must be an integer >= 2, got ${k}`);
  if (k > n) throw new ArgumentError(`${name}: k = ${k} folds need at least ${k} rows, got ${n}`);
}

function foldsFromAssignment(fold: Int32Array, k: number): Split[] {
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}

/**
 * K-fold cross-validation over `n` rows: `k` splits whose test parts are disjoint, cover
 * every row once, and differ in size by at most one.
 */
export function kFold(n: number, k: number, opts: KFoldOptions = {}): Split[] {
  checkK(k, n, 'kFold');
  const order = opts.shuffle ? Array.from(new Generator(opts.seed ?? 0).permutation(n)) : [...Array(n).keys()];
  const fold = new Int32Array(n);
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let s = 0; s < size; s++) fold[order[pos++]!] = f;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * Stratified k-fold: like {@link kFold}, but each class is dealt over the folds in turn,
 * so each fold holds every class within one sample of its share.
 */
export function stratifiedKFold(labels: Labels, k: number, opts: KFoldOptions = {}): Split[] {
  const n = labels.length;
  checkK(k, n, 'stratifiedKFold');
  const g = new Generator(opts.seed ?? 0);
  const fold = new Int32Array(n);
  let next = 0;
  for (const grp of groupByLabel(labels)) {
    if (opts.shuffle) shuffleInPlace(grp, g);
    // Continue dealing where the previous class stopped, which keeps the fold sizes even.
    for (const i of grp) fold[i] = next++ % k;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * Copies the rows `idx` of a row-major `[n, width]` array into a new array of the same type
 * (rows may repeat and come in any order). This is the one row-gather on typed arrays: datasets,
 * `fit`'s in-memory batches and the playground all use it.
 *
 * @example
 * ```ts
 * const x = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 rows of width 2
 * takeRows(x, 2, [2, 0]); // Float32Array [5, 6, 1, 2]
 * ```
 */
export function takeRows<T extends Float32Array | Float64Array | Int32Array>(src: T, width: number, idx: ArrayLike<number>): T {
  const out = new (src.constructor as new (len: number) => T)(idx.length * width);
  for (let r = 0; r < idx.length; r++) {
    const from = idx[r]! * width;
    out.set(src.subarray(from, from + width), r * width);
  }
  return out;
}
