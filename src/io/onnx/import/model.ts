/**
 * `importOnnx`: an ONNX model as a trainable Cortex {@link Module} that interprets the
 * graph node by node with Cortex's differentiable ops.
 * @module
 */
import { noGrad } from '../../../autograd/engine.js';
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError, ShapeError } from '../../../errors.js';
import type { FloatArray } from '../../../tensor/dtype.js';
import { Module, Parameter } from '../../../nn/module.js';
import { decodeModelProto, type ModelProto, type ValueInfoProto } from '../proto.js';
import { readTensorProto } from '../tensors.js';
import { type CompiledNode, checkedOpset, compileNode, OpContext, type OpImpl, topologicalOrder } from './graph.js';
import { EXTRA_OPS } from './ops-extra.js';
import { MATH_OPS } from './ops-math.js';
import { NN_OPS } from './ops-nn.js';
import { RESIZE_OPS } from './ops-resize.js';
import { RNN_OPS } from './ops-rnn.js';
import { SHAPE_OPS } from './ops-shape.js';
import { arrayValue, floatValue, isFloatType, typedValue, type Value } from './values.js';

/** Every operator of the default ONNX domain that the importer implements, by op type. */
const OPS: Readonly<Record<string, OpImpl>> = { ...MATH_OPS, ...EXTRA_OPS, ...SHAPE_OPS, ...NN_OPS, ...RESIZE_OPS, ...RNN_OPS };

/** The ONNX op types (default domain) that {@link importOnnx} supports, sorted. */
export function supportedOnnxOps(): string[] {
  return Object.keys(OPS).sort();
}

/** True when {@link importOnnx} implements `opType` of `domain` (`""` or `"ai.onnx"` is the default domain). */
export function isSupportedOnnxOp(opType: string, domain = ''): boolean {
  return (domain === '' || domain === 'ai.onnx') && Object.hasOwn(OPS, opType);
}

/** Options of {@link importOnnx}. */
export interface ImportOnnxOptions {
  /**
   * Decides which float initializers become trainable {@link Parameter}s (the others are
   * buffers: saved in the state dict, never trained). By default every float initializer
   * is a parameter except scalars and the running mean and variance of BatchNormalization.
   */
  trainable?: (name: string, dims: readonly number[]) => boolean;
}

/** A named graph input or output with its declared element type and shape (a string for a symbolic dimension). */
export interface OnnxIO {
  name: string;
  /** The ONNX element type (`TensorProto.DataType`), 0 when not declared. */
  type: number;
  /** The declared dimensions: numbers, names of symbolic dimensions (e.g. "batch"), or null when unknown. */
  shape: (number | string | null)[] | null;
}

/** Reads the declared type and shape of a graph input or output. */
export function ioOf(v: ValueInfoProto): OnnxIO {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim;
  return {
    name: v.name ?? '',
    type: t?.elemType ?? 0,
    shape: dims === undefined || dims === null || !t?.shape ? null : dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : null)),
  };
}

/** A container for the parameters under one dotted prefix (e.g. `encoder.layers.0`). */
class OnnxScope extends Module {
  /** Registers a Parameter as a parameter, any other tensor as a buffer, under `name`. */
  add(name: string, t: Tensor): void {
    if (t instanceof Parameter) this.param(name, t);
    else this.buffer(name, t);
  }
  /** The scope for `name`, created on first use. */
  scope(name: string): OnnxScope {
    const found = this.namedChildren().find(([n]) => n === name)?.[1];
    return found instanceof OnnxScope ? found : this.module(name, new OnnxScope());
  }
  forward(x: Tensor): Tensor {
    throw new OnnxError(`OnnxScope holds the parameters of an imported ONNX model and has no forward of its own (called with [${x.shape}])`);
  }
}

/** One segment of a parameter name made safe for a module name: no dots, nothing but [A-Za-z0-9_]. */
function sanitize(segment: string): string {
  const s = segment.replace(/[^A-Za-z0-9_]/g, '_');
  return s === '' ? '_' : s;
}

/**
 * An imported ONNX graph as a Cortex module. Float initializers are {@link Parameter}s (so
 * `parameters()`, optimizers and state dicts work and gradients flow into them) under their
 * ONNX names with dots kept as the module hierarchy and other characters made `_`
 * (`encoder.layers.0.norm1.weight`, `onnx__MatMul_256`). Integer initializers and
 * `Constant` nodes stay constants. `forward` evaluates the nodes in topological order;
 * nodes that depend only on constants (shape arithmetic, constant folding left undone) are
 * evaluated once at import.
 *
 * The graph is an inference graph: BatchNormalization uses its running statistics and
 * Dropout passes its input through, also in training mode.
 */
export class OnnxModel extends Module<Tensor[], Tensor> {
  /** The names of the graph inputs `forward` takes, in order. */
  readonly inputNames: readonly string[];
  /** The names of the graph outputs {@link OnnxModel.run} returns, in order; `forward` returns the first. */
  readonly outputNames: readonly string[];
  /** The declared inputs and outputs with their element types and shapes. */
  readonly inputs: readonly OnnxIO[];
  readonly outputs: readonly OnnxIO[];
  /** The default-domain opset of the model. */
  readonly opset: number;
  /** The producer recorded in the file, e.g. `"pytorch 1.13.0"`. */
  readonly producer: string;
  private readonly nodes: CompiledNode[];
  private readonly fixed = new Map<string, Value>();
  private readonly weights = new Map<string, Value>();
  private readonly names = new Map<string, string>();
  private readonly lastUse = new Map<string, number>();

  /** Builds the module from a decoded model; use {@link importOnnx} for bytes. */
  constructor(proto: ModelProto, opts: ImportOnnxOptions = {}) {
    super();
    const graph = proto.graph;
    if (!graph) throw new OnnxError('ONNX: the model has no graph');
    this.opset = checkedOpset(proto);
    this.producer = `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim();
    const compiled = (graph.node ?? []).map((n, i) => compileNode(n, i));
    for (const n of compiled) {
      if (!isSupportedOnnxOp(n.opType, n.domain)) {
        const domain = n.domain === '' ? 'ai.onnx' : n.domain;
        const missing = [...new Set(compiled.filter((m) => !isSupportedOnnxOp(m.opType, m.domain)).map((m) => m.opType))];
        throw new OnnxError(
          `ONNX: node "${n.label}" uses op ${n.opType} (domain ${domain}), which Cortex cannot import; unsupported ops in this model: ${missing.join(', ')}`,
          { node: n.label, op: n.opType },
        );
      }
    }
    const inits = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    this.inputs = (graph.input ?? []).filter((v) => !inits.has(v.name ?? '')).map(ioOf);
    this.outputs = (graph.output ?? []).map(ioOf);
    this.inputNames = this.inputs.map((v) => v.name);
    this.outputNames = this.outputs.map((v) => v.name);
    this.registerInitializers(proto, compiled, opts);
    const known = new Set([...inits, ...this.inputNames]);
    const order = topologicalOrder(compiled, known);
    this.nodes = this.foldConstants(order);
    this.nodes.forEach((n, i) => {
      for (const name of n.inputs) this.lastUse.set(name, i);
    });
    for (const name of this.outputNames) {
      if (!known.has(name) && !order.some((n) => n.outputs.includes(name))) {
        throw new OnnxError(`ONNX: graph output "${name}" is produced by no node`);
      }
    }
    this.eval();
  }

  private registerInitializers(proto: ModelProto, nodes: readonly CompiledNode[], opts: ImportOnnxOptions): void {
    // Running statistics of BatchNormalization are state, not weights.
    const stats = new Set(nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => [n.inputs[3] ?? '', n.inputs[4] ?? '']));
    const trainable = opts.trainable ?? ((name: string, dims: readonly number[]) => dims.length > 0 && !stats.has(name));
    const used = new Set<string>();
    for (const init of proto.graph?.initializer ?? []) {
      const name = init.name ?? '';
      const arr = readTensorProto(init, `initializer "${name}"`);
      const value = arrayValue(arr, `initializer "${name}"`);
      if (!isFloatType(value.type)) {
        this.fixed.set(name, value);
        continue;
      }
      // Trainable weights are Parameters; the rest (BatchNorm statistics, scalars) are buffers
      // that need no gradient. Both stay out of constant folding, so loadStateDict reaches them.
      const isTrainable = trainable(name, arr.dims);
      const t = isTrainable ? new Parameter(value.t.dataSync() as FloatArray, arr.dims) : value.t;
      this.weights.set(name, floatValue(t));
      // Dotted ONNX names become the module hierarchy, so state-dict keys read like PyTorch's.
      const segments = name.split('.').map(sanitize);
      let key = segments.join('.');
      for (let k = 2; used.has(key); k++) key = `${segments.join('.')}_${k}`;
      used.add(key);
      const parts = key.split('.');
      const leaf = parts.pop()!;
      let scope: OnnxScope | null = null;
      for (const part of parts) scope = scope === null ? this.scope(part) : scope.scope(part);
      if (scope === null) {
        if (t instanceof Parameter) this.param(leaf, t);
        else this.buffer(leaf, t);
      } else scope.add(leaf, t);
      this.names.set(name, key);
    }
  }

  private scope(name: string): OnnxScope {
    const found = this.namedChildren().find(([n]) => n === name)?.[1];
    return found instanceof OnnxScope ? found : this.module(name, new OnnxScope());
  }

  /** Evaluates once every node whose inputs are all constants; returns the nodes left to run. */
  private foldConstants(order: readonly CompiledNode[]): CompiledNode[] {
    const rest: CompiledNode[] = [];
    noGrad(() => {
      for (const n of order) {
        const constant = n.inputs.every((name) => name === '' || this.fixed.has(name));
        if (!constant) {
          rest.push(n);
          continue;
        }
        const outs = this.runNode(n, this.fixed);
        n.outputs.forEach((name, i) => {
          const v = outs[i];
          if (name !== '' && v !== undefined) this.fixed.set(name, v);
        });
      }
    });
    return rest;
  }

  private runNode(n: CompiledNode, env: ReadonlyMap<string, Value>): Value[] {
    const values = n.inputs.map((name) => (name === '' ? undefined : env.get(name)));
    while (values.length > 0 && values[values.length - 1] === undefined) values.pop();
    const impl = OPS[n.opType]!;
    try {
      return impl(new OpContext(n, values, this.opset));
    } catch (e) {
      if (e instanceof OnnxError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      const shapes = values.map((v) => (v === undefined ? '-' : `[${v.t.shape.join(', ')}]`)).join(', ');
      throw new OnnxError(`ONNX: node "${n.label}" (${n.opType}) failed on inputs ${shapes}: ${why}`, { node: n.label, op: n.opType });
    }
  }

  /** The state-dict name of the parameter or buffer made from initializer `onnxName`. */
  parameterName(onnxName: string): string | undefined {
    return this.names.get(onnxName);
  }

  /**
   * Runs the graph on `inputs` (in the order of {@link OnnxModel.inputNames}, or by name)
   * and returns every graph output, in order.
   * @throws {ShapeError} when an input is missing or its rank or a fixed dimension differs from the declaration.
   */
  run(inputs: readonly Tensor[] | Readonly<Record<string, Tensor>>): Tensor[] {
    const env = new Map<string, Value>([...this.fixed, ...this.weights]);
    this.inputs.forEach((io, i) => {
      const t = Array.isArray(inputs) ? (inputs as readonly Tensor[])[i] : (inputs as Readonly<Record<string, Tensor>>)[io.name];
      if (t === undefined) throw new ShapeError(`OnnxModel: input "${io.name}" (number ${i + 1} of ${this.inputs.length}) is missing`);
      if (io.shape !== null) {
        const bad = t.ndim !== io.shape.length || io.shape.some((d, k) => typeof d === 'number' && d !== t.shape[k]);
        if (bad) throw new ShapeError(`OnnxModel: input "${io.name}" must have shape [${io.shape.map((d) => d ?? '?').join(', ')}], got [${t.shape.join(', ')}]`);
      }
      env.set(io.name, typedValue(t, io.type === 0 ? 1 : io.type));
    });
    this.nodes.forEach((n, i) => {
      const outs = this.runNode(n, env);
      n.outputs.forEach((name, k) => {
        const v = outs[k];
        if (name !== '' && v !== undefined) env.set(name, v);
      });
      // Free what no later node reads (graph outputs are kept).
      for (const name of n.inputs) {
        if (this.lastUse.get(name) === i && !this.outputNames.includes(name) && !this.fixed.has(name) && !this.weights.has(name)) env.delete(name);
      }
    });
    return this.outputNames.map((name) => {
      const v = env.get(name);
      if (v === undefined) throw new OnnxError(`ONNX: graph output "${name}" was not computed`);
      return v.t;
    });
  }

  /** Runs the graph on the inputs, in the order of {@link OnnxModel.inputNames}, and returns its first output. */
  forward(...inputs: Tensor[]): Tensor {
    return this.run(inputs)[0]!;
  }

  override extraRepr(): string {
    return `opset=${this.opset}, nodes=${this.nodes.length}, inputs=${this.inputNames.join(',')}, outputs=${this.outputNames.join(',')}`;
  }
}

/**
 * Imports an ONNX model (the bytes of a `.onnx` file, e.g. from `readFileSync` or
 * `await (await fetch(url)).arrayBuffer()`) as a trainable Cortex module.
 *
 * @example
 * ```ts
 * const model = importOnnx(new Uint8Array(readFileSync('mlp.onnx')));
 * const y = model.forward(x);               // the first graph output
 * const opt = new Adam(model.parameters()); // fine-tune it like any module
 * ```
 * @throws {ModelFormatError} when the bytes are not an ONNX model (truncated, corrupt).
 * @throws {OnnxError} for an unsupported op or opset (naming the node and op) or a malformed graph.
 */
export function importOnnx(bytes: Uint8Array | ArrayBuffer, opts: ImportOnnxOptions = {}): OnnxModel {
  return new OnnxModel(decodeModelProto(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)), opts);
}
