/**
 * The parts of an ONNX graph the interpreter needs, read once at import: the opset, each
 * node's attributes decoded to plain values, and the context an op implementation sees.
 * @module
 */
import { OnnxError } from '../../../errors.js';
import type { ModelProto, NodeProto } from '../proto.js';
import { type OnnxArray, readTensorProto } from '../tensors.js';
import type { Value } from './values.js';

/** The opsets of the default ONNX domain that the importer implements. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 17;

/** A decoded attribute: a number, a string, a list of either, or a tensor. */
export type AttrValue = number | string | number[] | string[] | OnnxArray;

/** A node ready to run: its label for error messages and its decoded attributes. */
export interface CompiledNode {
  /** The node's name, or `#index` when it has none. */
  readonly label: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

/** One implementation of an ONNX operator: the node's output values, in order. */
export type OpImpl = (ctx: OpContext) => Value[];

const decoder = new TextDecoder();

/** The version of the default domain (`""` or `"ai.onnx"`) in `model`'s opset imports. */
export function defaultOpset(model: ModelProto): number | undefined {
  for (const o of model.opsetImport ?? []) {
    if (o.domain === '' || o.domain === 'ai.onnx' || o.domain === undefined || o.domain === null) return Number(o.version ?? 0);
  }
  return undefined;
}

/**
 * The default-domain opset of `model`, checked against the range Cortex implements.
 * @throws {OnnxError} when it is missing or outside {@link MIN_OPSET}..{@link MAX_OPSET}.
 */
export function checkedOpset(model: ModelProto): number {
  const v = defaultOpset(model);
  if (v === undefined) throw new OnnxError('ONNX: the model imports no version of the default operator set (ai.onnx)');
  if (v < MIN_OPSET || v > MAX_OPSET) {
    throw new OnnxError(
      `ONNX: the model uses opset ${v} of the default domain; Cortex imports opsets ${MIN_OPSET} to ${MAX_OPSET} (re-export with opset_version between them, e.g. 17)`,
    );
  }
  return v;
}

/** A node's label in messages: its name, or its position when unnamed. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name ? node.name : `#${index}`;
}

/** The kind of an attribute written without its type field (some old exporters): from the field that is set. */
function inferredType(a: NonNullable<NodeProto['attribute']>[number]): number {
  if ((a.ints?.length ?? 0) > 0) return 7;
  if ((a.floats?.length ?? 0) > 0) return 6;
  if ((a.strings?.length ?? 0) > 0) return 8;
  if (a.t) return 4;
  if ((a.s?.length ?? 0) > 0) return 3;
  return a.f ? 1 : 2;
}

/** Decodes a node's attributes to plain values. */
export function compileNode(node: NodeProto, index: number): CompiledNode {
  const label = nodeLabel(node, index);
  const attrs = new Map<string, AttrValue>();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type || inferredType(a)) {
      case 1:
        attrs.set(name, a.f ?? 0);
        break;
      case 2:
        attrs.set(name, Number(a.i ?? 0));
        break;
      case 3:
        attrs.set(name, decoder.decode(a.s ?? new Uint8Array()));
        break;
      case 4:
        if (a.t) attrs.set(name, readTensorProto(a.t, `attribute "${name}" of node "${label}"`));
        break;
      case 6:
        attrs.set(name, [...(a.floats ?? [])]);
        break;
      case 7:
        attrs.set(name, (a.ints ?? []).map(Number));
        break;
      case 8:
        attrs.set(
          name,
          (a.strings ?? []).map((s) => decoder.decode(s)),
        );
        break;
      default:
        // Graphs and sparse tensors: only control-flow ops use them, and those are unsupported.
        break;
    }
  }
  return {
    label,
    opType: node.opType ?? '',
    domain: node.domain ?? '',
    inputs: node.input ?? [],
    outputs: node.output ?? [],
    attrs,
  };
}

/** What an op implementation sees: its inputs, attributes, the opset and the mode. */
export class OpContext {
  constructor(
    readonly node: CompiledNode,
    private readonly values: readonly (Value | undefined)[],
    /** The default-domain opset of the model (attribute and input conventions change with it). */
    readonly opset: number,
  ) {}

  /** An OnnxError naming this node and its op. */
  error(message: string): OnnxError {
    return new OnnxError(`ONNX: node "${this.node.label}" (${this.node.opType}): ${message}`, {
      node: this.node.label,
      op: this.node.opType,
    });
  }

  /** The number of inputs given (trailing optional inputs may be absent). */
  get inputCount(): number {
    return this.values.length;
  }

  /** Input `i`, which the op requires. */
  input(i: number): Value {
    const v = this.values[i];
    if (v === undefined) throw this.error(`input ${i} is required but not given`);
    return v;
  }

  /** Input `i` when given (an empty name means an omitted optional input). */
  optional(i: number): Value | undefined {
    return this.values[i];
  }

  /** Every given input, in order (for variadic ops). */
  all(): Value[] {
    return this.values.filter((v): v is Value => v !== undefined);
  }

  /** True when output `i` is consumed (it exists and has a name). */
  wants(i: number): boolean {
    return (this.node.outputs[i] ?? '') !== '';
  }

  /** The number of outputs the node declares. */
  get outputCount(): number {
    return this.node.outputs.length;
  }

  private attr(name: string): AttrValue | undefined {
    return this.node.attrs.get(name);
  }

  private number(name: string, fallback: number, kind: string): number {
    const v = this.attr(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw this.error(`attribute "${name}" must be ${kind}`);
    return v;
  }

  /** An integer attribute. */
  int(name: string, fallback: number): number {
    return this.number(name, fallback, 'an integer');
  }

  /** A float attribute. */
  float(name: string, fallback: number): number {
    return this.number(name, fallback, 'a number');
  }

  /** A list-of-integers (or floats) attribute, or undefined when absent. */
  ints(name: string): number[] | undefined {
    const v = this.attr(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'number')) throw this.error(`attribute "${name}" must be a list of numbers`);
    return v as number[];
  }

  /** A string attribute. */
  string(name: string, fallback: string): string {
    const v = this.attr(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw this.error(`attribute "${name}" must be a string`);
    return v;
  }

  /** A list-of-strings attribute, or undefined when absent. */
  strings(name: string): string[] | undefined {
    const v = this.attr(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) throw this.error(`attribute "${name}" must be a list of strings`);
    return v as string[];
  }

  /** A tensor attribute, or undefined when absent. */
  tensor(name: string): OnnxArray | undefined {
    const v = this.attr(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.error(`attribute "${name}" must be a tensor`);
    return v;
  }

  /** True when the attribute is present. */
  has(name: string): boolean {
    return this.node.attrs.has(name);
  }
}

/**
 * Orders `nodes` so that each comes after the producers of its inputs (ONNX files are
 * usually in order already; this also catches inputs that nothing produces).
 * @param known names available before any node runs: graph inputs and initializers.
 * @throws {OnnxError} naming a node whose input is produced by no node, or a cycle.
 */
export function topologicalOrder(nodes: readonly CompiledNode[], known: ReadonlySet<string>): CompiledNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '') producer.set(o, i);
  });
  const state = new Uint8Array(nodes.length);
  const order: CompiledNode[] = [];
  const visit = (i: number): void => {
    // Iterative depth-first search: graphs may be thousands of nodes deep.
    const stack: [number, number][] = [[i, 0]];
    state[i] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [j, k] = top;
      const node = nodes[j]!;
      if (k < node.inputs.length) {
        top[1] = k + 1;
        const name = node.inputs[k]!;
        if (name === '' || known.has(name)) continue;
        const p = producer.get(name);
        if (p === undefined) {
          throw new OnnxError(`ONNX: input "${name}" of node "${node.label}" (${node.opType}) is not a graph input, an initializer or any node's output`, {
            node: node.label,
            op: node.opType,
          });
        }
        if (state[p] === 1) {
          throw new OnnxError(`ONNX: the graph has a cycle through node "${node.label}" (${node.opType})`, { node: node.label, op: node.opType });
        }
        if (state[p] === 0) {
          state[p] = 1;
          stack.push([p, 0]);
        }
        continue;
      }
      stack.pop();
      state[j] = 2;
      order.push(node);
    }
  };
  nodes.forEach((_, i) => {
    if (state[i] === 0) visit(i);
  });
  return order;
}
