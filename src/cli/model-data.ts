/**
 * What `train`, `evaluate` and `predict` share: deciding the task, finding an id column,
 * the preprocessing stored in a model file (the fitted table pipeline plus the target
 * scaling for regression), checking a CSV's columns against a model, and turning model
 * outputs into labels, probabilities or values.
 * @module
 */
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { Tensor } from '../autograd/tensor.js';
import { noGrad } from '../autograd/engine.js';
import { TablePipeline, type TablePipelineJSON } from '../data/pipeline.js';
import { getColumn, type Table } from '../data/table.js';
import { findIdColumn as findIdColumnOf, inferTask as inferTaskOf, type Task } from '../data/task.js';
import { dataError, list } from '../data/where.js';
import { ModelFormatError } from '../errors.js';
import type { DataSchema, SavedModel } from '../io/model-file.js';
import type { JsonValue } from '../io/registry.js';
import type { Module } from '../nn/module.js';
import { checkFile } from '../data/node/csv-file.js';
import { UsageError } from './errors.js';
import { ClassificationTally, RegressionTally } from './metrics.js';

/** The learning task. */
export type { Task } from '../data/task.js';

/** The preprocessing a CLI model file stores: the table pipeline and the target scaling. */
export interface Preprocessing {
  pipeline: TablePipelineJSON;
  /** Regression only: the model predicts `(y − mean) / scale`. */
  targetScaling: { mean: number; scale: number } | null;
}

/** A model with everything needed to apply it to a CSV. */
export interface Applicable {
  model: Module;
  pipeline: TablePipeline;
  schema: DataSchema;
  targetScaling: { mean: number; scale: number } | null;
  classes: string[];
  saved: SavedModel;
}

/** Decides the task from the target column; see {@link inferTaskOf}. */
export function inferTask(table: Table, target: string): Task {
  return inferTaskOf(getColumn(table, target, 'target column'), table.rows);
}

/**
 * The id column: the one named with `--id`, or else a column called `id` (any case) or
 * ending in `_id`, whose values are all different. It is not used as a feature; predictions
 * carry it through.
 */
export function findIdColumn(table: Table, target: string, explicit?: string): string | null {
  if (explicit !== undefined) {
    if (explicit === target) throw new UsageError(`--id ${explicit}: the id column cannot be the target`);
    getColumn(table, explicit, 'id column');
    return explicit;
  }
  return findIdColumnOf(table, target)?.name ?? null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The stored pipeline with categories not seen in training encoded as all zeros, whatever
 * the model was saved with: the commands count such rows and warn once instead of failing.
 */
function ignoringUnseen(pipeline: Record<string, unknown>): Record<string, unknown> {
  return isObject(pipeline.encoder) ? { ...pipeline, encoder: { ...pipeline.encoder, handleUnknown: 'ignore' } } : pipeline;
}

/** Rebuilds the preprocessing and schema of a model saved by `cortex train`. */
export function applicable(saved: SavedModel, source: string): Applicable {
  const fail = (what: string) => new ModelFormatError(`${source}: ${what}`);
  const schema = saved.schema;
  if (!schema) throw fail('the model has no input schema; it was not saved by `cortex train`');
  const target: unknown = schema.target;
  if (schema.task !== 'classification' && schema.task !== 'regression') throw fail(`the schema's task ${JSON.stringify(schema.task)} is not classification or regression`);
  if (!isObject(target) || typeof target.name !== 'string') throw fail('the schema has no target column name');
  if (target.classes !== undefined && !(Array.isArray(target.classes) && target.classes.every((c) => typeof c === 'string'))) {
    throw fail('the schema\'s class names are not a list of strings');
  }
  if (schema.idColumn !== undefined && schema.idColumn !== null && typeof schema.idColumn !== 'string') throw fail('the schema\'s id column is not a string');
  const pre = saved.preprocessing;
  if (!isObject(pre) || !isObject(pre.pipeline)) throw fail('the model has no preprocessing; it was not saved by `cortex train`');
  let pipeline: TablePipeline;
  try {
    pipeline = TablePipeline.fromJSON(ignoringUnseen(pre.pipeline));
  } catch (e) {
    throw fail(`the stored preprocessing is invalid (${e instanceof Error ? e.message : String(e)})`);
  }
  const ts = pre.targetScaling;
  let targetScaling: Applicable['targetScaling'] = null;
  if (ts !== null && ts !== undefined) {
    if (!isObject(ts) || typeof ts.mean !== 'number' || typeof ts.scale !== 'number' || !(ts.scale > 0)) {
      throw fail('the stored target scaling is invalid');
    }
    targetScaling = { mean: ts.mean, scale: ts.scale };
  }
  const classes = (schema.target.classes ?? []).map(String);
  if (schema.task === 'classification' && classes.length < 2) throw fail('the schema lists fewer than two classes');
  if (schema.task === 'regression' && targetScaling === null) throw fail('a regression model needs its target scaling');
  let width: number;
  let pipeClasses: string[] | null;
  try {
    width = pipeline.width;
    pipeClasses = pipeline.classes?.map(String) ?? null;
  } catch (e) {
    throw fail(`the stored preprocessing is invalid (${e instanceof Error ? e.message : String(e)})`);
  }
  const io = ioWidths(saved.model);
  if (io.inputs !== null && io.inputs !== width) {
    throw fail(`the preprocessing produces ${width} features but the model's first layer takes ${io.inputs}`);
  }
  const outputs = schema.task === 'classification' ? classes.length : 1;
  if (io.outputs !== null && io.outputs !== outputs) {
    throw fail(`the model has ${io.outputs} outputs but the schema needs ${outputs} (${schema.task === 'classification' ? `one per class` : 'one value'})`);
  }
  if (schema.task === 'classification' && (pipeClasses === null || pipeClasses.join('\u0000') !== classes.join('\u0000'))) {
    throw fail('the class names of the schema and of the preprocessing differ');
  }
  probe(saved.model, width, outputs, fail);
  return { model: saved.model, pipeline, schema, targetScaling, classes, saved };
}

/**
 * Runs the model once on three ordinary encoded rows (all 0, all +1, all −1) and checks
 * that it gives `outputs` finite values per row. Layer settings a file can hold but no
 * trained model has (a softmax over dimension 99, weights near the float32 limit, a slope
 * of 1e300) fail here, when the file is read, instead of as NaN predictions later.
 */
function probe(model: Module, width: number, outputs: number, fail: (what: string) => ModelFormatError): void {
  const rows = 3;
  const x = new Float32Array(rows * width);
  x.fill(1, width, 2 * width);
  x.fill(-1, 2 * width);
  let y: Float32Array;
  try {
    y = forward(model, x, rows, width);
  } catch (e) {
    throw fail(`the model does not run on ${width} input features (${e instanceof Error ? e.message : String(e)}); its layer settings are corrupt`);
  }
  if (y.length !== rows * outputs) throw fail(`the model gives ${y.length / rows} values per row, but the schema needs ${outputs}`);
  const i = y.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw fail(`the model gives a non-finite output (${y[i]}) for an ordinary input row; its weights or layer settings are corrupt`);
  }
}

/** The `inFeatures` of the first and the `outFeatures` of the last layer that have them. */
function ioWidths(model: Module): { inputs: number | null; outputs: number | null } {
  let inputs: number | null = null;
  let outputs: number | null = null;
  for (const [, m] of model.namedModules()) {
    if ('inFeatures' in m && typeof m.inFeatures === 'number' && inputs === null) inputs = m.inFeatures;
    if ('outFeatures' in m && typeof m.outFeatures === 'number') outputs = m.outFeatures;
  }
  return { inputs, outputs };
}

/** Packs the preprocessing for the model file. */
export function preprocessingJson(pipeline: TablePipeline, targetScaling: Preprocessing['targetScaling']): JsonValue {
  return { pipeline: pipeline.toJSON(), targetScaling };
}

/** Reads the header row of a CSV file (the first record), without reading the rest. */
export async function readHeader(path: string, delimiter = ','): Promise<string[]> {
  await checkFile(path);
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    let text = '';
    let pos = 0;
    for (;;) {
      const { bytesRead } = await f.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      text += buf.toString('utf8', 0, bytesRead);
      if (text.includes('\n') || pos > 1 << 22) break;
    }
    const line = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
    if (line.trim() === '') {
      throw dataError({ file: path, row: 1, what: 'the file is empty (no header row)', fix: 'Give a CSV with a header row naming the columns' });
    }
    const rec = parse(line, { trim: true, relax_column_count: true, delimiter }) as string[][];
    return rec[0] ?? [];
  } finally {
    await f.close();
  }
}

/**
 * Checks that a CSV has every column the model needs (and the target, for evaluation),
 * naming all missing columns at once.
 */
export function checkColumns(path: string, header: readonly string[], needed: readonly string[], role: string): void {
  const missing = needed.filter((n) => !header.includes(n));
  if (missing.length === 0) return;
  throw dataError({
    file: path,
    row: 1,
    column: missing[0]!,
    what: `the model needs ${role} ${list(missing)}, which ${missing.length === 1 ? 'is' : 'are'} not in the header (the file has: ${list(header)})`,
    fix: 'Use a CSV with the same columns as the training data',
  });
}

/** Runs the model on encoded features, without gradients, in evaluation mode. */
export function forward(model: Module, x: Float32Array, rows: number, cols: number): Float32Array {
  model.eval();
  if (rows === 0) return new Float32Array(0);
  const out = noGrad(() => model.forward(new Tensor(x, [rows, cols])));
  const values = out.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** Softmax of each row of `k` logits, in float64. */
export function softmaxRows(logits: ArrayLike<number>, rows: number, k: number): Float64Array {
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) m = Math.max(m, logits[i * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[i * k + j]! - m);
      out[i * k + j] = e;
      s += e;
    }
    for (let j = 0; j < k; j++) out[i * k + j]! /= s;
  }
  return out;
}

/** Regression outputs in the target's units. */
export function unscale(out: ArrayLike<number>, ts: Applicable['targetScaling']): Float64Array {
  const y = Float64Array.from(out);
  if (ts) for (let i = 0; i < y.length; i++) y[i] = y[i]! * ts.scale + ts.mean;
  return y;
}

/** A tally for the model's task. */
export function newTally(a: { schema: DataSchema; classes: string[] }): ClassificationTally | RegressionTally {
  return a.schema.task === 'classification' ? new ClassificationTally(a.classes.length) : new RegressionTally();
}

/** Scores one encoded chunk (with its target) into a tally. */
export function scoreChunk(
  a: Pick<Applicable, 'model' | 'targetScaling' | 'classes'>,
  tally: ClassificationTally | RegressionTally,
  enc: { x: Float32Array; rows: number; cols: number; y: Int32Array | Float32Array | null },
): void {
  if (enc.y === null) return;
  const out = forward(a.model, enc.x, enc.rows, enc.cols);
  if (tally instanceof ClassificationTally) tally.add(out, enc.y, enc.rows);
  else tally.add(unscale(out, a.targetScaling), enc.y, enc.rows);
}
