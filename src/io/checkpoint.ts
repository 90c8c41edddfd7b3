/**
 * Checkpoints, in memory (browser-safe): a model file that also holds the optimizer
 * state, the scheduler state, the generator state and the epoch, so training can stop
 * and resume with bit-identical results. Optimizer buffers are stored as tensors
 * (`optimizer/<param>/<key>`); everything else is JSON inside the model document.
 * @module
 */
import { ModelFormatError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import type { SchedulerStateDict } from '../optim/scheduler.js';
import type { GeneratorState } from '../tensor/random.js';
import { decodeModelFile, encodeModelFile, type ModelInfo } from './model-file.js';
import type { JsonObject, JsonValue } from './registry.js';
import type { TensorRecord } from './safetensors.js';

/** What a checkpoint needs from an optimizer. */
export interface CheckpointOptimizer {
  stateDict(): OptimizerStateDict;
  loadStateDict(sd: OptimizerStateDict): void;
}

/** What a checkpoint needs from a scheduler. */
export interface CheckpointScheduler {
  stateDict(): SchedulerStateDict;
  loadStateDict(sd: SchedulerStateDict): void;
}

/** What a checkpoint needs from a generator. */
export interface CheckpointGenerator {
  getState(): GeneratorState;
  setState(state: GeneratorState): unknown;
}

/** The training state to save. */
export interface CheckpointInput {
  /** The model being trained. */
  model: Module;
  /** The number of completed epochs. */
  epoch: number;
  /** The optimizer (its buffers and hyperparameters are saved). */
  optimizer?: CheckpointOptimizer | null;
  /** The learning-rate scheduler. */
  scheduler?: CheckpointScheduler | null;
  /** The generator driving shuffling and dropout. */
  generator?: CheckpointGenerator | null;
  /** Schema, preprocessing, configuration and metrics, as for a model file. */
  info?: ModelInfo;
  /** Anything else to carry over (for example the history so far). Plain JSON. */
  extra?: JsonValue;
}

/** A checkpoint read back. */
export interface Checkpoint {
  /** The rebuilt model with the saved weights (in training mode). */
  model: Module;
  /** The number of completed epochs. */
  epoch: number;
  /** The optimizer state, or null. */
  optimizer: OptimizerStateDict | null;
  /** The scheduler state, or null. */
  scheduler: SchedulerStateDict | null;
  /** The generator state, or null. */
  generator: GeneratorState | null;
  /** Schema, preprocessing, configuration and metrics. */
  info: ModelInfo;
  /** The `extra` value given when saving (null if none). */
  extra: JsonValue;
}

const PREFIX = 'optimizer/';

/** JSON cannot hold NaN or ±Infinity (a plateau scheduler's `best` starts at Infinity). */
function encodeNumbers(v: unknown): JsonValue {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (Array.isArray(v)) return v.map(encodeNumbers);
  if (typeof v === 'object' && v !== null) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeNumbers(x);
    return out;
  }
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  throw new ModelFormatError(`cannot save a checkpoint value of type ${typeof v}`);
}

function decodeNumbers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeNumbers);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$number' && typeof o.$number === 'string') return Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeNumbers(x);
    return out;
  }
  return v;
}

/** Stores `values` exactly: float32 when every value fits, float64 otherwise. */
function exactStorage(values: readonly number[]): Float32Array | Float64Array {
  const f32 = Float32Array.from(values);
  for (let i = 0; i < values.length; i++) if (f32[i] !== values[i] && !Number.isNaN(values[i])) return Float64Array.from(values);
  return f32;
}

/**
 * Encodes a checkpoint as the bytes of a Cortex file of kind `checkpoint`.
 *
 * @example
 * ```ts
 * const bytes = serializeCheckpoint({ model, optimizer: opt, generator: gen, epoch: 5 });
 * ```
 */
export function serializeCheckpoint(input: CheckpointInput): Uint8Array {
  if (!Number.isInteger(input.epoch) || input.epoch < 0) {
    throw new ModelFormatError(`cannot save a checkpoint: epoch must be a non-negative integer, got ${input.epoch}`);
  }
  const tensors: [string, TensorRecord][] = [];
  let optimizer: JsonValue = null;
  if (input.optimizer) {
    const sd = input.optimizer.stateDict();
    const state: JsonObject = {};
    for (const [idx, entry] of Object.entries(sd.state)) {
      const out: JsonObject = {};
      for (const [key, v] of Object.entries(entry)) {
        if (typeof v === 'number') {
          out[key] = encodeNumbers(v);
        } else {
          const name = `${PREFIX}${idx}/${key}`;
          tensors.push([name, { data: exactStorage(v), shape: [v.length] }]);
          out[key] = { $tensor: name };
        }
      }
      state[idx] = out;
    }
    optimizer = { state, paramGroups: encodeNumbers(sd.paramGroups) };
  }
  const checkpoint: JsonObject = {
    epoch: input.epoch,
    optimizer,
    scheduler: input.scheduler ? encodeNumbers(input.scheduler.stateDict()) : null,
    generator: input.generator ? encodeNumbers(input.generator.getState()) : null,
    extra: encodeNumbers(input.extra ?? null),
  };
  return encodeModelFile(input.model, input.info ?? {}, 'checkpoint', tensors, checkpoint);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes a checkpoint, validating it like a model file and checking that every
 * optimizer buffer it refers to is present.
 */
export function deserializeCheckpoint(input: Uint8Array | ArrayBuffer, source = '<buffer>'): Checkpoint {
  const fail = (what: string) => new ModelFormatError(`${source}: ${what}`);
  const { doc, model, extra } = decodeModelFile(input, source);
  if (doc.kind !== 'checkpoint' || !isObject(doc.checkpoint)) {
    throw fail('this is a model file, not a checkpoint (it has no optimizer, generator or epoch state)');
  }
  const c = doc.checkpoint;
  if (typeof c.epoch !== 'number' || !Number.isInteger(c.epoch) || c.epoch < 0) throw fail(`the checkpoint epoch ${JSON.stringify(c.epoch)} is not valid`);
  let optimizer: OptimizerStateDict | null = null;
  const used = new Set<string>();
  if (c.optimizer !== null) {
    if (!isObject(c.optimizer) || !isObject(c.optimizer.state) || !Array.isArray(c.optimizer.paramGroups)) {
      throw fail('the optimizer state is malformed');
    }
    const state: OptimizerStateDict['state'] = {};
    for (const [idx, entry] of Object.entries(c.optimizer.state)) {
      if (!isObject(entry)) throw fail(`the optimizer state of parameter ${idx} is malformed`);
      const out: Record<string, number[] | number> = {};
      for (const [key, v] of Object.entries(entry)) {
        if (isObject(v) && typeof v.$tensor === 'string') {
          const t = extra.get(v.$tensor);
          if (t === undefined) throw fail(`the optimizer buffer '${v.$tensor}' is missing from the tensor data`);
          used.add(v.$tensor);
          out[key] = Array.from(t.data);
        } else {
          const n = decodeNumbers(v);
          if (typeof n !== 'number') throw fail(`the optimizer state '${key}' of parameter ${idx} is not a number`);
          out[key] = n;
        }
      }
      state[idx] = out;
    }
    optimizer = { state, paramGroups: decodeNumbers(c.optimizer.paramGroups) as OptimizerStateDict['paramGroups'] };
  }
  for (const name of extra.keys()) if (!used.has(name)) throw fail(`tensor '${name}' is not referred to by the checkpoint`);
  const generator = decodeNumbers(c.generator) as GeneratorState | null;
  if (generator !== null && (!isObject(generator) || !Array.isArray(generator.s) || generator.s.length !== 4)) {
    throw fail('the generator state is malformed');
  }
  model.train();
  return {
    model,
    epoch: c.epoch,
    optimizer,
    scheduler: decodeNumbers(c.scheduler) as SchedulerStateDict | null,
    generator,
    info: { schema: doc.schema, preprocessing: doc.preprocessing, training: doc.training, metrics: doc.metrics },
    extra: (decodeNumbers(c.extra) ?? null) as JsonValue,
  };
}

/**
 * Restores a checkpoint into existing training objects: the weights into `model`, and
 * the optimizer, scheduler and generator states into those given. Build the optimizer
 * over `model.parameters()` in the same order as when the checkpoint was saved.
 *
 * @example
 * ```ts
 * const ckpt = deserializeCheckpoint(bytes);
 * restoreCheckpoint(ckpt, { model, optimizer: opt, generator: gen });
 * ```
 */
export function restoreCheckpoint(
  ckpt: Checkpoint,
  into: { model?: Module; optimizer?: CheckpointOptimizer; scheduler?: CheckpointScheduler; generator?: CheckpointGenerator },
): void {
  const need = (what: string) => new ModelFormatError(`restoreCheckpoint: the checkpoint has no ${what} state`);
  if (into.model) into.model.loadStateDict(ckpt.model.stateDict());
  if (into.optimizer) {
    if (!ckpt.optimizer) throw need('optimizer');
    into.optimizer.loadStateDict(ckpt.optimizer);
  }
  if (into.scheduler) {
    if (!ckpt.scheduler) throw need('scheduler');
    into.scheduler.loadStateDict(ckpt.scheduler);
  }
  if (into.generator) {
    if (!ckpt.generator) throw need('generator');
    into.generator.setState(ckpt.generator);
  }
}
