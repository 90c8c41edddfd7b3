/**
 * A small builder for ONNX graphs: unique value names, nodes with typed attributes,
 * initializers, and value infos with shapes (a symbolic `batch` dimension where asked).
 * The exporter's layer visitors and the preprocessing export write through it.
 * @module
 */
import { OnnxError } from '../../../errors.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../../version.js';
import {
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  ONNX_IR_VERSION,
  OnnxAttributeType,
  OnnxDataType,
  type TensorProto,
  type ValueInfoProto,
} from '../proto.js';
import { floatTensorProto, int64TensorProto } from '../tensors.js';

/** The default operator set of the exported graphs. */
export const ONNX_EXPORT_OPSET = 17;

/** The ONNX-ML operator set the preprocessing export uses (`LabelEncoder` with string keys). */
export const ONNX_ML_OPSET = 2;

/** Element types the exporter writes. */
export type ElemType = 'float' | 'int64' | 'string' | 'bool';

const ELEM: Record<ElemType, number> = {
  float: OnnxDataType.FLOAT,
  int64: OnnxDataType.INT64,
  string: 8,
  bool: OnnxDataType.BOOL,
};

/** A dimension: a size, a symbolic name such as `batch`, or null when unknown. */
export type Dim = number | string | null;

/** A value's type and shape, for inputs, outputs and value infos. */
export interface ValueType {
  elem: ElemType;
  dims: readonly Dim[];
}

/** A float attribute. */
export function floatAttr(name: string, f: number): AttributeProto {
  return { name, type: OnnxAttributeType.FLOAT, f };
}

/** An integer attribute. */
export function intAttr(name: string, i: number): AttributeProto {
  return { name, type: OnnxAttributeType.INT, i };
}

/** A list-of-integers attribute. */
export function intsAttr(name: string, ints: readonly number[]): AttributeProto {
  return { name, type: OnnxAttributeType.INTS, ints: [...ints] };
}

/** A list-of-strings attribute (UTF-8). */
export function stringsAttr(name: string, strings: readonly string[]): AttributeProto {
  const enc = new TextEncoder();
  return { name, type: OnnxAttributeType.STRINGS, strings: strings.map((s) => enc.encode(s)) };
}

function valueInfo(name: string, t: ValueType): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[t.elem],
        shape: { dim: t.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/** Options of {@link GraphBuilder.toModel}. */
export interface ModelMeta {
  /** The graph's name. */
  graphName: string;
  /** `producer_name` (default `cortex-nn`). */
  producerName?: string;
  /** `producer_version` (default the library version). */
  producerVersion?: string;
  /** A description stored as the model's `doc_string`. */
  docString?: string;
  /** Extra `metadata_props`. */
  metadata?: Record<string, string>;
}

/**
 * Collects the parts of an ONNX graph. Names are made unique on request
 * ({@link GraphBuilder.fresh}); initializer names are kept as given, so weights keep
 * their state-dict names.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly infos = new Map<string, ValueInfoProto>();
  private readonly taken = new Set<string>();
  private readonly domains = new Map<string, number>([['', ONNX_EXPORT_OPSET]]);
  private nodeCount = 0;

  /** A value name not used yet, derived from `base` (`base`, `base_1`, `base_2`, ...). */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  private claim(name: string, what: string): void {
    if (this.taken.has(name)) throw new OnnxError(`ONNX export: two values are named '${name}' (${what}); give distinct names`);
    this.taken.add(name);
  }

  /** Declares a graph input. */
  input(name: string, t: ValueType): string {
    this.claim(name, 'graph input');
    this.inputs.push(valueInfo(name, t));
    return name;
  }

  /** Declares a graph output (an existing value). */
  output(name: string, t: ValueType): void {
    this.infos.delete(name);
    this.outputs.push(valueInfo(name, t));
  }

  /** Records the type and shape of an intermediate value. */
  describe(name: string, t: ValueType): void {
    this.infos.set(name, valueInfo(name, t));
  }

  /** Adds a float32 initializer under exactly `name` (a state-dict name) and returns the name. */
  floats(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    this.claim(name, 'initializer');
    this.initializers.push(floatTensorProto(name, dims, values));
    return name;
  }

  /** Adds a float32 constant under a fresh name derived from `base`. */
  constFloats(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push(floatTensorProto(name, dims, values));
    return name;
  }

  /** Adds an int64 constant under a fresh name derived from `base`. */
  constInts(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push(int64TensorProto(name, dims, values));
    return name;
  }

  /** Adds a string constant under a fresh name derived from `base`. */
  constStrings(base: string, dims: readonly number[], values: readonly string[]): string {
    const name = this.fresh(base);
    this.initializers.push(stringTensorProto(name, dims, values));
    return name;
  }

  /**
   * Adds a node and returns the names of its outputs (fresh names derived from
   * `outputs`, or from the op when not given). `domain` other than the default
   * (e.g. `ai.onnx.ml`) is imported at `version`.
   */
  node(
    op: string,
    inputs: readonly string[],
    options: { outputs?: readonly string[]; attrs?: readonly AttributeProto[]; name?: string; domain?: string; version?: number; type?: ValueType } = {},
  ): string[] {
    const outs = (options.outputs ?? [op.toLowerCase()]).map((o) => this.fresh(o));
    const node: NodeProto = {
      input: [...inputs],
      output: outs,
      name: this.fresh(`${options.name ?? op}#${this.nodeCount++}`),
      opType: op,
      attribute: options.attrs ? [...options.attrs] : [],
    };
    if (options.domain !== undefined && options.domain !== '') {
      node.domain = options.domain;
      this.domains.set(options.domain, options.version ?? 1);
    }
    this.nodes.push(node);
    if (options.type) for (const o of outs) this.describe(o, options.type);
    return outs;
  }

  /** {@link node} for the common case of one output; returns its name. */
  op(
    op: string,
    inputs: readonly string[],
    options: { output?: string; attrs?: readonly AttributeProto[]; name?: string; domain?: string; version?: number; type?: ValueType } = {},
  ): string {
    return this.node(op, inputs, { ...options, outputs: [options.output ?? op.toLowerCase()] })[0]!;
  }

  /**
   * Makes `value` available under `name`: renames the output of the node that produced
   * it, or adds an `Identity` node when `value` is a graph input or an initializer.
   */
  rename(value: string, name: string): string {
    if (value === name) return name;
    this.claim(name, 'graph output');
    const producer = this.nodes.find((n) => n.output?.includes(value));
    const used = this.nodes.some((n) => n.input?.includes(value));
    if (producer && !used) {
      producer.output = producer.output!.map((o) => (o === value ? name : o));
      const info = this.infos.get(value);
      this.infos.delete(value);
      if (info) this.infos.set(name, { ...info, name });
      return name;
    }
    this.nodes.push({ input: [value], output: [name], name: this.fresh(`Identity#${this.nodeCount++}`), opType: 'Identity', attribute: [] });
    return name;
  }

  /** The finished graph. */
  toGraph(name: string): GraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
      valueInfo: [...this.infos.values()],
    };
  }

  /** The finished model, with IR version 8 and the operator sets used. */
  toModel(meta: ModelMeta): ModelProto {
    const model: ModelProto = {
      irVersion: ONNX_IR_VERSION,
      producerName: meta.producerName ?? LIBRARY_NAME,
      producerVersion: meta.producerVersion ?? LIBRARY_VERSION,
      graph: this.toGraph(meta.graphName),
      opsetImport: [...this.domains].map(([domain, version]) => ({ domain, version })),
    };
    if (meta.docString !== undefined) model.docString = meta.docString;
    if (meta.metadata) model.metadataProps = Object.entries(meta.metadata).map(([key, value]) => ({ key, value }));
    return model;
  }
}

/** A constant string tensor (for `LabelEncoder` keys and class names). */
export function stringTensorProto(name: string, dims: readonly number[], values: readonly string[]): TensorProto {
  const enc = new TextEncoder();
  return { name, dims: [...dims], dataType: ELEM.string, stringData: values.map((s) => enc.encode(s)) };
}
