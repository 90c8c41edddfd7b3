/**
 * Builds the playground's data set from the state: one of the library's seeded 2-D
 * generators, or an uploaded CSV (its first two numeric columns are the inputs).
 * @module
 */
import {
  blobs,
  type Column,
  circles,
  DataError,
  findIdColumn,
  getColumn,
  inferTask,
  makeTable,
  moons,
  parseCsv,
  selectRows,
  spiral,
  surface,
  type Table,
  TablePipeline,
  type TablePipelineJSON,
  takeRows,
  trainTestSplit,
  xor,
} from 'cortex-nn';
import type { Bounds, CsvUpload } from '../protocol.js';
import type { PlaygroundState, TaskChoice } from '../state.js';

/** A data set ready for training: inputs, targets and how to read them. */
export interface PlaygroundData {
  task: 'classification' | 'regression';
  classNames: string[];
  featureNames: [string, string];
  targetName: string;
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
  bounds: Bounds;
  yMin: number;
  yMax: number;
  /** Numeric and categorical columns of an uploaded CSV (target candidates). */
  csvColumns: string[];
  /** Whether the target allows both tasks (a CSV column of a few whole numbers). */
  taskSwitch: boolean;
  /** An uploaded CSV's id column (not an input; predictions carry it), if any. */
  idColumn: string | null;
  /** How raw rows become model inputs and targets (stored in exported model files). */
  preprocessing: Preprocessing;
}

/** Regression targets are modelled as `(y − mean) / scale`. */
export interface TargetScaling {
  mean: number;
  scale: number;
}

/** The preprocessing record of a model file, as `cortex train` writes it. */
export interface Preprocessing {
  /** The fitted `TablePipeline` (its feature columns are the model's inputs). */
  pipeline: TablePipelineJSON;
  targetScaling: TargetScaling | null;
}

interface RawSet {
  table: Table;
  idColumn?: string | null;
  task: 'classification' | 'regression';
  featureNames: [string, string];
  targetName: string;
  csvColumns: string[];
  taskSwitch?: boolean;
}

/** Most classes a numeric target may have to be offered as classification. */
const MAX_SWITCH_CLASSES = 20;

/** Whether a numeric column could be classes too: whole numbers, 2 to 20 of them. */
function wholeNumbers(c: Column): boolean {
  if (c.type !== 'numeric') return false;
  const seen = new Set<number>();
  for (const v of c.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return false;
    seen.add(v);
    if (seen.size > MAX_SWITCH_CLASSES) return false;
  }
  return seen.size >= 2;
}

function classSet(set: { x: Float32Array; y: Int32Array; n: number }): RawSet {
  const x1 = new Float64Array(set.n);
  const x2 = new Float64Array(set.n);
  for (let i = 0; i < set.n; i++) {
    x1[i] = set.x[2 * i]!;
    x2[i] = set.x[2 * i + 1]!;
  }
  const label = Array.from(set.y, String);
  const table = makeTable({ x1, x2, label }, { source: 'generated', target: 'label' });
  return { table, task: 'classification', featureNames: ['x1', 'x2'], targetName: 'label', csvColumns: [] };
}

function generated(s: PlaygroundState): RawSet {
  const common = { n: s.points, seed: s.seed };
  switch (s.dataset) {
    case 'xor':
      return classSet(xor({ ...common, noise: s.noise * 0.5 }));
    case 'moons':
      return classSet(moons({ ...common, noise: s.noise * 0.6 }));
    case 'circles':
      return classSet(circles({ ...common, noise: s.noise * 0.4 }));
    case 'blobs':
      return classSet(blobs({ ...common, classes: 3, box: 1, noise: 0.08 + s.noise * 0.6 }));
    case 'surface': {
      const r = surface({ ...common, noise: s.noise * 0.4, kind: 'wave' });
      const x1 = Float64Array.from({ length: r.n }, (_, i) => r.x[2 * i]!);
      const x2 = Float64Array.from({ length: r.n }, (_, i) => r.x[2 * i + 1]!);
      const table = makeTable({ x1, x2, y: Float64Array.from(r.y) }, { source: 'generated', target: 'y' });
      return { table, task: 'regression', featureNames: ['x1', 'x2'], targetName: 'y', csvColumns: [] };
    }
    default:
      return classSet(spiral({ ...common, classes: 3, noise: s.noise * 2 }));
  }
}

/** Picks the target column: the requested one, else the last column that is not an input. */
function targetColumn(columns: readonly Column[], inputs: readonly Column[], wanted: string): Column {
  const named = columns.find((c) => c.name === wanted && !inputs.includes(c));
  if (named) return named;
  const rest = columns.filter((c) => !inputs.includes(c));
  const last = rest[rest.length - 1];
  if (!last) throw new DataError('CSV: needs a third column to use as the target (two numeric inputs plus a target)');
  return last;
}

function fromCsv(upload: CsvUpload, wanted: string, task: TaskChoice): RawSet {
  const table = parseCsv(upload.text, { source: upload.name });
  const id = findIdColumn(table);
  const usable = table.columns.filter((c) => c !== id);
  const numeric = usable.filter((c) => c.type === 'numeric');
  const [a, b] = numeric;
  if (!a || !b) throw new DataError(`${upload.name}: needs at least two numeric columns to plot, found ${numeric.length}`);
  const target = targetColumn(usable, [a, b], wanted);
  const taskSwitch = wholeNumbers(target);
  return {
    table,
    task: taskSwitch && task !== 'auto' ? task : inferTask(target, table.rows),
    taskSwitch,
    featureNames: [a.name, b.name],
    targetName: target.name,
    csvColumns: usable.filter((c) => c !== a && c !== b).map((c) => c.name),
    idColumn: id?.name ?? null,
  };
}

function extent(x: Float32Array, offset: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < x.length; i += 2) {
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  const pad = Math.max((hi - lo) * 0.08, 1e-3);
  return [lo - pad, hi + pad];
}

function labelsOf(c: Column): string[] {
  return c.type === 'categorical' ? c.values.map((v) => v ?? '') : Array.from(c.values, String);
}

function numericValues(table: Table, name: string): Float64Array {
  const c = getColumn(table, name);
  if (c.type !== 'numeric') throw new DataError(`${table.source}: the input '${name}' is not numeric`);
  return c.values;
}

/**
 * Makes the data set for a state (and an uploaded CSV, when the data set is `csv`). The
 * rows are split first; the library's `TablePipeline` is then fitted on the training rows
 * only, as `cortex train` does. Generated sets are used as they are; CSV inputs are
 * standardised, and a CSV regression target is scaled to mean 0 and standard deviation 1.
 */
export function buildData(s: PlaygroundState, csv: CsvUpload | null): PlaygroundData {
  if (s.dataset === 'csv' && csv === null) throw new DataError('CSV: choose a file first');
  const fromFile = s.dataset === 'csv' && csv !== null;
  const raw = fromFile ? fromCsv(csv, s.target, s.task) : generated(s);
  const { table } = raw;
  const n = table.rows;
  if (n < 4) throw new DataError(`${table.source}: needs at least 4 rows, found ${n}`);
  const classification = raw.task === 'classification';
  const split = trainTestSplit(n, {
    testSize: Math.min(Math.max(1 - s.trainRatio, 1 / n), 1 - 1 / n),
    seed: s.seed,
    ...(classification ? { stratify: labelsOf(getColumn(table, raw.targetName)) } : {}),
  });
  const pipeline = new TablePipeline({
    target: raw.targetName,
    features: raw.featureNames,
    numeric: fromFile ? 'standard' : 'none',
    task: raw.task,
    onWarning: () => {},
  }).fit(selectRows(table, split.train));
  const enc = pipeline.transform(table);
  if (enc.y === null) throw new DataError(`${table.source}: the target '${raw.targetName}' is missing`);
  const y = Float32Array.from(enc.y);
  const classNames = classification ? (pipeline.classes ?? []).map(String) : [];
  if (classification && classNames.length < 2) {
    throw new DataError(`${table.source}: the target '${raw.targetName}' has only one class in the training rows`);
  }
  const a = numericValues(table, raw.featureNames[0]);
  const b = numericValues(table, raw.featureNames[1]);
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    x[2 * i] = a[i]!;
    x[2 * i + 1] = b[i]!;
  }
  const trainY = takeRows(y, 1, split.train);
  let targetScaling: TargetScaling | null = null;
  if (!classification && fromFile) {
    let mean = 0;
    for (const v of trainY) mean += v;
    mean /= trainY.length;
    let sq = 0;
    for (const v of trainY) sq += (v - mean) ** 2;
    targetScaling = { mean, scale: Math.sqrt(sq / trainY.length) || 1 };
  }
  const [x0, x1] = extent(x, 0);
  const [y0, y1] = extent(x, 1);
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const v of y) {
    yMin = Math.min(yMin, v);
    yMax = Math.max(yMax, v);
  }
  return {
    task: raw.task,
    classNames,
    featureNames: raw.featureNames,
    targetName: raw.targetName,
    trainX: takeRows(x, 2, split.train),
    trainY,
    testX: takeRows(x, 2, split.test),
    testY: takeRows(y, 1, split.test),
    bounds: { x0, x1, y0, y1 },
    yMin,
    yMax,
    csvColumns: raw.csvColumns,
    taskSwitch: raw.taskSwitch ?? false,
    idColumn: raw.idColumn ?? null,
    preprocessing: { pipeline: pipeline.toJSON(), targetScaling },
  };
}

/** Fills a `side × side` grid of input points covering `bounds` (row 0 at the top). */
export function gridInputs(bounds: Bounds, side: number): Float32Array {
  const out = new Float32Array(side * side * 2);
  for (let r = 0; r < side; r++) {
    const y = bounds.y1 - ((r + 0.5) / side) * (bounds.y1 - bounds.y0);
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      out[2 * i] = bounds.x0 + ((c + 0.5) / side) * (bounds.x1 - bounds.x0);
      out[2 * i + 1] = y;
    }
  }
  return out;
}
