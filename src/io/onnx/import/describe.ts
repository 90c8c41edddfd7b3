/**
 * A summary of an ONNX file without importing it: what `cortex info` prints for `.onnx`.
 * @module
 */
import { decodeModelProto } from '../proto.js';
import { defaultOpset, MAX_OPSET, MIN_OPSET } from './graph.js';
import { ioOf, isSupportedOnnxOp, type OnnxIO } from './model.js';

/** What {@link describeOnnx} reads from an ONNX file. */
export interface OnnxDescription {
  /** The producer, e.g. `"pytorch"`, and its version. */
  producer: string;
  producerVersion: string;
  irVersion: number;
  /** The operator sets the model imports (`""` is the default domain ai.onnx). */
  opsets: { domain: string; version: number }[];
  /** The graph inputs (initializers excluded) and outputs with element types and shapes. */
  inputs: OnnxIO[];
  outputs: OnnxIO[];
  /** The number of nodes of each op type, in first-seen order. */
  ops: Record<string, number>;
  nodes: number;
  /** Values in float initializers (the weights), and in all initializers. */
  parameters: number;
  initializerValues: number;
  /** Whether {@link importOnnx} can import the model, and if not, why. */
  importable: boolean;
  /** Op types Cortex does not implement (with their domain when not the default). */
  unsupportedOps: string[];
  /** Every reason the model cannot be imported (opset, unsupported ops). */
  problems: string[];
}

/**
 * Reads an ONNX file's metadata, graph signature and op counts, and checks whether
 * {@link importOnnx} supports its opset and every op, without building the model.
 * @throws {ModelFormatError} when the bytes are not an ONNX model.
 */
export function describeOnnx(bytes: Uint8Array | ArrayBuffer): OnnxDescription {
  const model = decodeModelProto(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const graph = model.graph!;
  const inits = graph.initializer ?? [];
  const initNames = new Set(inits.map((t) => t.name ?? ''));
  const ops: Record<string, number> = {};
  const unsupported = new Set<string>();
  for (const n of graph.node ?? []) {
    const op = n.opType ?? '';
    const domain = n.domain ?? '';
    const key = domain === '' || domain === 'ai.onnx' ? op : `${domain}.${op}`;
    ops[key] = (ops[key] ?? 0) + 1;
    if (!isSupportedOnnxOp(op, domain)) unsupported.add(key);
  }
  const count = (dims: readonly unknown[] | null | undefined): number => (dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
  const isFloat = (t: number | null | undefined): boolean => t === 1 || t === 10 || t === 11 || t === 16;
  const problems: string[] = [];
  const opset = defaultOpset(model);
  if (opset === undefined) problems.push('imports no version of the default operator set');
  else if (opset < MIN_OPSET || opset > MAX_OPSET) problems.push(`opset ${opset} is outside the ${MIN_OPSET} to ${MAX_OPSET} that Cortex imports`);
  if (unsupported.size > 0) problems.push(`unsupported ops: ${[...unsupported].join(', ')}`);
  return {
    producer: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    irVersion: Number(model.irVersion ?? 0),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: Number(o.version ?? 0) })),
    inputs: (graph.input ?? []).filter((v) => !initNames.has(v.name ?? '')).map(ioOf),
    outputs: (graph.output ?? []).map(ioOf),
    ops,
    nodes: (graph.node ?? []).length,
    parameters: inits.filter((t) => isFloat(t.dataType)).reduce((s, t) => s + count(t.dims), 0),
    initializerValues: inits.reduce((s, t) => s + count(t.dims), 0),
    importable: problems.length === 0,
    unsupportedOps: [...unsupported],
    problems,
  };
}
