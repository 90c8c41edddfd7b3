/**
 * The shapes every layer of a model sees on `exportOnnx`'s sample input, and which axis
 * of each layer's output is the batch and which the sequence, for the graph's symbolic
 * dimensions (`batch`, `seq_len`).
 *
 * The model's input is laid out as its first recurrent layer (`RecurrentOutput`),
 * transformer encoder or GPT block (batch first) reads it: `[seq, batch, …]` when that layer is time-major
 * (sequence first), `[batch, seq, …]` batch first, `[seq, …]` unbatched; a model with no
 * such layer has its batch at dimension 0 and no sequence axis. Each axis asked to be
 * dynamic is then found by running the model again on the sample with that axis one
 * longer (one shorter when the model refuses that, as a GPT does beyond its block size):
 * the axis of a layer's output that changes with it by exactly one (and does not change
 * with the other) is that output's batch or sequence axis. So a time-major layer's
 * `[seq, batch, H]` output, its last step `[batch, H]`, a `Flatten` that merges the batch
 * away (no batch axis) and any other layer get their symbols without a rule per layer.
 * @module
 */
import { noGrad } from '../../../autograd/engine.js';
import { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import { Flatten } from '../../../nn/linear.js';
import { GPTBlock } from '../../../nn/gpt.js';
import type { AnyModule, Module } from '../../../nn/module.js';
import { RecurrentOutput } from '../../../nn/recurrent-output.js';
import { TransformerEncoder, TransformerEncoderLayer } from '../../../nn/transformer.js';
import { Unflatten } from '../../../nn/unflatten.js';
import { concat, contiguous, narrow } from '../../../ops/movement.js';
import type { Dim, ElemType, ValueType } from './graph.js';

/** The symbolic name of a dynamic batch axis. */
export const BATCH_DIM = 'batch';
/** The symbolic name of a dynamic sequence axis (as `exportAttentionOnnx` names a self-attention's). */
export const SEQUENCE_DIM = 'seq_len';

/** Where the batch and the sequence are in a value: an axis each, or null (none, fixed or merged). */
export interface Axes {
  readonly batch: number | null;
  readonly seq: number | null;
}

/** The axes of {@link exportOnnx}'s graph that are symbolic. */
export interface DynamicAxes {
  /** The batch axis is `batch` (default true). */
  batch?: boolean;
  /** The sequence axis is `seq_len` (default false). */
  sequence?: boolean;
}

/** The shapes a module saw on the sample input, and the batch and sequence axes of its output. */
export interface Seen {
  input: number[];
  output: number[];
  outElem: ElemType;
  axes: Axes;
  /**
   * The output's type: `batch` and `seq_len` on its axes, null on any other axis whose
   * size changes with them (a `Flatten` that merges the batch), the sample's sizes elsewhere.
   */
  type: ValueType;
}

/** What {@link traceAxes} finds: every module's shapes and output axes, and the input's axes. */
export interface Trace {
  seen: Map<AnyModule, Seen>;
  input: Axes;
}

type Shapes = Omit<Seen, 'axes' | 'type'>;

/** Runs `model` on `sample` in evaluation mode and records each module's input and output shape, in the order the modules finish. */
function recordShapes(model: Module, sample: Tensor): Map<AnyModule, Shapes> {
  const seen = new Map<AnyModule, Shapes>();
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  const handles = modes.map(([m]) =>
    m.registerForwardHook((_mod, inputs, out) => {
      if (seen.has(m)) return;
      const x = inputs[0];
      if (x instanceof Tensor && out instanceof Tensor) {
        seen.set(m, { input: [...x.shape], output: [...out.shape], outElem: out.dtype === 'int32' ? 'int64' : 'float' });
      }
    }),
  );
  try {
    model.eval();
    noGrad(() => model.forward(sample));
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new OnnxError(`ONNX export: the model does not run on the sample input of shape [${sample.shape.join(', ')}] (${why}); pass an input the model accepts as sampleInput`);
  } finally {
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  return seen;
}

/** `batchFirst` of a recurrent or encoder layer (true for a GPT block); undefined for any other module. */
function layoutOf(m: AnyModule): boolean | undefined {
  if (m instanceof RecurrentOutput) return m.layer.batchFirst;
  if (m instanceof GPTBlock) return true;
  if (m instanceof TransformerEncoderLayer) return m.batchFirst;
  if (m instanceof TransformerEncoder) return m.layer(0).batchFirst;
  return undefined;
}

/**
 * How `model` reads a sequence input, as {@link traceAxes} lays the graph's input out:
 * `'batch-first'` (`[batch, seq, …]`) or `'time-major'` (`[seq, batch, …]`) after its first
 * recurrent layer (a `RecurrentOutput`), transformer encoder or GPT block in module order, or null
 * when it has none, or a convolution, `Flatten` or `Unflatten` comes first (the input is
 * then not what that layer reads). Read from the modules alone, so a caller can build a
 * sample input before the model ever runs.
 */
export function sequenceLayout(model: Module): 'batch-first' | 'time-major' | null {
  for (const [, m] of model.namedModules()) {
    const batchFirst = layoutOf(m);
    if (batchFirst !== undefined) return batchFirst ? 'batch-first' : 'time-major';
    if (m instanceof Flatten || m instanceof Unflatten || 'inChannels' in m) return null;
  }
  return null;
}

/**
 * The shape of a batch of `batch` examples of `example` (one example's shape, its
 * sequence axis first for a sequence model) as `model` takes it: `[seq, batch, …]` for a
 * time-major model (see {@link sequenceLayout}), `[batch, …example]` otherwise.
 */
export function batchedShape(model: Module, example: readonly number[], batch = 1): number[] {
  if (example.length >= 1 && sequenceLayout(model) === 'time-major') return [example[0]!, batch, ...example.slice(1)];
  return [batch, ...example];
}

/**
 * The batch and sequence axes of the model's input: those of the first recurrent or
 * encoder layer to run, when the input reaches it with its leading axes in place (the
 * same rank, or one less through an `Embedding` of int32 indices); else batch 0.
 */
function inputAxes(shapes: Map<AnyModule, Shapes>, sample: Tensor): Axes {
  const rank = sample.ndim;
  for (const [m, s] of shapes) {
    const batchFirst = layoutOf(m);
    if (batchFirst === undefined) continue;
    const r = s.input.length;
    if (r !== rank && !(r === rank + 1 && sample.dtype === 'int32')) break;
    if (r === 2) return { batch: null, seq: 0 };
    return batchFirst ? { batch: 0, seq: 1 } : { batch: 1, seq: 0 };
  }
  return { batch: rank > 0 ? 0 : null, seq: null };
}

/**
 * The axis of `base` that is `n` and becomes `n + by` in `changed` while every other axis
 * stays (and that `other`, the run with the other axis changed, leaves alone), or null.
 */
function changedAxis(base: readonly number[], changed: readonly number[] | undefined, other: readonly number[] | undefined, n: number, by: number): number | null {
  if (changed === undefined || changed.length !== base.length) return null;
  let found: number | null = null;
  for (let i = 0; i < base.length; i++) {
    if (changed[i] === base[i]) continue;
    if (found !== null || base[i] !== n || changed[i] !== n + by) return null;
    found = i;
  }
  if (found !== null && other !== undefined && other[found] !== base[found]) return null;
  return found;
}

/** The shapes of a run on the sample with one axis changed, and by how much (+1 or −1). */
interface ChangedRun {
  shapes: Map<AnyModule, Shapes>;
  by: 1 | -1;
}

/**
 * The shapes of a run on `sample` with `axis` one longer (its first slice repeated), or,
 * when the model refuses that and the axis has two or more entries, one shorter: a model
 * with a longest input (a GPT's block size) refuses one more token of a sample at its longest.
 */
function changedRun(model: Module, sample: Tensor, axis: number, what: 'batch' | 'sequence'): ChangedRun {
  const option = what === 'batch' ? 'dynamicBatch' : 'dynamicSequence';
  const n = sample.shape[axis]!;
  if (n === 0) throw new OnnxError(`ONNX export: ${option} needs a sample with a nonempty ${what} axis, got [${sample.shape.join(', ')}]`);
  const longer = noGrad(() => concat([sample, narrow(sample, axis, 0, 1)], axis));
  try {
    return { shapes: recordShapes(model, longer), by: 1 };
  } catch (e) {
    if (n >= 2) {
      const shorter = noGrad(() => contiguous(narrow(sample, axis, 0, n - 1)));
      try {
        return { shapes: recordShapes(model, shorter), by: -1 };
      } catch {
        // Reported below with the longer run's reason.
      }
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new OnnxError(`ONNX export: ${option} needs a model that runs at any ${what} size, and this one fails with the sample's axis ${axis} one longer (${why}); export with ${option}: false`);
  }
}

/**
 * Runs `model` on `sample` (and once more per dynamic axis) and returns the shapes each
 * module saw with the batch and sequence axes of its output, and the input's axes.
 * Axes that are not dynamic are null.
 * @throws {OnnxError} when the model does not run on the sample (or on it with a dynamic
 * axis one longer), or for `sequence` on a model whose input has no sequence axis.
 */
export function traceAxes(model: Module, sample: Tensor, dynamic: DynamicAxes): Trace {
  const base = recordShapes(model, sample);
  const found = inputAxes(base, sample);
  const batchAxis = dynamic.batch === false ? null : found.batch;
  let seqAxis: number | null = null;
  if (dynamic.sequence === true) {
    if (found.seq === null) {
      throw new OnnxError(
        `ONNX export: dynamicSequence needs a model whose input is a sequence (read by an RNN, LSTM or GRU in a RecurrentOutput, by a transformer encoder or by GPT blocks), and ${model.constructor.name} has none`,
      );
    }
    seqAxis = found.seq;
  }
  const byBatch = batchAxis === null ? undefined : changedRun(model, sample, batchAxis, 'batch');
  const bySeq = seqAxis === null ? undefined : changedRun(model, sample, seqAxis, 'sequence');
  const n = batchAxis === null ? 0 : sample.shape[batchAxis]!;
  const t = seqAxis === null ? 0 : sample.shape[seqAxis]!;
  const seen = new Map<AnyModule, Seen>();
  for (const [m, s] of base) {
    const [b, q] = [byBatch?.shapes.get(m)?.output, bySeq?.shapes.get(m)?.output];
    const axes: Axes = {
      batch: byBatch === undefined ? null : changedAxis(s.output, b, q, n, byBatch.by),
      seq: bySeq === undefined ? null : changedAxis(s.output, q, b, t, bySeq.by),
    };
    const type = typed(s.outElem, s.output, axes);
    const varies = (run: readonly number[] | undefined, i: number): boolean => run !== undefined && run[i] !== s.output[i];
    type.dims = type.dims.map((d, i) => (typeof d === 'number' && (varies(b, i) || varies(q, i)) ? null : d));
    seen.set(m, { ...s, axes, type });
  }
  return { seen, input: { batch: batchAxis, seq: seqAxis } };
}

/** The type of a value of `shape` with `batch` and `seq_len` on its axes. */
export function typed(elem: ElemType, shape: readonly number[], axes: Axes): { elem: ElemType; dims: Dim[] } {
  const dims: Dim[] = [...shape];
  if (axes.batch !== null) dims[axes.batch] = BATCH_DIM;
  if (axes.seq !== null) dims[axes.seq] = SEQUENCE_DIM;
  return { elem, dims };
}
