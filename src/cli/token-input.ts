/**
 * Models that take token ids: a `GPT`, or a model whose first layer is an `Embedding`.
 * `cortex export` and `cortex info` run them on int32 ids, not on rows of float features.
 * @module
 */
import { batchedShape } from '../io/onnx/export/axes.js';
import type { JsonObject } from '../io/registry.js';
import { GPT } from '../nn/gpt.js';
import { Embedding } from '../nn/linear.js';
import type { Module } from '../nn/module.js';

/** True for a `GPT`, or a model whose first layer (the first module without children, in module order) is an `Embedding`. */
export function takesTokenIds(model: Module): boolean {
  if (model instanceof GPT) return true;
  const first = model.namedModules().find(([, m]) => m.children().length === 0);
  return first !== undefined && first[1] instanceof Embedding;
}

/** One example's length as the file's `training.inputShape` (`[seq]`) records it, or null. */
function recordedLength(training: JsonObject | null): number | null {
  const shape = training?.inputShape;
  if (!Array.isArray(shape) || shape.length !== 1) return null;
  const n = shape[0];
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/**
 * The shape of a batch of one example of token ids for a model that takes them (see
 * {@link takesTokenIds}): of the length the file records (`training.inputShape` `[seq]`),
 * up to a GPT's block size, else that block size; batched where the model reads the batch
 * (`[seq, 1]` for a time-major recurrent model). Null when the length is unknown (a model
 * that is not a GPT and whose file records none).
 */
export function tokenSampleShape(model: Module, training: JsonObject | null): number[] | null {
  const recorded = recordedLength(training);
  if (model instanceof GPT) {
    const block = model.config.blockSize;
    return [1, recorded !== null && recorded <= block ? recorded : block];
  }
  return recorded === null ? null : batchedShape(model, [recorded]);
}
