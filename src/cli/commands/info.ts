/**
 * `cortex info <model>`: the architecture summary, the parameter count, the schema, the
 * metrics, and the training configuration and seed of a model file. For an `.onnx` file:
 * its producer, IR version, opsets, inputs and outputs, op counts, parameter count, and
 * whether Cortex can import it.
 * @module
 */
import { stat } from 'node:fs/promises';
import { CortexError, ModelFormatError, OnnxError } from '../../errors.js';
import { batchedShape, sequenceLayout } from '../../io/onnx/export/axes.js';
import { describeOnnx, importOnnx, type OnnxIO } from '../../io/onnx/import/index.js';
import { onnxTypeName } from '../../io/onnx/tensors.js';
import type { JsonObject } from '../../io/registry.js';
import { decodeModelFile } from '../../io/model-file.js';
import { readModelBytes } from '../../io/node/files.js';
import { asMetrics, type Metrics, metricsTable } from '../metrics.js';
import type { Module } from '../../nn/module.js';
import { inputWidth } from '../input-width.js';
import { takesTokenIds, tokenSampleShape } from '../token-input.js';
import { GPT } from '../../nn/gpt.js';
import type { Output } from '../style.js';
import { describePrivacy } from '../privacy.js';

/** The input the summary runs the model on: its shape and element type. */
interface SummaryInput {
  shape: number[];
  dtype: 'float32' | 'int32';
}

/**
 * The model's summary, with each layer's output shape when the sample input runs through it;
 * without the shapes when no input shape is known or the model refuses the sample.
 */
function summaryText(model: Module, input: SummaryInput | undefined): string {
  if (input === undefined) return model.summary();
  try {
    return model.summary(input.shape, input.dtype);
  } catch (e) {
    if (e instanceof CortexError) return model.summary();
    throw e;
  }
}

/**
 * The input the summary runs the model on: for a model that takes token ids (a GPT, or a
 * model whose first layer is an Embedding) int32 ids of the recorded length or a GPT's block
 * size; else a batch of one example of `training.inputShape` when the file records it (image
 * and sequence models do), the batch where the model reads it (`[1, ...shape]`, or `[seq, 1,
 * ...]` for a time-major sequence model), else `[1, width]` for a model that starts with a
 * Linear layer, else none.
 */
function summaryInput(model: Module, training: JsonObject | null): SummaryInput | undefined {
  if (takesTokenIds(model)) {
    const shape = tokenSampleShape(model, training);
    return shape === null ? undefined : { shape, dtype: 'int32' };
  }
  const shape = training?.inputShape;
  if (Array.isArray(shape) && shape.length > 0 && shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
    return { shape: batchedShape(model, shape as number[]), dtype: 'float32' };
  }
  const width = inputWidth(model);
  return width === null ? undefined : { shape: [1, width], dtype: 'float32' };
}

/** The `input` line of a model that takes token ids: `int32 token ids [batch, seq], seq ≤ 64 (the block size)`. */
function tokenInputText(model: Module, input: SummaryInput | undefined): string {
  const limit = model instanceof GPT ? `, seq ≤ ${model.config.blockSize} (the block size)` : '';
  const shape = input === undefined || input.shape.length !== 2 ? '' : sequenceLayout(model) === 'time-major' ? ' [seq, batch]' : ' [batch, seq]';
  return `int32 token ids${shape}${limit}`;
}

/** The columns `cortex train` left out, and why, when the model file records them. */
function droppedColumns(training: JsonObject | null): { column: string; reason: string }[] {
  const d = training?.droppedColumns;
  if (!Array.isArray(d)) return [];
  return d.flatMap((e) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return [];
    const { column, reason } = e as Record<string, unknown>;
    return typeof column === 'string' && typeof reason === 'string' ? [{ column, reason }] : [];
  });
}

/** A training record's value on one line: a list joined, a tokenizer by its vocabulary size, other objects as (shortened) JSON. */
function show(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  if (v === null) return '-';
  if (typeof v !== 'object') return String(v);
  const { type, chars } = v as { type?: unknown; chars?: unknown };
  if (typeof type === 'string' && Array.isArray(chars)) return `${type}, ${chars.length} characters`;
  const json = JSON.stringify(v);
  return json.length > 80 ? `${json.slice(0, 79)}…` : json;
}

/** `float32 [batch, 6, 16]`: an ONNX input or output's element type and declared shape. */
function ioText(io: OnnxIO): string {
  const type = io.type === 0 ? 'unknown type' : onnxTypeName(io.type);
  const shape = io.shape === null ? 'shape unknown' : `[${io.shape.map((d) => d ?? '?').join(', ')}]`;
  return `${io.name}: ${type} ${shape}`;
}

/** `cortex info model.onnx`: what the file declares, and whether Cortex can import it. */
async function onnxInfo(path: string, out: Output): Promise<void> {
  const bytes = await readModelBytes(path);
  let d: ReturnType<typeof describeOnnx>;
  try {
    d = describeOnnx(bytes);
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(`${path}: ${e.message}`);
    throw e;
  }
  // The static check passed: build the model too, which finds graph errors (dangling inputs, bad attributes).
  let trainable: number | null = null;
  if (d.importable) {
    try {
      trainable = importOnnx(bytes).numParameters();
    } catch (e) {
      if (!(e instanceof OnnxError || e instanceof ModelFormatError)) throw e;
      d.importable = false;
      d.problems.push(e.message);
    }
  }
  const size = (await stat(path)).size;
  if (out.json) {
    const typed = (io: OnnxIO) => ({ ...io, typeName: io.type === 0 ? null : onnxTypeName(io.type) });
    out.result({ command: 'info', model: path, kind: 'onnx', bytes: size, ...d, inputs: d.inputs.map(typed), outputs: d.outputs.map(typed), trainableParameters: trainable });
    return;
  }
  const c = out.c;
  const producer = `${d.producer} ${d.producerVersion}`.trim() || 'an unknown producer';
  out.line(`${c.bold('file')}      ${path} (${size.toLocaleString('en-US')} bytes), ONNX IR version ${d.irVersion}, produced by ${producer}`);
  out.line(`${c.bold('opsets')}    ${d.opsets.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`).join(', ')}`);
  for (const [label, list] of [['inputs', d.inputs], ['outputs', d.outputs]] as const) {
    // The label on the first line, the others aligned under it.
    list.forEach((io, i) => {
      out.line(`${i === 0 ? c.bold(label) : ''}${' '.repeat(i === 0 ? 10 - label.length : 10)}${ioText(io)}`);
    });
  }
  out.line(`${c.bold('weights')}   ${d.parameters.toLocaleString('en-US')} float values${trainable === null ? '' : ` (${trainable.toLocaleString('en-US')} trainable parameters once imported)`}`);
  if (d.importable) out.line(`${c.bold('import')}    ${c.green('supported')}: importOnnx() builds a trainable Cortex module from it`);
  else out.line(`${c.bold('import')}    ${c.red('not supported')}: ${d.problems.join('; ')}`);
  out.line();
  out.line(c.bold(`nodes (${d.nodes})`));
  const unsupported = new Set(d.unsupportedOps);
  const width = Math.max(...Object.keys(d.ops).map((k) => k.length), 2);
  for (const [op, count] of Object.entries(d.ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    out.line(`  ${op.padEnd(width)}  ${String(count).padStart(5)}${unsupported.has(op) ? `  ${c.red('unsupported')}` : ''}`);
  }
}

/** Runs `cortex info`. */
export async function infoCommand(path: string, out: Output): Promise<void> {
  if (path.toLowerCase().endsWith('.onnx')) return onnxInfo(path, out);
  const { doc, model } = decodeModelFile(await readModelBytes(path), path);
  const saved = { ...doc, model };
  const epoch = doc.kind === 'checkpoint' && typeof doc.checkpoint?.epoch === 'number' ? doc.checkpoint.epoch : null;
  const bytes = (await stat(path)).size;
  const tokens = takesTokenIds(saved.model);
  // A model of token ids has no feature width (its first Linear reads embeddings).
  const width = tokens ? null : inputWidth(saved.model);
  const input = summaryInput(saved.model, saved.training as JsonObject | null);
  const layers = saved.model.namedModules().filter(([n]) => n !== '').map(([n, m]) => ({ name: n, type: m.constructor.name, repr: m.extraRepr() }));
  const metrics = saved.metrics ?? {};
  if (out.json) {
    out.result({
      command: 'info',
      model: path,
      kind: doc.kind,
      checkpointEpoch: epoch,
      bytes,
      library: saved.library,
      formatVersion: saved.formatVersion,
      createdAt: saved.createdAt,
      parameters: saved.model.numParameters(),
      inputWidth: width,
      input: input === undefined ? null : { ...input, tokenIds: tokens },
      layers,
      schema: saved.schema,
      training: saved.training,
      metrics: saved.metrics,
    });
    return;
  }
  const c = out.c;
  out.line(`${c.bold('file')}      ${path} (${bytes.toLocaleString('en-US')} bytes), written by ${saved.library.name} ${saved.library.version} on ${saved.createdAt}, format ${saved.formatVersion}`);
  if (epoch !== null) out.line(`${c.bold('checkpoint')} after epoch ${epoch}; continue with cortex train ... --resume ${path}`);
  const s = saved.schema;
  if (s) {
    const classes = s.target.classes ? ` with classes ${s.target.classes.join(', ')}` : '';
    out.line(`${c.bold('task')}      ${s.task} of "${s.target.name}"${classes}`);
    out.line(`${c.bold('uses')}      ${s.features.map((f) => `${f.name} (${f.type}${f.categories ? `: ${f.categories.join('|')}` : ''})`).join(', ')}`);
    out.line(`${c.bold('id column')} ${s.idColumn ?? 'none'}`);
  }
  const dropped = droppedColumns(saved.training as JsonObject | null);
  if (dropped.length > 0) out.line(`${c.bold('left out')}  ${dropped.map((d) => `${d.column} (${d.reason})`).join(', ')}`);
  if (tokens) out.line(`${c.bold('input')}     ${tokenInputText(saved.model, input)}`);
  out.line();
  out.line(summaryText(saved.model, input));
  const t = saved.training as JsonObject | null;
  if (t) {
    out.line();
    out.line(c.bold('training'));
    const keys = ['data', 'target', 'task', 'layers', 'activation', 'optimizer', 'lr', 'batchSize', 'epochs', 'epochsRun', 'valSplit', 'earlyStopping', 'clipGradNorm', 'seed', 'seconds'];
    const rest = Object.keys(t).filter((k) => !keys.includes(k) && k !== 'droppedColumns' && k !== 'privacy');
    for (const k of [...keys.filter((k) => k in t), ...rest]) out.line(`  ${k.padEnd(16)}${show(t[k])}`);
    const privacy = describePrivacy(t.privacy);
    if (privacy !== null) {
      out.line();
      out.line(`${c.bold('privacy')}   ${privacy}`);
    }
  }
  // One table per kind (classification or regression splits), then anything else as JSON
  // (metrics written by other tools, such as the playground's flat numbers).
  const splits: [string, Metrics][] = [];
  const other: [string, unknown][] = [];
  for (const [name, v] of Object.entries(metrics)) {
    const m = asMetrics(v);
    if (m !== null && (splits.length === 0 || 'accuracy' in m === 'accuracy' in splits[0]![1])) splits.push([name, m]);
    else other.push([name, v]);
  }
  if (splits.length > 0 || other.length > 0) {
    out.line();
    out.line(c.bold('metrics'));
    if (splits.length > 0) out.line(metricsTable(splits, c));
    for (const [name, v] of other) out.line(`  ${name.padEnd(16)}${JSON.stringify(v)}`);
  }
}
