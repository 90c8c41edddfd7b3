/**
 * Metrics on predictions and targets. They take tensors (read once with `dataSync()`) or
 * anything shaped like `{ data, shape }` with row-major values.
 *
 * Classification metrics accept predictions as scores `[N, C]` (logits or probabilities,
 * reduced by argmax), or as one score per sample `[N]`/`[N, 1]` (a binary problem,
 * thresholded at 0.5). Targets are class ids `[N]` or one-hot/probability rows `[N, C]`.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ShapeError } from '../errors.js';

/** Row-major values plus a shape, e.g. `{ data: [0, 1, 1], shape: [3] }`. */
export interface ShapedData {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** What a metric reads: a tensor, or plain values with a shape. */
export type MetricInput = Tensor | ShapedData;

/** A metric: higher or lower is better depending on the metric; see {@link metricGreaterIsBetter}. */
export type MetricFn = (pred: MetricInput, target: MetricInput) => number;

/** Plain values of a metric input (a tensor is read once). */
function plain(x: MetricInput): ShapedData {
  return x instanceof Tensor ? { data: x.dataSync(), shape: x.shape } : x;
}

function rows(t: ShapedData): number {
  return t.shape.length === 0 ? 1 : t.shape[0]!;
}

function width(t: ShapedData): number {
  return t.shape.length <= 1 ? 1 : t.data.length / rows(t);
}

function argmaxRow(d: ArrayLike<number>, row: number, w: number): number {
  let best = 0;
  let bv = d[row * w]!;
  for (let j = 1; j < w; j++) {
    const v = d[row * w + j]!;
    if (v > bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}

/**
 * Class ids from predictions or targets: argmax of `[N, C]` rows, `value > threshold` for one
 * score per sample when `scores` is true, or the values themselves (class ids).
 */
export function toClassIds(tIn: MetricInput, scores: boolean, threshold = 0.5): Int32Array {
  const t = plain(tIn);
  const n = rows(t);
  const w = width(t);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (w > 1) out[i] = argmaxRow(t.data, i, w);
    else if (scores) out[i] = t.data[i]! > threshold ? 1 : 0;
    else out[i] = Math.round(t.data[i]!);
  }
  return out;
}

function checkRows(name: string, pred: ShapedData, target: ShapedData): number {
  const n = rows(pred);
  if (rows(target) !== n) {
    throw new ShapeError(
      `${name}: predictions [${pred.shape.join(', ')}] and targets [${target.shape.join(', ')}] have different numbers of samples`,
    );
  }
  return n;
}

/**
 * Fraction of samples whose predicted class (argmax of `[N, C]` scores, or a 0.5 threshold
 * for one score per sample) equals the target class.
 * @example
 * ```ts
 * accuracy(model.forward(x), y); // 0.97
 * ```
 */
export function accuracy(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  const n = checkRows('accuracy', pred, target);
  const p = toClassIds(pred, true);
  const t = toClassIds(target, false);
  let hit = 0;
  for (let i = 0; i < n; i++) if (p[i] === t[i]) hit++;
  return n === 0 ? 0 : hit / n;
}

/**
 * Fraction of elements where `pred > threshold` agrees with `target > 0.5`
 * (for multi-label or single-output binary problems). Use `threshold: 0` on logits.
 * @example
 * ```ts
 * binaryAccuracy(probs, labels); // 0.95
 * ```
 */
export function binaryAccuracy(predIn: MetricInput, targetIn: MetricInput, threshold = 0.5): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  if (pred.data.length !== target.data.length) {
    throw new ShapeError(
      `binaryAccuracy: predictions [${pred.shape.join(', ')}] and targets [${target.shape.join(', ')}] differ in size`,
    );
  }
  const n = pred.data.length;
  let hit = 0;
  for (let i = 0; i < n; i++) if (pred.data[i]! > threshold === target.data[i]! > 0.5) hit++;
  return n === 0 ? 0 : hit / n;
}

/**
 * The confusion matrix: `m[t][p]` counts samples of true class `t` predicted as `p`.
 * @example
 * ```ts
 * confusionMatrix(logits, labels); // [[50, 0], [2, 48]]
 * ```
 */
export function confusionMatrix(predIn: MetricInput, targetIn: MetricInput, numClasses?: number): number[][] {
  const pred = plain(predIn);
  const target = plain(targetIn);
  const n = checkRows('confusionMatrix', pred, target);
  const p = toClassIds(pred, true);
  const t = toClassIds(target, false);
  let k = numClasses ?? Math.max(width(pred), width(target), 2);
  if (numClasses === undefined) for (let i = 0; i < n; i++) k = Math.max(k, p[i]! + 1, t[i]! + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const row = m[t[i]!];
    if (row === undefined || t[i]! < 0 || p[i]! < 0 || p[i]! >= k) {
      throw new ShapeError(`confusionMatrix: class id out of range [0, ${k}) at sample ${i}`);
    }
    row[p[i]!]!++;
  }
  return m;
}

/** Per-class precision, recall and F1 from a confusion matrix, macro-averaged over classes present. */
/**
 * Macro-averaged precision, recall and F1 from a confusion matrix
 * (`m[true][predicted]`), averaged over the classes that occur as truth or prediction.
 */
export function macroScores(m: readonly (readonly number[])[]): { precision: number; recall: number; f1: number } {
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let classes = 0;
  const k = m.length;
  for (let c = 0; c < k; c++) {
    const tp = m[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += m[j]![c]!;
      actual += m[c]![j]!;
    }
    if (predicted === 0 && actual === 0) continue;
    classes++;
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    precision += p;
    recall += r;
    f1 += p + r === 0 ? 0 : (2 * p * r) / (p + r);
  }
  return classes === 0 ? { precision: 0, recall: 0, f1: 0 } : { precision: precision / classes, recall: recall / classes, f1: f1 / classes };
}

/** Macro-averaged precision (the mean over classes of TP / predicted). */
export function precision(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  return macroScores(confusionMatrix(pred, target)).precision;
}

/** Macro-averaged recall (the mean over classes of TP / actual). */
export function recall(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  return macroScores(confusionMatrix(pred, target)).recall;
}

/** Macro-averaged F1 (the mean over classes of the harmonic mean of precision and recall). */
export function f1Score(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  return macroScores(confusionMatrix(pred, target)).f1;
}

function checkSize(name: string, pred: ShapedData, target: ShapedData): number {
  if (pred.data.length !== target.data.length) {
    throw new ShapeError(
      `${name}: predictions [${pred.shape.join(', ')}] and targets [${target.shape.join(', ')}] differ in size`,
    );
  }
  return pred.data.length;
}

/** Mean absolute error. */
export function mae(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  const n = checkSize('mae', pred, target);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(pred.data[i]! - target.data[i]!);
  return n === 0 ? 0 : s / n;
}

/** Mean squared error. */
export function mse(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  const n = checkSize('mse', pred, target);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred.data[i]! - target.data[i]!;
    s += d * d;
  }
  return n === 0 ? 0 : s / n;
}

/** Coefficient of determination, `1 − SS_res / SS_tot`, over all elements. */
export function r2Score(predIn: MetricInput, targetIn: MetricInput): number {
  const pred = plain(predIn);
  const target = plain(targetIn);
  const n = checkSize('r2', pred, target);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target.data[i]!;
  mean /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const t = target.data[i]!;
    res += (t - pred.data[i]!) ** 2;
    tot += (t - mean) ** 2;
  }
  return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
}

/** Metric names `fit` understands. */
export type MetricName = 'accuracy' | 'binaryAccuracy' | 'precision' | 'recall' | 'f1' | 'mae' | 'mse' | 'r2';

/** The built-in metrics by name. */
export const METRICS: Readonly<Record<MetricName, MetricFn>> = {
  accuracy,
  binaryAccuracy: (p, t) => binaryAccuracy(p, t),
  precision,
  recall,
  f1: f1Score,
  mae,
  mse,
  r2: r2Score,
};

/** True when a larger value of the named metric is better (false for errors and losses). */
export function metricGreaterIsBetter(name: string): boolean {
  return !/loss|mae|mse|error/i.test(name);
}
