/**
 * `cortex export <model> --format onnx [--out model.onnx] [--dynamic-sequence]`: writes the
 * model as an ONNX file, atomically. A model saved by `cortex train` is exported with its
 * preprocessing, so the `.onnx` file takes the raw CSV columns and gives what `cortex
 * predict` prints (class labels and probabilities, or values in the target's units); any
 * other model file is exported as the network alone, taking the feature matrix, or for a
 * sequence model (a recurrent layer in a `RecurrentOutput`, or a transformer encoder) the
 * batch of sequences laid out as the model reads them: `[batch, seq, features]` batch
 * first, `[seq, batch, features]` time-major; a GPT (or a model whose first layer is an
 * Embedding) int64 token ids `[batch, seq]`.
 * @module
 */
import { basename, dirname, extname, join } from 'node:path';
import { ModelFormatError, OnnxError } from '../../errors.js';
import { writeFileAtomic } from '../../io/node/atomic.js';
import { load } from '../../io/node/files.js';
import { batchedShape, decodeModelProto, exportOnnx, exportTableModelOnnx, sequenceLayout, TABLE_OUTPUTS, tableOnnxInputs } from '../../io/onnx/index.js';
import type { JsonObject } from '../../io/registry.js';
import type { Module } from '../../nn/module.js';
import { zeros } from '../../ops/index.js';
import { UsageError } from '../errors.js';
import { applicable } from '../model-data.js';
import { inputWidth } from '../input-width.js';
import { takesTokenIds, tokenSampleShape } from '../token-input.js';
import type { Output } from '../style.js';

/** An input of the exported graph, as `cortex export` lists it. */
interface ExportedInput {
  name: string;
  type: string;
  shape: (number | string)[];
  column?: string;
}

/** The `[seq, features]` shape of one example, as the file's `training.inputShape` records it, or null. */
function recordedSequence(training: JsonObject | null): number[] | null {
  const shape = training?.inputShape;
  if (!Array.isArray(shape) || shape.length !== 2) return null;
  return shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1) ? (shape as number[]) : null;
}

/** A sample input's shape and element type. */
interface Sample {
  shape: number[];
  dtype: 'float32' | 'int32';
}

/**
 * The sample input of a network without preprocessing: for a model that takes token ids
 * (a GPT, or a model whose first layer is an Embedding) int32 ids, one example of the
 * recorded length or a GPT's block size (see `tokenSampleShape`); for a sequence model, one
 * example of the recorded `[seq, features]` shape (or one step of `inputWidth` features with
 * `dynamicSequence`, the length being symbolic), batched where the model's layout puts the
 * batch (see `batchedShape`); for any other model a `[1, width]` row.
 */
function sampleInput(model: Module, training: JsonObject | null, dynamicSequence: boolean, modelPath: string): Sample {
  const layout = sequenceLayout(model);
  if (layout === null && dynamicSequence) {
    throw new UsageError(`--dynamic-sequence: ${modelPath} does not read sequences (it has no recurrent layer in a RecurrentOutput, no transformer encoder and no GPT block)`);
  }
  if (takesTokenIds(model)) {
    const shape = tokenSampleShape(model, training);
    if (shape !== null) return { shape, dtype: 'int32' };
    const unrecorded = `${modelPath}: the model takes token ids and its file records no example length (training.inputShape [seq])`;
    if (layout === null) throw new ModelFormatError(`${unrecorded}; export it with exportOnnx(model, { sampleInput }) from the API, with int32 ids`);
    if (!dynamicSequence) throw new UsageError(`${unrecorded}: pass --dynamic-sequence for a symbolic sequence length`);
    return { shape: batchedShape(model, [1]), dtype: 'int32' };
  }
  const float = (shape: number[]): Sample => ({ shape, dtype: 'float32' });
  if (layout === null) {
    const width = inputWidth(model);
    if (width === null) {
      throw new ModelFormatError(`${modelPath}: cannot tell the model's input width (no Linear or Unflatten layer fixes it); export it with exportOnnx(model, { sampleInput }) from the API`);
    }
    return float([1, width]);
  }
  const recorded = recordedSequence(training);
  if (recorded !== null) return float(batchedShape(model, recorded));
  const width = inputWidth(model);
  const unrecorded = `${modelPath}: a ${layout} sequence model whose file records no example shape (training.inputShape [seq, features])`;
  if (width === null) throw new ModelFormatError(`${unrecorded}, and no layer fixes its feature width; export it with exportOnnx(model, { sampleInput }) from the API`);
  if (!dynamicSequence) throw new UsageError(`${unrecorded}: pass --dynamic-sequence for a symbolic sequence length`);
  return float(batchedShape(model, [1, width]));
}

const ELEM_NAMES: Record<number, string> = { 1: 'float', 7: 'int64', 8: 'string', 9: 'bool' };

/** The graph's inputs with their declared shapes (a symbolic axis by its name). */
function graphInputs(bytes: Uint8Array): ExportedInput[] {
  return (decodeModelProto(bytes).graph?.input ?? []).map((i) => {
    const t = i.type?.tensorType;
    const shape = (t?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
    return { name: i.name ?? '', type: ELEM_NAMES[t?.elemType ?? 0] ?? 'unknown', shape };
  });
}

/** The formats `cortex export` writes. */
export const EXPORT_FORMATS = ['onnx'] as const;

/** Options of `cortex export`. */
export interface ExportFlags {
  format: string;
  out?: string;
  /** A sequence model's sequence axis is symbolic (`seq_len`) instead of the recorded length. */
  dynamicSequence?: boolean;
}

/** The default output path: the model's folder and name, with the format's extension. */
export function defaultExportPath(model: string, format: string): string {
  return join(dirname(model), `${basename(model, extname(model))}.${format}`);
}

/** Runs `cortex export`. */
export async function exportCommand(modelPath: string, flags: ExportFlags, out: Output): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format}: cortex exports to ${EXPORT_FORMATS.join(', ')}`);
  }
  const dest = flags.out ?? defaultExportPath(modelPath, flags.format);
  if (dest === modelPath) throw new UsageError(`--out ${dest}: that is the model file itself; choose another path`);
  const started = performance.now();
  const saved = await load(modelPath);
  let bytes: Uint8Array;
  let inputs: ExportedInput[];
  let outputs: string[];
  const dynamicSequence = flags.dynamicSequence === true;
  try {
    if (saved.schema && saved.preprocessing) {
      if (dynamicSequence) throw new UsageError(`--dynamic-sequence: ${modelPath} takes table rows (its preprocessing is part of the graph), not sequences`);
      const a = applicable(saved, modelPath);
      const pipeline = a.pipeline.toJSON();
      bytes = exportTableModelOnnx(a.model, { pipeline, targetScaling: a.targetScaling, task: a.schema.task, classes: a.classes });
      inputs = tableOnnxInputs(pipeline).map((i) => ({ name: i.input, type: i.type, shape: ['batch', 1], column: i.column }));
      outputs = a.schema.task === 'classification' ? [TABLE_OUTPUTS.label, TABLE_OUTPUTS.probabilities] : [TABLE_OUTPUTS.prediction];
    } else {
      const sample = sampleInput(saved.model, saved.training, dynamicSequence, modelPath);
      bytes = exportOnnx(saved.model, { sampleInput: zeros(sample.shape, { dtype: sample.dtype }), dynamicSequence });
      inputs = graphInputs(bytes);
      outputs = ['output'];
    }
  } catch (e) {
    // A model that has no ONNX form is a model problem (exit 2), like an unreadable one.
    if (e instanceof OnnxError) throw new ModelFormatError(`${modelPath}: ${e.message}`);
    throw e;
  }
  await writeFileAtomic(dest, bytes);
  const seconds = (performance.now() - started) / 1000;
  if (out.json) {
    out.result({ command: 'export', model: modelPath, format: flags.format, out: dest, bytes: bytes.length, inputs, outputs, seconds });
    return;
  }
  const c = out.c;
  out.line(`${c.green('wrote')}   ${dest} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset 17) in ${seconds.toFixed(1)}s`);
  out.line(`${c.bold('inputs')}  ${inputs.map((i) => (i.column !== undefined && i.column !== i.name ? `${i.name} (${i.type} [${i.shape.join(', ')}], column "${i.column}")` : `${i.name} (${i.type} [${i.shape.join(', ')}])`)).join(', ')}`);
  out.line(`${c.bold('outputs')} ${outputs.join(', ')}`);
}
