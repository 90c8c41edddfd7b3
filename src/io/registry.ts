/**
 * The layer registry: how each known layer class is described as data (`type` plus a
 * JSON `config`) and rebuilt from it. Loading a model looks each `type` up here and calls
 * the registered factory with validated config values. Nothing in a model file is ever
 * evaluated as code; an unknown `type` is a {@link ModelFormatError}.
 * @module
 */
import { ModelFormatError } from '../errors.js';
import { ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Dropout } from '../nn/dropout.js';
import { Embedding, Flatten, Linear } from '../nn/linear.js';
import { type AnyModule, Module } from '../nn/module.js';
import { BatchNorm1d, LayerNorm } from '../nn/norm.js';
// pooling and normalisation
import { batchNormCodec, registerCnnLayers, scratch } from './registry-cnn.js';
// recurrent layers
import { registerRnnLayers } from './registry-rnn.js';
// attention and transformers
import { registerAttentionLayers } from './registry-attention.js';
// char-gpt: the GPT language model
import { registerGptLayers } from './registry-gpt.js';

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One layer of an architecture, as stored in a model file. */
export interface LayerSpec {
  /** The registered type name, e.g. `Linear`. */
  type: string;
  /** The constructor arguments, by name. */
  config: JsonObject;
  /** Sub-layers, for containers such as `Sequential`. */
  children?: LayerSpec[];
}

/** Reads config fields with validation; a bad field is a {@link ModelFormatError} naming the layer. */
export class ConfigReader {
  constructor(
    private readonly config: JsonObject,
    /** Where the layer sits, e.g. `layer '2' (Linear)`. */
    readonly where: string,
  ) {}

  private fail(name: string, want: string, got: unknown): ModelFormatError {
    return new ModelFormatError(`${this.where}: config field '${name}' must be ${want}, got ${JSON.stringify(got) ?? 'nothing'}`);
  }

  /** A finite number, within `[min, max]` when given. */
  num(name: string, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
    const v = this.config[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw this.fail(name, `a finite number${rangeText(min, max)}`, v);
    }
    return v;
  }

  /** A safe integer, within `[min, max]` when given. */
  int(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.config[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : '';
      throw this.fail(name, `an integer${range}`, v);
    }
    return v;
  }

  /** A boolean. */
  bool(name: string): boolean {
    const v = this.config[name];
    if (typeof v !== 'boolean') throw this.fail(name, 'true or false', v);
    return v;
  }

  /** A non-empty list of positive integers. */
  dims(name: string): number[] {
    const v = this.config[name];
    if (!Array.isArray(v) || v.length === 0 || !v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
      throw this.fail(name, 'a non-empty list of positive integers', v);
    }
    return v as number[];
  }

  /** The raw value of a field, for readers of composite fields (see `registry-cnn.ts`). */
  raw(name: string): JsonValue | undefined {
    return this.config[name];
  }
}

function rangeText(min: number, max: number): string {
  if (Number.isFinite(min) && Number.isFinite(max)) return ` from ${min} to ${max}`;
  if (Number.isFinite(min)) return ` >= ${min}`;
  return Number.isFinite(max) ? ` <= ${max}` : '';
}

/** How one layer class is written to and read from a model file. */
export interface LayerCodec<M extends AnyModule = Module> {
  /** The class; a module is matched by its exact constructor. */
  readonly cls: abstract new (...args: never[]) => M;
  /** The layer's constructor arguments, read from its public fields. */
  config(m: M): JsonObject;
  /** Builds the layer from its config (and its rebuilt children, for containers). */
  create(config: ConfigReader, children: Module[]): M;
  /** True for containers whose sub-modules are stored as `children`. */
  readonly container?: boolean;
  /**
   * The parameters and buffers the layer will create for `config`, as names relative to
   * the layer and shapes, without creating them. Loading compares them with the file's
   * tensors before building anything, so a config that declares a huge layer is refused
   * without allocating it. Optional for layers registered by users.
   */
  tensors?(config: ConfigReader): [string, number[]][];
  /**
   * The layer builds its sub-modules itself from its config (as `MultiheadAttention` builds
   * `out_proj`): they are not stored as `children`, and `tensors` lists theirs too, by
   * dotted name (`out_proj.weight`).
   */
  readonly ownsSubmodules?: boolean;
}

/**
 * How deep containers may nest in a model file. Real models nest a few levels; a file
 * nested thousands deep would otherwise exhaust the stack while loading.
 */
export const MAX_MODEL_DEPTH = 64;

/** Dimensions of a tensor, for the dimension arguments of layers (softmax, flatten). */
const MAX_DIM = 16;

const byType = new Map<string, LayerCodec>();
const byClass = new Map<unknown, string>();

/**
 * Registers a layer class under `type`, so models containing it can be saved and loaded.
 * Built-in layers are registered already.
 *
 * @example
 * ```ts
 * registerLayer('Scale', { cls: Scale, config: (m) => ({ k: m.k }), create: (c) => new Scale(c.num('k')) });
 * ```
 */
export function registerLayer<M extends AnyModule>(type: string, codec: LayerCodec<M>): void {
  byType.set(type, codec as unknown as LayerCodec);
  byClass.set(codec.cls, type);
}

/** The registered type names. */
export function registeredLayers(): string[] {
  return [...byType.keys()];
}

const simple = <M extends Module>(cls: new () => M): LayerCodec<M> => ({ cls, config: () => ({}), create: () => new cls(), tensors: () => [] });

/**
 * Bounds on scalar layer options read from files: wide enough for any model trained in
 * earnest, narrow enough that a corrupt value cannot turn ordinary inputs into infinities.
 */
const MAX_SLOPE = 1e3;

registerLayer('Sequential', {
  cls: Sequential,
  container: true,
  config: () => ({}),
  create: (_c, children) => new Sequential(...children),
  tensors: () => [],
});
registerLayer('Linear', {
  cls: Linear,
  config: (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
  create: (c) => new Linear(c.int('inFeatures', 1), c.int('outFeatures', 1), { bias: c.bool('bias'), ...scratch() }),
  tensors: (c) => {
    const out = c.int('outFeatures', 1);
    const list: [string, number[]][] = [['weight', [out, c.int('inFeatures', 1)]]];
    if (c.bool('bias')) list.push(['bias', [out]]);
    return list;
  },
});
registerLayer('Flatten', {
  cls: Flatten,
  config: (m) => ({ startDim: m.startDim, endDim: m.endDim }),
  create: (c) => {
    const start = c.int('startDim', -MAX_DIM, MAX_DIM - 1);
    const end = c.int('endDim', -MAX_DIM, MAX_DIM - 1);
    if (Math.sign(start + 0.5) === Math.sign(end + 0.5) && start > end) {
      throw new ModelFormatError(`${c.where}: startDim ${start} comes after endDim ${end}`);
    }
    return new Flatten(start, end);
  },
  tensors: () => [],
});
registerLayer('Embedding', {
  cls: Embedding,
  config: (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim }),
  create: (c) => new Embedding(c.int('numEmbeddings', 1), c.int('embeddingDim', 1), scratch()),
  tensors: (c) => [['weight', [c.int('numEmbeddings', 1), c.int('embeddingDim', 1)]]],
});
registerLayer('Identity', simple(Identity));
registerLayer('Sigmoid', simple(Sigmoid));
registerLayer('Tanh', simple(Tanh));
registerLayer('ReLU', simple(ReLU));
registerLayer('GELU', simple(GELU));
registerLayer('Softplus', simple(Softplus));
registerLayer('LeakyReLU', {
  cls: LeakyReLU,
  config: (m) => ({ negativeSlope: m.negativeSlope }),
  create: (c) => new LeakyReLU(c.num('negativeSlope', -MAX_SLOPE, MAX_SLOPE)),
  tensors: () => [],
});
registerLayer('ELU', { cls: ELU, config: (m) => ({ alpha: m.alpha }), create: (c) => new ELU(c.num('alpha', -MAX_SLOPE, MAX_SLOPE)), tensors: () => [] });
registerLayer('Softmax', {
  cls: Softmax,
  config: (m) => ({ dim: m.dim }),
  create: (c) => new Softmax(c.int('dim', -MAX_DIM, MAX_DIM - 1)),
  tensors: () => [],
});
registerLayer('LogSoftmax', {
  cls: LogSoftmax,
  config: (m) => ({ dim: m.dim }),
  create: (c) => new LogSoftmax(c.int('dim', -MAX_DIM, MAX_DIM - 1)),
  tensors: () => [],
});
registerLayer('Dropout', { cls: Dropout, config: (m) => ({ p: m.p }), create: (c) => new Dropout(c.num('p', 0, 1)), tensors: () => [] });
/** A LayerNorm's `bias` flag; files from before the option have none and a shift with every scale. */
const layerNormBias = (c: ConfigReader): boolean => (c.raw('bias') === undefined ? c.bool('elementwiseAffine') : c.bool('bias'));
registerLayer('LayerNorm', {
  cls: LayerNorm,
  // `bias` is absent from files written before LayerNorm had the option: the shift came with the scale.
  config: (m) => ({ normalizedShape: [...m.normalizedShape], eps: m.eps, elementwiseAffine: m.weight !== null, bias: m.bias !== null }),
  create: (c) =>
    new LayerNorm(c.dims('normalizedShape'), { eps: c.num('eps', 0, 1), elementwiseAffine: c.bool('elementwiseAffine'), bias: layerNormBias(c) }),
  tensors: (c) => {
    const shape = c.dims('normalizedShape');
    if (!c.bool('elementwiseAffine')) return [];
    return layerNormBias(c) ? [['weight', shape], ['bias', shape]] : [['weight', shape]];
  },
});
registerLayer('BatchNorm1d', batchNormCodec(BatchNorm1d));

registerCnnLayers(registerLayer);
// recurrent layers
registerRnnLayers(registerLayer);
// attention and transformers
registerAttentionLayers(registerLayer);

function label(path: string, type: string): string {
  return path === '' ? `the model (${type})` : `layer '${path}' (${type})`;
}

/**
 * Describes `model` as a {@link LayerSpec} tree. Every module in it must be registered
 * (see {@link registerLayer}); otherwise a {@link ModelFormatError} names the first one
 * that is not.
 */
export function describeModel(model: AnyModule, path = ''): LayerSpec {
  const type = byClass.get(model.constructor);
  const codec = type === undefined ? undefined : byType.get(type);
  if (type === undefined || codec === undefined) {
    throw new ModelFormatError(
      `cannot save ${label(path, model.constructor.name)}: its class is not in the layer registry; register it with registerLayer() (known: ${registeredLayers().join(', ')})`,
    );
  }
  // The class is matched exactly, so `model` is an instance of the codec's layer class.
  const spec: LayerSpec = { type, config: codec.config(model as Module) };
  const kids = model.namedChildren();
  if (codec.container) {
    spec.children = kids.map(([name, m]) => describeModel(m, path === '' ? name : `${path}.${name}`));
  } else if (kids.length > 0 && codec.ownsSubmodules !== true) {
    throw new ModelFormatError(`cannot save ${label(path, type)}: it has sub-modules but is not registered as a container`);
  }
  return spec;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Rebuilds a model from a {@link LayerSpec} tree (untrusted data from a file). Unknown
 * types, missing or ill-typed config fields, and values a constructor rejects are all
 * {@link ModelFormatError}s naming the layer.
 */
export function buildModel(spec: unknown, path = '', depth = 0): Module {
  const { codec, type, config, children } = readNode(spec, path, depth);
  let kids: Module[] = [];
  if (codec.container) {
    kids = children.map((c, i) => buildModel(c, path === '' ? String(i) : `${path}.${i}`, depth + 1));
  }
  const reader = new ConfigReader(config, label(path, type));
  try {
    const m = codec.create(reader, kids);
    if (!(m instanceof Module)) throw new ModelFormatError(`${label(path, type)}: the factory did not return a Module`);
    return m;
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`${label(path, type)}: invalid config (${e instanceof Error ? e.message : String(e)})`);
  }
}

interface SpecNode {
  codec: LayerCodec;
  type: string;
  config: JsonObject;
  children: unknown[];
}

/** Checks one node of an untrusted architecture tree: its type, config and children. */
function readNode(spec: unknown, path: string, depth: number): SpecNode {
  const where = path === '' ? 'the architecture' : `architecture layer '${path}'`;
  if (depth > MAX_MODEL_DEPTH) {
    throw new ModelFormatError(`${where} is nested more than ${MAX_MODEL_DEPTH} containers deep; this is not a model Cortex wrote`);
  }
  if (!isObject(spec)) throw new ModelFormatError(`${where} is not an object`);
  const { type, config, children } = spec;
  if (typeof type !== 'string') throw new ModelFormatError(`${where} has no 'type' string`);
  const codec = byType.get(type);
  if (codec === undefined) {
    throw new ModelFormatError(`${where} has unknown layer type '${type}'; the known types are ${registeredLayers().join(', ')}`);
  }
  if (!isObject(config)) throw new ModelFormatError(`${label(path, type)}: 'config' is not an object`);
  if (codec.container) {
    if (!Array.isArray(children)) throw new ModelFormatError(`${label(path, type)}: 'children' must be a list`);
    return { codec, type, config: config as JsonObject, children };
  }
  if (children !== undefined) throw new ModelFormatError(`${label(path, type)}: a ${type} has no children`);
  return { codec, type, config: config as JsonObject, children: [] };
}

/**
 * Compares every parameter and buffer an untrusted architecture declares (through the
 * codecs' `tensors`) with the tensors a file holds, before any layer is built: a missing
 * tensor or a different shape is a {@link ModelFormatError} listing every mismatch. A
 * file can then only make us allocate what its own bytes hold. Layers whose codec does
 * not declare its tensors are checked after building, as before.
 *
 * @param shapeOf - the shape of the file's tensor with that full name, or undefined.
 */
export function checkDeclaredTensors(spec: unknown, shapeOf: (name: string) => readonly number[] | undefined): void {
  const problems: string[] = [];
  const walk = (node: unknown, path: string, depth: number): void => {
    const { codec, type, config, children } = readNode(node, path, depth);
    children.forEach((c, i) => {
      walk(c, path === '' ? String(i) : `${path}.${i}`, depth + 1);
    });
    if (codec.tensors === undefined) return;
    for (const [name, shape] of codec.tensors(new ConfigReader(config, label(path, type)))) {
      const full = path === '' ? name : `${path}.${name}`;
      const got = shapeOf(full);
      if (got === undefined) problems.push(`weight '${full}' (shape [${shape.join(', ')}]) is missing`);
      else if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
        problems.push(`weight '${full}' has shape [${got.join(', ')}] but the architecture needs [${shape.join(', ')}]`);
      }
    }
  };
  walk(spec, '', 0);
  if (problems.length > 0) throw new ModelFormatError(problems.join('; '));
}

// char-gpt: the GPT language model
registerGptLayers(registerLayer);
