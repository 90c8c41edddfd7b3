/**
 * Perturbation-based attributions, which need no gradients: occlusion (sliding windows
 * replaced by a baseline), feature ablation (features or groups of them replaced by a
 * baseline), and permutation importance for tables (a column shuffled across rows).
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { baselineLike, checkInput, type Explained, outputsAt, type TargetOptions } from './common.js';

/** Options of {@link occlusion}. */
export interface OcclusionOptions extends TargetOptions {
  /** The window over the feature dimensions of one example (shape of x without the batch axis). */
  slidingWindowShapes: readonly number[];
  /** Step of the window along each feature dimension (default 1 everywhere, or one number for all). */
  strides?: number | readonly number[];
  /** What an occluded value becomes: 0 (default), a number, one example or a batch like x. */
  baselines?: Tensor | number;
}

/**
 * Occlusion (Zeiler and Fergus, 2014): slides a window over each example, replaces the
 * values under it with the baseline, and gives every feature the average drop
 * F(x) − F(occluded) over the windows that covered it.
 */
export function occlusion(model: Explained, x: Tensor, opts: OcclusionOptions): Tensor {
  checkInput('occlusion', x);
  const dims = x.shape.slice(1);
  const win = opts.slidingWindowShapes;
  if (win.length !== dims.length || win.some((w, d) => !Number.isInteger(w) || w < 1 || w > dims[d]!)) {
    throw new ShapeError(`occlusion: slidingWindowShapes [${win.join(', ')}] must have one size per feature dimension [${dims.join(', ')}], each from 1 to that dimension`);
  }
  const strides = typeof opts.strides === 'number' || opts.strides === undefined ? dims.map(() => (opts.strides as number | undefined) ?? 1) : [...opts.strides];
  if (strides.length !== dims.length || strides.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ArgumentError(`occlusion: strides must be positive integers, one per feature dimension [${dims.join(', ')}]`);
  }
  // Window start positions along each dimension (the last one flush with the end, as Captum).
  const starts = dims.map((size, d) => {
    const out: number[] = [];
    for (let s = 0; s + win[d]! <= size; s += strides[d]!) out.push(s);
    return out;
  });
  const masks: Uint8Array[] = [];
  const per = dims.reduce((a, b) => a * b, 1);
  const visit = (d: number, origin: number[]): void => {
    if (d === dims.length) {
      const m = new Uint8Array(per);
      const walk = (k: number, offset: number): void => {
        if (k === dims.length) {
          m[offset] = 1;
          return;
        }
        const inner = dims.slice(k + 1).reduce((a, b) => a * b, 1);
        for (let i = origin[k]!; i < origin[k]! + win[k]!; i++) walk(k + 1, offset + i * inner);
      };
      walk(0, 0);
      masks.push(m);
      return;
    }
    for (const s of starts[d]!) visit(d + 1, [...origin, s]);
  };
  visit(0, []);
  return ablate('occlusion', model, x, masks, opts, true);
}

/** Options of {@link featureAblation}. */
export interface FeatureAblationOptions extends TargetOptions {
  /**
   * Groups of features ablated together: an integer group id per feature of one example
   * (shape of x without the batch axis). Default: every feature on its own.
   */
  featureMask?: Tensor | readonly number[];
  /** What an ablated value becomes: 0 (default), a number, one example or a batch like x. */
  baselines?: Tensor | number;
}

/**
 * Feature ablation: replaces each feature (or group, by `featureMask`) with its baseline
 * and gives it the drop F(x) − F(ablated); features of one group share the group's drop.
 */
export function featureAblation(model: Explained, x: Tensor, opts: FeatureAblationOptions = {}): Tensor {
  checkInput('featureAblation', x);
  const per = x.size / x.shape[0]!;
  const ids = opts.featureMask === undefined ? Int32Array.from({ length: per }, (_, i) => i) : Array.from(opts.featureMask instanceof Tensor ? opts.featureMask.dataSync() : opts.featureMask);
  if (ids.length !== per || !ids.every((v) => Number.isInteger(v))) {
    throw new ShapeError(`featureAblation: featureMask must hold one integer group id per feature of an example (${per})`);
  }
  const groups = [...new Set(ids)].sort((a, b) => a - b);
  const masks = groups.map((gid) => Uint8Array.from(ids, (v) => (v === gid ? 1 : 0)));
  return ablate('featureAblation', model, x, masks, opts, false);
}

/** Replaces the masked features with the baseline, mask by mask; the drops go to the masked features (averaged over masks when `average`). */
function ablate(method: string, model: Explained, x: Tensor, masks: readonly Uint8Array[], opts: TargetOptions & { baselines?: Tensor | number }, average: boolean): Tensor {
  const n = x.shape[0]!;
  const per = x.size / n;
  const xs = x.dataSync();
  const base = baselineLike(method, x, opts.baselines);
  const fx = outputsAt(method, model, x, opts.target);
  const total = new Float64Array(x.size);
  const count = new Float64Array(per);
  const changed = new Float32Array(x.size);
  for (const m of masks) {
    changed.set(xs);
    for (let e = 0; e < n; e++) for (let j = 0; j < per; j++) if (m[j] === 1) changed[e * per + j] = base[e * per + j]!;
    const f = outputsAt(method, model, new Tensor(changed, x.shape), opts.target);
    for (let j = 0; j < per; j++) {
      if (m[j] !== 1) continue;
      count[j]! += 1;
      for (let e = 0; e < n; e++) total[e * per + j]! += fx[e]! - f[e]!;
    }
  }
  const out = new Float32Array(x.size);
  for (let e = 0; e < n; e++) {
    for (let j = 0; j < per; j++) out[e * per + j] = average && count[j]! > 0 ? total[e * per + j]! / count[j]! : total[e * per + j]!;
  }
  return new Tensor(out, x.shape);
}

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Shuffles per column (default 5, as scikit-learn). */
  nRepeats?: number;
  /** Where the shuffles come from (default: the global seeded generator). */
  generator?: Generator;
}

/** Per column of a table: the mean and standard deviation of the score's drop when it is shuffled. */
export interface PermutationImportance {
  /** The score on the unshuffled table. */
  baseline: number;
  /** Mean drop per column. */
  importances: Float64Array;
  /** Standard deviation of the drop per column, over the repeats. */
  std: Float64Array;
}

/**
 * Permutation importance for a table [N, F] (Breiman, 2001, as scikit-learn's
 * `permutation_importance`): how much `score(x)` (higher is better; accuracy, R², …)
 * drops when one column's values are shuffled across rows.
 *
 * @example
 * ```ts
 * const { importances } = permutationImportance(x, (t) => accuracy(model.forward(t), y));
 * ```
 */
export function permutationImportance(x: Tensor, score: (x: Tensor) => number, opts: PermutationImportanceOptions = {}): PermutationImportance {
  checkInput('permutationImportance', x);
  if (x.ndim !== 2) throw new ShapeError(`permutationImportance: the table must be [rows, columns], got shape [${x.shape.join(', ')}]`);
  const [rows, cols] = x.shape as [number, number];
  const repeats = opts.nRepeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new ArgumentError(`permutationImportance: nRepeats must be a positive integer, got ${repeats}`);
  const g = opts.generator ?? getDefaultGenerator();
  const base = score(x);
  if (!Number.isFinite(base)) throw new ArgumentError(`permutationImportance: the score of the unshuffled table is ${base}`);
  const xs = x.dataSync();
  const work = new Float32Array(xs.length);
  const importances = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      work.set(xs);
      const order = g.permutation(rows);
      for (let i = 0; i < rows; i++) work[i * cols + c] = xs[order[i]! * cols + c]!;
      drops.push(base - score(new Tensor(work, x.shape)));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    importances[c] = mean;
    std[c] = Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / repeats);
  }
  return { baseline: base, importances, std };
}
