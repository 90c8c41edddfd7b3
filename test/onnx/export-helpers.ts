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
 *
 * Declared shapes: {@link expectInferredShapes} runs ONNX's full checker and its shape inference
 * (Debian's python3-onnx) over exported files.
 */
import { spawnSync } from 'node:child_process';
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

/** True when Debian's python3 has the onnx package ({@link expectInferredShapes} needs it). */
export const HAS_PYTHON_ONNX = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

const INFERRED_SHAPES_SCRIPT = `
import onnx, sys
from onnx import shape_inference
lenient = sys.argv[1] == 'lenient'
def dims(v):
    if not v.type.tensor_type.HasField('shape'):
        return None
    return [d.dim_param if d.HasField('dim_param') else (d.dim_value if d.HasField('dim_value') else '?') for d in v.type.tensor_type.shape.dim]
def unknown(v, inferred):
    # '?' is unknown on either side; with lenient, so is an 'unk__' symbol ONNX makes up for a
    # size it reads from a runtime shape.
    return v == '?' or (inferred and lenient and str(v).startswith('unk__'))
checked = 0
for p in sys.argv[2:]:
    m = onnx.load(p)
    onnx.checker.check_model(m, full_check=True)
    declared = {v.name: dims(v) for v in list(m.graph.value_info) + list(m.graph.output)}
    del m.graph.value_info[:]
    for o in m.graph.output:
        o.type.tensor_type.ClearField('shape')
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    got = {v.name: dims(v) for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for name, d in declared.items():
        g = got.get(name)
        # ONNX infers no shape after a Reshape to a computed shape: nothing to compare.
        if name in got and g is None:
            continue
        if g is None or len(g) != len(d) or any(not unknown(a, False) and not unknown(b, True) and a != b for a, b in zip(d, g)):
            print(p, name, 'declared', d, 'inferred', g)
        checked += 1
print('checked', checked, file=sys.stderr)
`;

/**
 * Expects every file in `paths` to pass `onnx.checker.check_model(full_check=True)` and every
 * value_info and output shape the exporter declared (symbols included) to be what ONNX's shape
 * inference derives from the declared input once the declared ones are removed. A declared `?`
 * matches anything; with `lenient`, so does an inferred `unk__` symbol (ONNX loses symbols
 * through Reshape to runtime shapes, as in attention). Checks at least one value.
 */
export function expectInferredShapes(paths: readonly string[], options: { lenient?: boolean } = {}): void {
  const r = spawnSync('/usr/bin/python3', ['-c', INFERRED_SHAPES_SCRIPT, options.lenient === true ? 'lenient' : 'strict', ...paths], { encoding: 'utf8' });
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^checked [1-9]\d*\n$/);
}
