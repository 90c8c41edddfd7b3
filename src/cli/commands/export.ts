/**
 * `cortex export <model> --format onnx [--out model.onnx]`: writes the model as an ONNX
 * file, atomically. A model saved by `cortex train` is exported with its preprocessing,
 * so the `.onnx` file takes the raw CSV columns and gives what `cortex predict` prints
 * (class labels and probabilities, or values in the target's units); any other model
 * file is exported as the network alone, taking the feature matrix.
 * @module
 */
import { basename, dirname, extname, join } from 'node:path';
import { ModelFormatError, OnnxError } from '../../errors.js';
import { writeFileAtomic } from '../../io/node/atomic.js';
import { load } from '../../io/node/files.js';
import { exportOnnx, exportTableModelOnnx, TABLE_OUTPUTS, tableOnnxInputs } from '../../io/onnx/index.js';
import { zeros } from '../../ops/index.js';
import { UsageError } from '../errors.js';
import { applicable } from '../model-data.js';
import { inputWidth } from '../input-width.js';
import type { Output } from '../style.js';
// rnn-seq: sequence models export on the example shape their file records
import type { JsonObject } from '../../io/registry.js';
import { Sequential } from '../../nn/container.js';
import type { Module } from '../../nn/module.js';
import { RecurrentOutput } from '../../nn/recurrent-output.js';

/**
 * The `[seq, features]` shape of one example of a model that reads batch-first sequences
 * (its first layer a `RecurrentOutput` of a `batchFirst` layer), as the file's
 * `training.inputShape` records it; null for any other model.
 */
function sequenceShape(model: Module, training: JsonObject | null): number[] | null {
  const first = model.namedModules().find(([, m]) => !(m instanceof Sequential))?.[1];
  const shape = training?.inputShape;
  if (!(first instanceof RecurrentOutput) || !first.layer.batchFirst || !Array.isArray(shape) || shape.length !== 2) return null;
  return shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1) ? (shape as number[]) : null;
}

/** The formats `cortex export` writes. */
export const EXPORT_FORMATS = ['onnx'] as const;

/** Options of `cortex export`. */
export interface ExportFlags {
  format: string;
  out?: string;
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
  let inputs: { name: string; type: string; shape: (number | string)[]; column?: string }[];
  let outputs: string[];
  try {
    if (saved.schema && saved.preprocessing) {
      const a = applicable(saved, modelPath);
      const pipeline = a.pipeline.toJSON();
      bytes = exportTableModelOnnx(a.model, { pipeline, targetScaling: a.targetScaling, task: a.schema.task, classes: a.classes });
      inputs = tableOnnxInputs(pipeline).map((i) => ({ name: i.input, type: i.type, shape: ['batch', 1], column: i.column }));
      outputs = a.schema.task === 'classification' ? [TABLE_OUTPUTS.label, TABLE_OUTPUTS.probabilities] : [TABLE_OUTPUTS.prediction];
    } else {
      const width = inputWidth(saved.model);
      const sequence = sequenceShape(saved.model, saved.training);
      if (sequence !== null) {
        bytes = exportOnnx(saved.model, { sampleInput: zeros([1, ...sequence]) });
        inputs = [{ name: 'input', type: 'float', shape: ['batch', ...sequence] }];
        outputs = ['output'];
      } else {
        if (width === null) {
          throw new ModelFormatError(`${modelPath}: cannot tell the model's input width (no Linear or Unflatten layer fixes it); export it with exportOnnx(model, { sampleInput }) from the API`);
        }
        bytes = exportOnnx(saved.model, { sampleInput: zeros([1, width]) });
        inputs = [{ name: 'input', type: 'float', shape: ['batch', width] }];
        outputs = ['output'];
      }
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
