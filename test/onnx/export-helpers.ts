/**
 * Shared by the ONNX export tests: running exported bytes in onnxruntime-node and
 * comparing with Cortex.
 *
 * Tolerance: the error of an output is max|ort − cortex| / max(max|cortex|, 1e-6), the
 * largest absolute difference relative to the largest magnitude of Cortex's output; it
 * must be at most 1e-5.
 *
 * Tidiness: {@link unusedInitializers} lists the constants of an exported graph that no node
 * reads (onnxruntime warns about and drops them); the export tests expect none.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { decodeModelProto } from '../../src/io/onnx/index.js';
import type { GraphProto } from '../../src/io/onnx/proto.js';

/** The relative error bound of every comparison with onnxruntime. */
export const REL_TOL = 1e-5;

/** max|a − b| / max(max|b|, 1e-6). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff / scale;
}

/** Runs the model with `feeds` and returns every output, as float arrays (or strings) with dims. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, { data: Float32Array | string[] | BigInt64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  const result: Record<string, { data: Float32Array | string[] | BigInt64Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(out)) {
    const d = v.data;
    result[k] = { data: d instanceof Float32Array || d instanceof BigInt64Array ? d : Array.from(d as ArrayLike<unknown>, String), dims: v.dims };
  }
  await session.release();
  return result;
}

/** A float32 ORT tensor. */
export function floatTensor(data: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(data), dims);
}

/** An int64 ORT tensor. */
export function int64Tensor(data: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
}

/** A string ORT tensor. */
export function stringTensor(data: readonly string[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('string', [...data], dims);
}

/** The largest relative error seen per test case, printed at the end by the suites. */
export const measured: Record<string, number> = {};

/** Every value name a graph (and the subgraphs of its nodes' attributes) reads: node inputs and graph outputs. */
function readNames(graph: GraphProto, into: Set<string>): Set<string> {
  for (const node of graph.node ?? []) {
    for (const i of node.input ?? []) into.add(i);
    for (const a of node.attribute ?? []) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) readNames(sub, into);
  }
  for (const o of graph.output ?? []) if (o.name) into.add(o.name);
  return into;
}

/** The names of the initializers of the model in `bytes` that no node reads and no graph output is. */
export function unusedInitializers(bytes: Uint8Array): string[] {
  const graph = decodeModelProto(bytes).graph!;
  const read = readNames(graph, new Set());
  return (graph.initializer ?? []).map((t) => t.name ?? '').filter((name) => !read.has(name));
}

/** Expects every initializer of the exported model in `bytes` to be read by some node or be a graph output. */
export function expectNoUnusedInitializers(bytes: Uint8Array, what = 'exported model'): void {
  expect(unusedInitializers(bytes), `${what}: initializers no node reads`).toEqual([]);
}
