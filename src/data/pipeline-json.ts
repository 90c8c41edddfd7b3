/**
 * Reads the JSON form of a fitted {@link TablePipeline} from untrusted input (a
 * model file, say): every field is checked, and a malformed one is reported by
 * its path, for example `scaler.mean[3] must be a number, got "x"`.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { SimpleImputerJSON } from './imputer.js';
import type { LabelEncoderJSON, OneHotEncoderJSON } from './encoders.js';
import type { TablePipelineJSON } from './pipeline.js';
import type { MinMaxScalerJSON, StandardScalerJSON } from './scalers.js';

type Fields = Record<string, unknown>;

function bad(path: string, what: string, got: unknown): ArgumentError {
  const shown = JSON.stringify(got);
  return new ArgumentError(`TablePipeline.fromJSON: ${path} must be ${what}, got ${shown === undefined ? 'nothing' : shown.slice(0, 60)}`);
}

function object(v: unknown, path: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(path, 'an object', v);
  return v as Fields;
}

function list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v)) throw bad(path, 'a list', v);
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw bad(path, 'a string', v);
  return v;
}

// JSON writes NaN and ±Infinity as null; a fitted statistic is finite.
function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(path, 'a finite number', v);
  return v;
}

function label(v: unknown, path: string): string | number {
  if (typeof v === 'string') return v;
  return num(v, path);
}

function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw bad(path, `one of ${options.join(', ')}`, v);
  return v as T;
}

function tagged(v: unknown, path: string, type: string): Fields {
  const o = object(v, path);
  if (o.type !== type) throw bad(`${path}.type`, `"${type}"`, o.type);
  return o;
}

function orNull<T>(v: unknown, read: (x: unknown) => T): T | null {
  return v === null || v === undefined ? null : read(v);
}

function imputer(v: unknown, path: string): SimpleImputerJSON {
  const o = tagged(v, path, 'SimpleImputer');
  return {
    type: 'SimpleImputer',
    strategy: oneOf(o.strategy, `${path}.strategy`, ['mean', 'median', 'most_frequent', 'constant'] as const),
    statistics: list(o.statistics, `${path}.statistics`, label),
  };
}

function scaler(v: unknown, path: string): StandardScalerJSON | MinMaxScalerJSON {
  const o = object(v, path);
  if (o.type === 'MinMaxScaler') {
    const range = list(o.range, `${path}.range`, num);
    if (range.length !== 2) throw bad(`${path}.range`, 'a pair [low, high]', o.range);
    if (!(range[0]! < range[1]!)) throw bad(`${path}.range`, 'a pair [low, high] with low < high', o.range);
    const dataMin = list(o.dataMin, `${path}.dataMin`, num);
    const dataMax = list(o.dataMax, `${path}.dataMax`, num);
    if (dataMin.length === 0 || dataMax.length !== dataMin.length) {
      throw bad(`${path}.dataMax`, `as many values as ${path}.dataMin (${dataMin.length}, at least one)`, o.dataMax);
    }
    dataMin.forEach((lo, j) => {
      if (!(dataMax[j]! >= lo)) throw bad(`${path}.dataMax[${j}]`, `a number >= dataMin[${j}] (${lo})`, dataMax[j]);
    });
    return { type: 'MinMaxScaler', range: [range[0]!, range[1]!], dataMin, dataMax };
  }
  tagged(v, path, 'StandardScaler');
  const mean = list(o.mean, `${path}.mean`, num);
  const scale = list(o.scale, `${path}.scale`, num);
  if (mean.length === 0 || scale.length !== mean.length) {
    throw bad(`${path}.scale`, `as many values as ${path}.mean (${mean.length}, at least one)`, o.scale);
  }
  // A fitted scale is a standard deviation, or 1 for a constant column: dividing by
  // anything smaller than this would blow ordinary values up to infinity in float32.
  scale.forEach((x, j) => {
    if (!(x >= MIN_SCALE)) throw bad(`${path}.scale[${j}]`, `a number >= ${MIN_SCALE}`, x);
  });
  return { type: 'StandardScaler', mean, scale };
}

/** The smallest standard deviation a stored StandardScaler may divide by. */
const MIN_SCALE = 1e-12;

function oneHot(v: unknown, path: string): OneHotEncoderJSON {
  const o = tagged(v, path, 'OneHotEncoder');
  return {
    type: 'OneHotEncoder',
    categories: list(o.categories, `${path}.categories`, (c, p) => list(c, p, label)),
    handleUnknown: oneOf(o.handleUnknown, `${path}.handleUnknown`, ['error', 'ignore'] as const),
  };
}

function labels(v: unknown, path: string): LabelEncoderJSON {
  const o = tagged(v, path, 'LabelEncoder');
  return { type: 'LabelEncoder', classes: list(o.classes, `${path}.classes`, label) };
}

/** Checks `value` field by field and returns it as a {@link TablePipelineJSON}; throws an `ArgumentError` naming the first bad field. */
export function readTablePipelineJSON(value: unknown): TablePipelineJSON {
  const o = object(value, 'the pipeline');
  if (o.type !== 'TablePipeline' || o.version !== 1) {
    throw new ArgumentError(`TablePipeline.fromJSON: expected a version 1 TablePipeline, got ${JSON.stringify({ type: o.type, version: o.version })}`);
  }
  const t = orNull(o.target, (x) => object(x, 'target'));
  return {
    type: 'TablePipeline',
    version: 1,
    numeric: list(o.numeric, 'numeric', str),
    categorical: list(o.categorical, 'categorical', str),
    numericImputer: orNull(o.numericImputer, (x) => imputer(x, 'numericImputer')),
    scaler: orNull(o.scaler, (x) => scaler(x, 'scaler')),
    categoricalImputer: orNull(o.categoricalImputer, (x) => imputer(x, 'categoricalImputer')),
    encoder: orNull(o.encoder, (x) => oneHot(x, 'encoder')),
    target:
      t === null
        ? null
        : {
            name: str(t.name, 'target.name'),
            type: oneOf(t.type, 'target.type', ['numeric', 'categorical'] as const),
            task: oneOf(t.task, 'target.task', ['classification', 'regression'] as const),
            encoder: orNull(t.encoder, (x) => labels(x, 'target.encoder')),
          },
    warnings: list(o.warnings ?? [], 'warnings', str),
  };
}
