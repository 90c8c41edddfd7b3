/**
 * Builds the playground's data set from the state: one of the library's seeded 2-D
 * generators, or an uploaded CSV (its first two numeric columns are the inputs).
 * @module
 */
import { blobs, circles, moons, spiral, surface, xor } from '../../../src/data/generators.js';
import { parseCsv } from '../../../src/data/csv.js';
import { takeRows, trainTestSplit } from '../../../src/data/split.js';
import type { Column, NumericColumn } from '../../../src/data/table.js';
import { DataError } from '../../../src/errors.js';
import type { Bounds, CsvUpload } from '../protocol.js';
import type { PlaygroundState } from '../state.js';

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
}

interface RawSet {
  task: 'classification' | 'regression';
  x: Float32Array;
  y: Float32Array;
  n: number;
  classNames: string[];
  featureNames: [string, string];
  targetName: string;
  csvColumns: string[];
}

function classSet(set: { x: Float32Array; y: Int32Array; n: number; classes: number }): RawSet {
  return {
    task: 'classification',
    x: set.x,
    y: Float32Array.from(set.y),
    n: set.n,
    classNames: Array.from({ length: set.classes }, (_, i) => `class ${i}`),
    featureNames: ['x1', 'x2'],
    targetName: 'label',
    csvColumns: [],
  };
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
      return { task: 'regression', ...r, classNames: [], featureNames: ['x1', 'x2'], targetName: 'y', csvColumns: [] };
    }
    default:
      return classSet(spiral({ ...common, classes: 3, noise: s.noise * 2 }));
  }
}

function missingFree(c: NumericColumn, rows: number): boolean {
  for (let i = 0; i < rows; i++) if (Number.isNaN(c.values[i]!)) return false;
  return true;
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

function fromCsv(upload: CsvUpload, wanted: string): RawSet {
  const table = parseCsv(upload.text, { source: upload.name });
  const numeric = table.columns.filter((c): c is NumericColumn => c.type === 'numeric');
  const inputs = numeric.slice(0, 2);
  const [a, b] = inputs;
  if (!a || !b) throw new DataError(`${upload.name}: needs at least two numeric columns to plot, found ${numeric.length}`);
  if (!missingFree(a, table.rows) || !missingFree(b, table.rows)) {
    throw new DataError(`${upload.name}: the input columns '${a.name}' and '${b.name}' must have no missing values`);
  }
  const target = targetColumn(table.columns, inputs, wanted);
  const targetName = target.name;
  const n = table.rows;
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    x[2 * i] = a.values[i]!;
    x[2 * i + 1] = b.values[i]!;
  }
  const base = {
    x,
    n,
    featureNames: [a.name, b.name] as [string, string],
    targetName,
    csvColumns: table.columns.filter((c) => c !== a && c !== b).map((c) => c.name),
  };
  const labels: string[] = [];
  if (target.type === 'categorical') {
    for (const v of target.values) labels.push(v ?? '');
  } else {
    const distinct = new Set(target.values);
    const integral = [...distinct].every((v) => Number.isInteger(v));
    if (!(integral && distinct.size <= 10)) {
      if (!missingFree(target, n)) throw new DataError(`${upload.name}: the target '${target.name}' has missing values`);
      return { task: 'regression', ...base, y: Float32Array.from(target.values), classNames: [] };
    }
    for (const v of target.values) labels.push(String(v));
  }
  const classNames = [...new Set(labels)].sort((p, q) => p.localeCompare(q, undefined, { numeric: true }));
  if (classNames.length < 2) throw new DataError(`${upload.name}: the target '${target.name}' has only one class`);
  const ids = new Map(classNames.map((c, i) => [c, i]));
  const y = Float32Array.from(labels, (l) => ids.get(l)!);
  return { task: 'classification', ...base, y, classNames };
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

/** Makes the data set for a state (and an uploaded CSV, when the data set is `csv`). */
export function buildData(s: PlaygroundState, csv: CsvUpload | null): PlaygroundData {
  if (s.dataset === 'csv' && csv === null) throw new DataError('CSV: choose a file first');
  const raw = s.dataset === 'csv' && csv !== null ? fromCsv(csv, s.target) : generated(s);
  const split = trainTestSplit(raw.n, {
    testSize: Math.min(Math.max(1 - s.trainRatio, 1 / raw.n), 1 - 1 / raw.n),
    seed: s.seed,
    ...(raw.task === 'classification' ? { stratify: raw.y } : {}),
  });
  const [x0, x1] = extent(raw.x, 0);
  const [y0, y1] = extent(raw.x, 1);
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const v of raw.y) {
    yMin = Math.min(yMin, v);
    yMax = Math.max(yMax, v);
  }
  return {
    task: raw.task,
    classNames: raw.classNames,
    featureNames: raw.featureNames,
    targetName: raw.targetName,
    trainX: takeRows(raw.x, 2, split.train),
    trainY: takeRows(raw.y, 1, split.train),
    testX: takeRows(raw.x, 2, split.test),
    testY: takeRows(raw.y, 1, split.test),
    bounds: { x0, x1, y0, y1 },
    yMin,
    yMax,
    csvColumns: raw.csvColumns,
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
