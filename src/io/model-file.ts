/**
 * The Cortex model file, in memory: a model plus its preprocessing and metadata as one
 * safetensors buffer (layout: `docs/format.md`). This module is browser-safe: it works
 * on `Uint8Array`, `ArrayBuffer` and `Blob`. File paths are in `./node/files.ts`.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ModelFormatError } from '../errors.js';
import type { AnyModule, Module } from '../nn/module.js';
import { crc32 } from './checksum.js';
import { checkSchema } from './document.js';
import { firstDuplicateKey } from './json-keys.js';
import { buildModel, checkDeclaredTensors, describeModel, type JsonObject, type JsonValue, type LayerSpec } from './registry.js';
import {
  canonicalHeader,
  type DecodedTensor,
  decodeSafetensors,
  encodeSafetensors,
  type TensorEntry,
  type TensorRecord,
  tensorEntries,
} from './safetensors.js';
import { FORMAT_VERSION, LIBRARY_NAME, LIBRARY_VERSION, OLDEST_FORMAT_VERSION } from './version.js';

/** A feature column the model was trained on. */
export interface ColumnSchema {
  /** Column name in the CSV. */
  name: string;
  /** How the column is read. */
  type: 'numeric' | 'categorical';
  /** The categories seen in training (categorical columns). */
  categories?: string[];
}

/** What a model expects as input and produces as output. */
export interface DataSchema {
  /** Classification (class scores out) or regression (values out). */
  task: 'classification' | 'regression';
  /** The input columns, in order. */
  features: ColumnSchema[];
  /** The target column; `classes` lists class names in output order (classification). */
  target: { name: string; type: 'numeric' | 'categorical'; classes?: string[] };
  /** A column passed through to predictions unchanged, if any. */
  idColumn?: string | null;
}

/** Everything stored next to the weights. All fields are plain JSON. */
export interface ModelInfo {
  /** Input and output schema. */
  schema?: DataSchema | null;
  /** The fitted preprocessing, as produced by the pipeline's `toJSON()`. */
  preprocessing?: JsonValue | null;
  /** The training configuration, including the seed. */
  training?: JsonObject | null;
  /** The final metrics. */
  metrics?: JsonObject | null;
}

/** The JSON document stored in the safetensors `__metadata__` under the key `cortex`. */
export interface ModelDocument {
  format: 'cortex-model';
  formatVersion: number;
  kind: 'model' | 'checkpoint';
  library: { name: string; version: string };
  createdAt: string;
  architecture: LayerSpec;
  schema: DataSchema | null;
  preprocessing: JsonValue | null;
  training: JsonObject | null;
  metrics: JsonObject | null;
  /** Checkpoints only: optimizer, scheduler, RNG and epoch. */
  checkpoint?: JsonObject;
}

/** A loaded model with everything saved alongside it. */
export interface SavedModel<M extends AnyModule = Module> {
  /** The rebuilt model, in evaluation mode, with its weights loaded. */
  model: M;
  /** Input and output schema (null if none was saved). */
  schema: DataSchema | null;
  /** The fitted preprocessing as JSON (null if none was saved). */
  preprocessing: JsonValue | null;
  /** The training configuration and seed. */
  training: JsonObject | null;
  /** The final metrics. */
  metrics: JsonObject | null;
  /** The library that wrote the file. */
  library: { name: string; version: string };
  /** The format version of the file. */
  formatVersion: number;
  /** When the file was written (ISO 8601). */
  createdAt: string;
}

/** The raw pieces of a decoded Cortex file, for checkpoints. */
export interface DecodedModelFile {
  doc: ModelDocument;
  model: Module;
  /** Tensors that are not model weights (optimizer state in checkpoints). */
  extra: Map<string, DecodedTensor>;
}

const META_FORMAT = 'cortex';

/** The model's parameters and buffers with dotted names, in a stable order. */
function modelTensors(model: AnyModule): [string, Tensor][] {
  return [...model.namedParameters(), ...model.namedBuffers()];
}

function checkFinite(name: string, data: ArrayLike<number>, fail: (what: string) => ModelFormatError): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw fail(`tensor '${name}' holds a non-finite value (${v}) at flat index ${i}`);
  }
}

/** Encodes a model (and extra tensors and document fields, for checkpoints) as bytes. */
export function encodeModelFile(
  model: AnyModule,
  info: ModelInfo,
  kind: 'model' | 'checkpoint' = 'model',
  extra: [string, TensorRecord][] = [],
  checkpoint?: JsonObject,
): Uint8Array {
  const architecture = describeModel(model);
  const tensors: [string, TensorRecord][] = [];
  const seen = new Set<string>();
  const refuse = (what: string) => new ModelFormatError(`cannot save the model: ${what}`);
  for (const [name, t] of modelTensors(model)) {
    checkFinite(name, t.dataSync(), refuse);
    tensors.push([name, { data: t.dataSync(), shape: t.shape }]);
    seen.add(name);
  }
  for (const [name, t] of extra) {
    if (seen.has(name)) throw refuse(`the extra tensor name '${name}' clashes with a model tensor`);
    tensors.push([name, t]);
  }
  const doc: ModelDocument = {
    format: 'cortex-model',
    formatVersion: FORMAT_VERSION,
    kind,
    library: { name: LIBRARY_NAME, version: LIBRARY_VERSION },
    createdAt: new Date().toISOString(),
    architecture,
    schema: info.schema ?? null,
    preprocessing: info.preprocessing ?? null,
    training: info.training ?? null,
    metrics: info.metrics ?? null,
  };
  if (checkpoint) doc.checkpoint = checkpoint;
  return encodeSigned(tensors, { format: META_FORMAT, cortex: JSON.stringify(doc) });
}

/**
 * Encodes tensors and metadata strings as a safetensors buffer whose `crc32` entry is the
 * file checksum ({@link fileChecksum}); a `crc32` already in `metadata` is replaced.
 */
export function encodeSigned(tensors: Iterable<readonly [string, TensorRecord]>, metadata: Record<string, string>): Uint8Array {
  const list = [...tensors];
  const { crc32: _old, ...rest } = metadata;
  // Encode once to learn the data bytes, then again with the checksum in the header.
  const probe = encodeSafetensors(list, {});
  const headerLen = new DataView(probe.buffer).getUint32(0, true);
  return encodeSafetensors(list, { ...rest, crc32: fileChecksum(rest, tensorEntries(list), probe.subarray(8 + headerLen)) });
}

/**
 * The checksum a model file records under `crc32` (format 2): the CRC-32 of the header's
 * canonical content (every metadata string but the checksum, and every tensor's name,
 * dtype, shape and offsets) followed by the tensor data. One flipped bit anywhere in the
 * architecture, schema, preprocessing, metrics, tensor table or weights changes it.
 */
export function fileChecksum(metadata: Record<string, string>, entries: readonly TensorEntry[], dataBytes: Uint8Array): string {
  return crc32(canonicalHeader(metadata, entries, 'crc32'), dataBytes);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

function parseDocument(meta: Record<string, string>, fail: (what: string) => ModelFormatError): ModelDocument {
  if (meta.format !== META_FORMAT || meta.cortex === undefined) {
    throw fail('this is a safetensors file but not a Cortex model (its header has no Cortex metadata)');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(meta.cortex);
  } catch (e) {
    throw fail(`the Cortex metadata is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const twice = firstDuplicateKey(meta.cortex);
  if (twice !== null) throw fail(`the Cortex metadata names '${twice}' twice in one object; a reader could take either value`);
  if (!isObject(doc) || doc.format !== 'cortex-model') throw fail("the Cortex metadata has no \"format\": \"cortex-model\" entry");
  const v = doc.formatVersion;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`the format version ${JSON.stringify(v)} is not an integer`);
  if (v > FORMAT_VERSION || v < OLDEST_FORMAT_VERSION) {
    const lib = isObject(doc.library) ? ` by ${String(doc.library.name)} ${String(doc.library.version)}` : '';
    throw fail(
      v > FORMAT_VERSION
        ? `the file has format version ${v} (written${lib}), but this Cortex (${LIBRARY_VERSION}) reads version ${FORMAT_VERSION}; upgrade cortex-nn`
        : `the file has format version ${v}, which this Cortex (${LIBRARY_VERSION}) does not read (it reads versions ${OLDEST_FORMAT_VERSION} to ${FORMAT_VERSION})`,
    );
  }
  if (doc.kind !== 'model' && doc.kind !== 'checkpoint') throw fail(`unknown file kind ${JSON.stringify(doc.kind)}`);
  if (!isObject(doc.library) || typeof doc.library.version !== 'string') throw fail('the library name and version are missing');
  for (const key of ['schema', 'training', 'metrics'] as const) {
    if (doc[key] !== null && !isObject(doc[key])) throw fail(`'${key}' must be an object or null`);
  }
  return doc as unknown as ModelDocument;
}

/**
 * Decodes and fully validates a Cortex file: the safetensors structure, the format
 * version, the checksum of the tensor data, the architecture (every layer type must be
 * registered), every weight's name, shape, dtype and byte length against the rebuilt
 * architecture, and that every value is finite.
 */
export function decodeModelFile(input: Uint8Array | ArrayBuffer, source = '<buffer>'): DecodedModelFile {
  const fail = (what: string) => new ModelFormatError(`${source}: ${what}`);
  const file = decodeSafetensors(toBytes(input), source);
  const doc = parseDocument(file.metadata, fail);
  // Format 1 checksummed the tensor data only; format 2 covers the header as well.
  const whole = doc.formatVersion >= 2;
  const sum = whole ? fileChecksum(file.metadata, file.entries, file.dataBytes) : crc32(file.dataBytes);
  if (file.metadata.crc32 !== sum) {
    throw fail(
      `the ${whole ? 'file' : 'tensor data'} is corrupted: its CRC-32 is ${sum} but the header records ${String(file.metadata.crc32)}` +
        (whole ? ' (the checksum covers the architecture, schema, preprocessing, metrics, tensor table and weights)' : ''),
    );
  }
  // After the checksum, so that random damage is reported as damage rather than as a bad field.
  if (doc.schema !== null) checkSchema(doc.schema, fail);
  let model: Module;
  try {
    // Every size the architecture declares is checked against the file's tensors first,
    // so a small file cannot make us allocate gigabytes for layers it has no weights for.
    checkDeclaredTensors(doc.architecture, (name) => file.tensors.get(name)?.shape);
    model = buildModel(doc.architecture);
  } catch (e) {
    throw e instanceof ModelFormatError ? fail(e.message) : e;
  }
  const expected = modelTensors(model);
  const problems: string[] = [];
  const state: Record<string, Tensor> = {};
  for (const [name, t] of expected) {
    const got = file.tensors.get(name);
    if (got === undefined) {
      problems.push(`weight '${name}' (shape [${t.shape.join(', ')}]) is missing`);
      continue;
    }
    if (got.shape.length !== t.shape.length || got.shape.some((d, i) => d !== t.shape[i])) {
      problems.push(`weight '${name}' has shape [${got.shape.join(', ')}] but the architecture needs [${t.shape.join(', ')}]`);
      continue;
    }
    const wantInt = t.dtype === 'int32';
    if (wantInt !== (got.dtype === 'I32')) {
      problems.push(`weight '${name}' has dtype ${got.dtype} but the architecture needs ${wantInt ? 'I32' : 'F32'}`);
      continue;
    }
    checkFinite(name, got.data, fail);
    state[name] = new Tensor(got.data, [...got.shape]);
  }
  if (problems.length > 0) throw fail(problems.join('; '));
  const names = new Set(expected.map(([n]) => n));
  const extra = new Map<string, DecodedTensor>();
  const extraAllowed = doc.kind === 'checkpoint';
  for (const [name, t] of file.tensors) {
    if (names.has(name)) continue;
    if (!extraAllowed) throw fail(`tensor '${name}' does not belong to any layer of the architecture`);
    extra.set(name, t);
  }
  model.loadStateDict(state);
  model.eval();
  return { doc, model, extra };
}

/**
 * Serialises a model with its preprocessing and metadata into the bytes of a model file.
 *
 * @example
 * ```ts
 * const bytes = serializeModel(model, { metrics: { accuracy: 0.97 } });
 * const again = deserializeModel(bytes).model;
 * ```
 */
export function serializeModel(model: AnyModule, info: ModelInfo = {}): Uint8Array {
  return encodeModelFile(model, info);
}

/** Rebuilds a model from the bytes of a model file, validating everything (see {@link decodeModelFile}). */
/**
 * How to read a model file: `as` names the class the file's model must be. The result is then
 * typed as that class (a standalone `LSTM`, say, whose forward returns a tuple), and a file that
 * holds any other model is a {@link ModelFormatError} naming both.
 */
export interface ReadModelOptions<M extends AnyModule> {
  as: abstract new (...args: never[]) => M;
}

/** Checks a rebuilt model against {@link ReadModelOptions.as}. */
export function modelAs<M extends AnyModule>(model: AnyModule, options: ReadModelOptions<M> | undefined, source: string): M {
  if (options === undefined) return model as M;
  if (!(model instanceof options.as)) {
    throw new ModelFormatError(`${source}: the model in the file is an instance of ${model.constructor.name}, not of ${options.as.name} as asked`);
  }
  return model;
}

export function deserializeModel(input: Uint8Array | ArrayBuffer, source?: string): SavedModel;
export function deserializeModel<M extends AnyModule>(input: Uint8Array | ArrayBuffer, source: string, options: ReadModelOptions<M>): SavedModel<M>;
export function deserializeModel<M extends AnyModule>(input: Uint8Array | ArrayBuffer, source = '<buffer>', options?: ReadModelOptions<M>): SavedModel<M> {
  const { doc, model } = decodeModelFile(input, source);
  return {
    model: modelAs(model, options, source),
    schema: doc.schema,
    preprocessing: doc.preprocessing,
    training: doc.training,
    metrics: doc.metrics,
    library: doc.library,
    formatVersion: doc.formatVersion,
    createdAt: doc.createdAt,
  };
}

/** A model file as a `Blob`, for downloads in the browser. */
export function modelToBlob(model: AnyModule, info: ModelInfo = {}): Blob {
  const bytes = serializeModel(model, info);
  return new Blob([bytes.buffer as ArrayBuffer], { type: 'application/octet-stream' });
}

/** Reads a model file from a `Blob` (a `File` from an `<input>`, for example). */
export async function modelFromBlob(blob: Blob, source?: string): Promise<SavedModel>;
export async function modelFromBlob<M extends AnyModule>(blob: Blob, source: string | undefined, options: ReadModelOptions<M>): Promise<SavedModel<M>>;
export async function modelFromBlob<M extends AnyModule>(blob: Blob, source?: string, options?: ReadModelOptions<M>): Promise<SavedModel<M>> {
  const name = source ?? ('name' in blob ? String(blob.name) : '<blob>');
  const bytes = await blob.arrayBuffer();
  return options === undefined ? (deserializeModel(bytes, name) as SavedModel<M>) : deserializeModel(bytes, name, options);
}
