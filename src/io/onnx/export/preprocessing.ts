/**
 * Exporting a model together with its fitted table preprocessing (`TablePipeline`, as
 * `cortex train` stores it), so that the `.onnx` file takes the raw feature columns:
 * one input per column, named after it; numeric columns imputed (NaN → the fitted fill
 * value) and scaled; categorical columns (strings) one-hot encoded; then the model, and
 * class probabilities and labels (classification) or values in the target's units
 * (regression) as outputs.
 * @module
 */
import { zeros } from '../../../ops/index.js';
import { DEFAULT_MISSING } from '../../../data/cells.js';
import type { TablePipelineJSON } from '../../../data/pipeline.js';
import { OnnxError } from '../../../errors.js';
import type { Module } from '../../../nn/module.js';
import { encodeModelProto, type ModelProto } from '../proto.js';
import { emitModule } from './export.js';
import { GraphBuilder, intAttr, intsAttr, ONNX_ML_OPSET, stringsAttr, type ValueType } from './graph.js';

/** Options of {@link exportTableModelOnnx}. */
export interface TableOnnxOptions {
  /** The fitted pipeline, as `TablePipeline.toJSON()` gives it. */
  pipeline: TablePipelineJSON;
  /** Regression: the model predicts `(y − mean) / scale`; the export undoes it. */
  targetScaling?: { mean: number; scale: number } | null;
  /** Default: the pipeline's target task. */
  task?: 'classification' | 'regression';
  /** Class names in output order (default: the pipeline's target classes). */
  classes?: readonly string[];
  /** `producer_name` (default `cortex-nn`). */
  producerName?: string;
  /** `producer_version` (default the library version). */
  producerVersion?: string;
}

/** One graph input of an exported table model. */
export interface TableOnnxInput {
  /** The CSV column. */
  column: string;
  /** The graph input's name (the column name with characters other than letters, digits and `_` replaced by `_`). */
  input: string;
  /** `float` ([batch, 1], NaN for a missing value) or `string` ([batch, 1], the cell's text). */
  type: 'float' | 'string';
}

/** Output names of an exported table model. */
export const TABLE_OUTPUTS = { probabilities: 'probabilities', label: 'label', prediction: 'prediction' } as const;

const RESERVED = new Set<string>(['features', ...Object.values(TABLE_OUTPUTS)]);

/** Graph input names for columns: letters, digits and `_` only, not starting with a digit, unique. */
export function sanitizeInputNames(columns: readonly string[]): string[] {
  const used = new Set<string>(RESERVED);
  return columns.map((c) => {
    let base = c.replace(/[^A-Za-z0-9_]/g, '_');
    if (base === '' || /^[0-9]/.test(base)) base = `_${base}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

function fail(step: string, why: string): OnnxError {
  return new OnnxError(`ONNX export: the preprocessing step ${step} cannot be expressed in ONNX: ${why}`, { layer: `preprocessing: ${step}` });
}

function finiteList(step: string, values: readonly unknown[], n: number): number[] {
  if (values.length !== n || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw fail(step, `it needs ${n} finite numbers, one per numeric column, and has [${values.map(String).join(', ')}]`);
  }
  return values as number[];
}

/** The inputs an exported table model takes, in order (numeric columns, then categorical ones). */
export function tableOnnxInputs(pipeline: TablePipelineJSON): TableOnnxInput[] {
  const columns = [...pipeline.numeric, ...pipeline.categorical];
  const names = sanitizeInputNames(columns);
  return columns.map((column, i) => ({ column, input: names[i]!, type: i < pipeline.numeric.length ? 'float' : 'string' }));
}

/** Adds the numeric block: Concat of the columns, NaN → fill value, then the scaler. */
function numericBlock(g: GraphBuilder, s: TablePipelineJSON, inputs: readonly string[]): string | null {
  const n = s.numeric.length;
  if (n === 0) return null;
  const t: ValueType = { elem: 'float', dims: ['batch', n] };
  let x = n === 1 ? inputs[0]! : g.op('Concat', inputs, { output: 'numeric', attrs: [intAttr('axis', 1)], type: t });
  if (s.numericImputer) {
    const fill = finiteList(`numeric imputer (${s.numericImputer.strategy})`, s.numericImputer.statistics, n);
    const nan = g.op('IsNaN', [x], { output: 'numeric_missing', type: { elem: 'bool', dims: t.dims } });
    x = g.op('Where', [nan, g.constFloats('impute_fill', [n], fill), x], { output: 'numeric_imputed', type: t });
  }
  const sc = s.scaler;
  if (sc === null) return x;
  if (sc.type === 'StandardScaler') {
    const mean = finiteList('StandardScaler mean', sc.mean, n);
    const scale = finiteList('StandardScaler scale', sc.scale, n);
    const c = g.op('Sub', [x, g.constFloats('scaler_mean', [n], mean)], { output: 'numeric_centred', type: t });
    return g.op('Div', [c, g.constFloats('scaler_scale', [n], scale)], { output: 'numeric_scaled', type: t });
  }
  if (sc.type === 'MinMaxScaler') {
    const lo = finiteList('MinMaxScaler dataMin', sc.dataMin, n);
    const hi = finiteList('MinMaxScaler dataMax', sc.dataMax, n);
    const [a, b] = sc.range;
    const factor = lo.map((v, j) => (b - a) / (hi[j]! - v === 0 ? 1 : hi[j]! - v));
    const c = g.op('Sub', [x, g.constFloats('scaler_min', [n], lo)], { output: 'numeric_shifted', type: t });
    const m = g.op('Mul', [c, g.constFloats('scaler_factor', [n], factor)], { output: 'numeric_stretched', type: t });
    return g.op('Add', [m, g.constFloats('scaler_low', [], [a])], { output: 'numeric_scaled', type: t });
  }
  throw fail(`scaler ${(sc as { type: unknown }).type}`, 'only StandardScaler and MinMaxScaler are known');
}

/**
 * One-hot code of one categorical column: `LabelEncoder` (ONNX-ML) maps each training
 * category to its index, and, with a categorical imputer, the missing-value tokens (`''`,
 * `NA`, ...) to the index of the fill value; anything else maps to −1. `Equal` against
 * 0..k−1 and `Cast` give the one-hot row, all zeros for an unseen category, as Cortex
 * encodes one (`handleUnknown: 'ignore'`, which `cortex predict` uses).
 */
function oneHot(g: GraphBuilder, input: string, column: string, categories: readonly (string | number)[], fill: string | null): string {
  const cats = categories.map(String);
  const k = cats.length;
  if (k === 0) throw fail(`one-hot encoder of "${column}"`, 'the column has no categories');
  const keys = [...cats];
  const values = cats.map((_, i) => i);
  const fillIndex = fill === null ? -1 : cats.indexOf(fill);
  if (fillIndex >= 0) {
    for (const token of DEFAULT_MISSING) {
      if (!keys.includes(token)) {
        keys.push(token);
        values.push(fillIndex);
      }
    }
  }
  const idx = g.op('LabelEncoder', [input], {
    output: `${input}_index`,
    domain: 'ai.onnx.ml',
    version: ONNX_ML_OPSET,
    attrs: [stringsAttr('keys_strings', keys), intsAttr('values_int64s', values), intAttr('default_int64', -1)],
    type: { elem: 'int64', dims: ['batch', 1] },
  });
  const range = g.constInts(`${input}_categories`, [k], values.slice(0, k));
  const eq = g.op('Equal', [idx, range], { output: `${input}_is`, type: { elem: 'bool', dims: ['batch', k] } });
  return g.op('Cast', [eq], { output: `${input}_onehot`, attrs: [intAttr('to', 1)], type: { elem: 'float', dims: ['batch', k] } });
}

/**
 * Builds the ONNX model of `model` with its table preprocessing (see
 * {@link exportTableModelOnnx}) as a `ModelProto` object.
 */
export function exportTableModelOnnxProto(model: Module, options: TableOnnxOptions): ModelProto {
  const s = options.pipeline;
  const task = options.task ?? s.target?.task;
  if (task === undefined) throw fail('target', 'the pipeline has no target, so the task (classification or regression) is unknown; pass task');
  const g = new GraphBuilder();
  const ins = tableOnnxInputs(s);
  for (const i of ins) g.input(i.input, { elem: i.type, dims: ['batch', 1] });
  const parts: string[] = [];
  const numeric = numericBlock(g, s, ins.filter((i) => i.type === 'float').map((i) => i.input));
  if (numeric !== null) parts.push(numeric);
  let width = s.numeric.length;
  if (s.categorical.length > 0) {
    const enc = s.encoder;
    if (enc === null || enc.categories.length !== s.categorical.length) {
      throw fail('one-hot encoder', `the pipeline has ${s.categorical.length} categorical columns but ${enc?.categories.length ?? 0} fitted category lists`);
    }
    const catIns = ins.filter((i) => i.type === 'string');
    s.categorical.forEach((column, j) => {
      const stat = s.categoricalImputer?.statistics[j];
      const fill = stat === undefined ? null : String(stat);
      parts.push(oneHot(g, catIns[j]!.input, column, enc.categories[j]!, fill));
      width += enc.categories[j]!.length;
    });
  }
  const features = parts.length === 1 ? parts[0]! : g.op('Concat', parts, { output: 'features', attrs: [intAttr('axis', 1)], type: { elem: 'float', dims: ['batch', width] } });
  const { output, type } = emitModule(g, model, features, zeros([1, width]), true);
  const outputs: string[] = [];
  if (task === 'classification') {
    const classes = options.classes ?? s.target?.encoder?.classes.map(String);
    const k = type.dims[type.dims.length - 1];
    if (classes === undefined || classes.length !== k) {
      throw fail('class labels', `the model gives ${String(k)} scores per row, but there are ${classes?.length ?? 0} class names`);
    }
    const best = g.op('ArgMax', [output], { output: 'class_id', attrs: [intAttr('axis', -1), intAttr('keepdims', 0)], type: { elem: 'int64', dims: ['batch'] } });
    const names = g.constStrings('class_names', [k], classes);
    const label = g.op('Gather', [names, best], { output: TABLE_OUTPUTS.label, attrs: [intAttr('axis', 0)] });
    g.output(label, { elem: 'string', dims: ['batch'] });
    const probs = g.op('Softmax', [output], { output: TABLE_OUTPUTS.probabilities, attrs: [intAttr('axis', -1)] });
    g.output(probs, { elem: 'float', dims: ['batch', k] });
    outputs.push(label, probs);
  } else {
    const ts = options.targetScaling ?? { mean: 0, scale: 1 };
    const scaled = g.op('Mul', [output, g.constFloats('target_scale', [], [ts.scale])], { output: 'prediction_scaled', type });
    const y = g.op('Add', [scaled, g.constFloats('target_mean', [], [ts.mean])], { output: TABLE_OUTPUTS.prediction });
    g.output(y, type);
    outputs.push(y);
  }
  return g.toModel({
    graphName: `${model.constructor.name}_with_preprocessing`,
    producerName: options.producerName,
    producerVersion: options.producerVersion,
    docString: `Takes the raw columns (${ins.map((i) => i.column).join(', ')}); gives ${outputs.join(', ')}.`,
    metadata: {
      'cortex.task': task,
      'cortex.inputs': JSON.stringify(ins),
      ...(s.target ? { 'cortex.target': s.target.name } : {}),
    },
  });
}

/**
 * Exports a model trained on tables together with its fitted preprocessing, so the
 * `.onnx` file takes the raw columns. Inputs (see {@link tableOnnxInputs}): one
 * `[batch, 1]` input per column, named after it: float for a numeric column (NaN for a
 * missing value, replaced by the fitted fill value when the pipeline imputes), string for
 * a categorical one (the cell's text; with a categorical imputer the missing-value tokens
 * `''`, `NA`, `N/A`, `null`, `NULL` take the fill value; an unseen category encodes as all
 * zeros). Outputs: `label` (string `[batch]`) and `probabilities` (`[batch, classes]`, the
 * softmax of the model's scores) for classification; `prediction` (`[batch, 1]`, in the
 * target's units) for regression — the values `cortex predict` prints.
 *
 * @throws {OnnxError} for a preprocessing step or layer with no ONNX form, naming it.
 */
export function exportTableModelOnnx(model: Module, options: TableOnnxOptions): Uint8Array {
  return encodeModelProto(exportTableModelOnnxProto(model, options));
}
