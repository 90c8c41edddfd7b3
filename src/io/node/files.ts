/**
 * Node only: saving and loading model files and checkpoints by path. Writes are atomic
 * (see `./atomic.ts`); reads validate everything (see `../model-file.ts`).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '../../errors.js';
import type { AnyModule } from '../../nn/module.js';
import { type Checkpoint, type CheckpointInput, deserializeCheckpoint, serializeCheckpoint } from '../checkpoint.js';
import { deserializeModel, type ModelInfo, type ReadModelOptions, type SavedModel, serializeModel } from '../model-file.js';
import { writeFileAtomic } from './atomic.js';

/** Reads a whole file; a missing or unreadable file is a {@link ModelFormatError} naming it. */
export async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    const why =
      code === 'ENOENT' ? 'the file does not exist' : code === 'EISDIR' ? 'it is a folder, not a file' : `it cannot be read (${code || String(e)})`;
    throw new ModelFormatError(`${path}: cannot open the model file: ${why}`);
  }
}

/**
 * Saves `model` with its preprocessing and metadata to `path`, atomically: an earlier
 * file at `path` is replaced only once the new one is complete on disk.
 *
 * @example
 * ```ts
 * await save(model, 'iris.cortex', { schema, metrics: { accuracy: 0.97 } });
 * ```
 */
export async function save(model: AnyModule, path: string, info: ModelInfo = {}): Promise<void> {
  await writeFileAtomic(path, serializeModel(model, info));
}

/**
 * Loads a model file, validating its version, layers, weight shapes, byte lengths and
 * values; any problem is a {@link ModelFormatError} naming the file and the problem.
 * With `{ as: SomeClass }` the model must be that class and is typed as it.
 *
 * @example
 * ```ts
 * const { model, schema } = await load('iris.cortex');
 * const { model: lstm } = await load('seq.cortex', { as: LSTM }); // forward gives [output, [h, c]]
 * ```
 */
export async function load(path: string): Promise<SavedModel>;
export async function load<M extends AnyModule>(path: string, options: ReadModelOptions<M>): Promise<SavedModel<M>>;
export async function load<M extends AnyModule>(path: string, options?: ReadModelOptions<M>): Promise<SavedModel<M>> {
  const bytes = await readModelBytes(path);
  return options === undefined ? (deserializeModel(bytes, path) as SavedModel<M>) : deserializeModel(bytes, path, options);
}

/** Saves a training checkpoint to `path`, atomically. */
export async function saveCheckpoint(path: string, input: CheckpointInput): Promise<void> {
  await writeFileAtomic(path, serializeCheckpoint(input));
}

/** Loads a training checkpoint; restore it with `restoreCheckpoint`. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return deserializeCheckpoint(await readModelBytes(path), path);
}
