/**
 * Metrics for the `cortex` command, accumulated chunk by chunk so a file of any size can
 * be evaluated in bounded memory, and the tables that print them. The definitions match
 * `src/train/metrics.ts`: macro averages over the classes present, R² = 1 − SSres/SStot.
 * @module
 */
import { macroScores } from '../train/metrics.js';
import type { Colours } from './style.js';

/** Classification results. */
export type ClassificationMetrics = {
  /** Rows scored. */
  rows: number;
  /** Fraction of rows whose highest-scoring class is the true one. */
  accuracy: number;
  /** Macro-averaged precision. */
  precision: number;
  /** Macro-averaged recall. */
  recall: number;
  /** Macro-averaged F1. */
  f1: number;
  /** `confusion[true][predicted]`, classes in model output order. */
  confusion: number[][];
};

/** Regression results, in the target's own units. */
export type RegressionMetrics = {
  /** Rows scored. */
  rows: number;
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error. */
  rmse: number;
  /** Coefficient of determination. */
  r2: number;
};

/** Metrics of either task. */
export type Metrics = ClassificationMetrics | RegressionMetrics;

/** The index of the largest of `k` scores starting at `off` (the first one on ties). */
export function argmaxRow(scores: ArrayLike<number>, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (scores[off + j]! > scores[off + best]!) best = j;
  return best;
}

/** Accumulates a confusion matrix from logits and class ids. */
export class ClassificationTally {
  /** `confusion[true][predicted]` so far. */
  readonly confusion: number[][];
  private rows = 0;
  /** @param k - the number of classes. */
  constructor(readonly k: number) {
    this.confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  }

  /** Adds `n` rows of `k` scores and their true class ids. */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) this.confusion[labels[i]!]![argmaxRow(scores, i * this.k, this.k)]!++;
    this.rows += n;
  }

  /** The metrics of everything added so far. */
  result(): ClassificationMetrics {
    const m = this.confusion;
    let hits = 0;
    for (let c = 0; c < this.k; c++) hits += m[c]![c]!;
    return {
      rows: this.rows,
      accuracy: this.rows === 0 ? 0 : hits / this.rows,
      ...macroScores(m),
      confusion: m.map((row) => [...row]),
    };
  }
}

/** Accumulates MAE, RMSE and R² (Welford's update for the target variance). */
export class RegressionTally {
  private n = 0;
  private absSum = 0;
  private sqSum = 0;
  private mean = 0;
  private m2 = 0;

  /** Adds predictions and targets, in the target's units. */
  add(pred: ArrayLike<number>, target: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      const t = target[i]!;
      const d = t - pred[i]!;
      this.absSum += Math.abs(d);
      this.sqSum += d * d;
      this.n++;
      const delta = t - this.mean;
      this.mean += delta / this.n;
      this.m2 += delta * (t - this.mean);
    }
  }

  /** The metrics of everything added so far. */
  result(): RegressionMetrics {
    const n = this.n;
    const r2 = this.m2 === 0 ? (this.sqSum === 0 ? 1 : 0) : 1 - this.sqSum / this.m2;
    return { rows: n, mae: n === 0 ? 0 : this.absSum / n, rmse: n === 0 ? 0 : Math.sqrt(this.sqSum / n), r2 };
  }
}

/**
 * `v` as {@link Metrics} when it has exactly their form (as `cortex train` writes them into
 * a model file), else null. Model files come from anywhere: a value that only looks like
 * metrics must not reach {@link metricsTable}, which formats every field as a number.
 */
export function asMetrics(v: unknown): Metrics | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const numbers = (keys: string[]): boolean => keys.every((k) => typeof o[k] === 'number');
  if (numbers(['rows', 'accuracy', 'precision', 'recall', 'f1'])) {
    const c = o.confusion;
    const square = Array.isArray(c) && c.every((r) => Array.isArray(r) && r.length === c.length && r.every((x) => typeof x === 'number'));
    return square ? (o as ClassificationMetrics) : null;
  }
  return numbers(['rows', 'mae', 'rmse', 'r2']) ? (o as RegressionMetrics) : null;
}

/** True for classification metrics. */
export function isClassification(m: Metrics): m is ClassificationMetrics {
  return 'accuracy' in m;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(4);
}

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
}

/** A table with one column per data split (`validation`, `test`...) and one row per metric. */
export function metricsTable(splits: [string, Metrics][], c: Colours): string {
  const first = splits[0]?.[1];
  if (!first) return '';
  const rows: [string, (m: Metrics) => string][] = isClassification(first)
    ? [
        ['accuracy', (m) => fmt((m as ClassificationMetrics).accuracy)],
        ['macro F1', (m) => fmt((m as ClassificationMetrics).f1)],
        ['macro precision', (m) => fmt((m as ClassificationMetrics).precision)],
        ['macro recall', (m) => fmt((m as ClassificationMetrics).recall)],
        ['rows', (m) => String(m.rows)],
      ]
    : [
        ['MAE', (m) => fmt((m as RegressionMetrics).mae)],
        ['RMSE', (m) => fmt((m as RegressionMetrics).rmse)],
        ['R²', (m) => fmt((m as RegressionMetrics).r2)],
        ['rows', (m) => String(m.rows)],
      ];
  const head = ['metric', ...splits.map(([name]) => name)];
  const body = rows.map(([name, f]) => [name, ...splits.map(([, m]) => f(m))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = head.map((_, i) => i > 0);
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [c.bold(pad(head, widths, right)), c.dim(rule), ...body.map((b) => pad(b, widths, right))].join('\n');
}

/** A confusion matrix with class names: rows are true classes, columns predicted ones. */
export function confusionTable(confusion: number[][], classes: readonly string[], c: Colours): string {
  const names = classes.map((s) => (s.length > 14 ? `${s.slice(0, 13)}…` : s));
  const head = ['true \\ predicted', ...names];
  const body = confusion.map((row, i) => [names[i] ?? String(i), ...row.map(String)]);
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j]!.length)));
  const right = head.map((_, j) => j > 0);
  const lines = body.map((b, i) => {
    const cells = b.map((cell, j) => {
      const text = j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!);
      if (j === 0) return text;
      if (j - 1 === i) return c.green(text);
      return cell === '0' ? c.dim(text) : c.red(text);
    });
    return cells.join('  ');
  });
  return [c.bold(pad(head, widths, right)), ...lines].join('\n');
}
