/**
 * Helpers of the ONNX import tests: the PyTorch fixtures, error measures, hand-built
 * models (with the encoder of src/io/onnx/proto.ts) and onnxruntime as a reference.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { type Tensor, tensor } from '../../src/index.js';
import { type AttributeProto, encodeModelProto, type TensorProto, type ValueInfoProto } from '../../src/io/onnx/proto.js';
import { floatTensorProto, int64TensorProto } from '../../src/io/onnx/tensors.js';

const dir = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

/** A tensor of a fixture: name, shape and row-major values (float32 unless `dtype` says otherwise). */
export interface FixtureTensor {
  name: string;
  shape: number[];
  data: number[];
  dtype?: 'int64' | 'bool';
}

/** One fixture written by scripts/onnx-fixtures.py. */
export interface Fixture {
  name: string;
  torch: string;
  opset: number;
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
  batch2: { inputs: FixtureTensor[]; outputs: FixtureTensor[] };
  ops: string[];
  bytes: Uint8Array;
}

/** The names of the fixtures: four models, three of them again at older opsets, and three with int64/bool inputs and upsampling. */
export const FIXTURES = [
  'mlp',
  'cnn',
  'lstm',
  'transformer',
  'cnn-opset9',
  'lstm-opset11',
  'transformer-opset11',
  'gru',
  'transformer-masks',
  'upsample',
] as const;

/** Reads fixture `name`: its .onnx bytes and its .json inputs and PyTorch outputs. */
export function loadFixture(name: string): Fixture {
  const doc = JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as Omit<Fixture, 'bytes'>;
  return { ...doc, bytes: new Uint8Array(readFileSync(`${dir}${name}.onnx`)) };
}

/** A fixture tensor as a Cortex tensor: float32, or int32 for int64 and bool inputs. */
export function toTensor(t: FixtureTensor): Tensor {
  return t.dtype === undefined ? tensor(Float32Array.from(t.data), { shape: t.shape }) : tensor(Int32Array.from(t.data), { shape: t.shape });
}

/** The largest absolute difference and the largest difference relative to max(|want|, 1). */
export function errors(got: ArrayLike<number>, want: ArrayLike<number>): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    abs = Math.max(abs, d);
    rel = Math.max(rel, d / Math.max(Math.abs(want[i]!), 1));
  }
  return { abs, rel };
}

/** An attribute of a hand-built node. */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: 2, i }),
  float: (name: string, f: number): AttributeProto => ({ name, type: 1, f }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: 7, ints }),
  floats: (name: string, floats: number[]): AttributeProto => ({ name, type: 6, floats }),
  string: (name: string, s: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: TensorProto): AttributeProto => ({ name, type: 4, t }),
};

/** A node of a hand-built model. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: AttributeProto[];
  name?: string;
  domain?: string;
}

/** A graph input or output: its name, ONNX element type (1 float32, 7 int64) and shape. */
export interface IOSpec {
  name: string;
  type?: number;
  dims?: (number | string)[];
}

function valueInfo(io: IOSpec): ValueInfoProto {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: io.type ?? 1,
        ...(io.dims ? { shape: { dim: io.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}),
      },
    },
  };
}

/** Encodes a model of `nodes` with graph inputs, float or int64 initializers and outputs. */
export function buildModel(spec: {
  nodes: NodeSpec[];
  inputs: IOSpec[];
  outputs: IOSpec[];
  initializers?: TensorProto[];
  opset?: number;
  irVersion?: number;
}): Uint8Array {
  return encodeModelProto({
    irVersion: spec.irVersion ?? 8,
    producerName: 'cortex-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: n.attrs ?? [],
      })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: spec.initializers ?? [],
    },
  });
}

export { floatTensorProto, int64TensorProto };

/**
 * Runs `bytes` in onnxruntime and returns every output's values and shape. Float tensors go
 * in as float32, int32 ones as int64, or as bool when `bools` names them.
 */
export async function ortRun(
  bytes: Uint8Array,
  feeds: Record<string, Tensor>,
  bools: readonly string[] = [],
): Promise<{ dims: number[]; data: number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const input: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) {
    const dims = [...t.shape];
    if (bools.includes(k)) input[k] = new ort.Tensor('bool', Uint8Array.from(t.dataSync()), dims);
    else if (t.dtype === 'int32') input[k] = new ort.Tensor('int64', BigInt64Array.from(t.dataSync(), (v) => BigInt(v)), dims);
    else input[k] = new ort.Tensor('float32', Float32Array.from(t.dataSync()), dims);
  }
  const out = await session.run(input);
  return session.outputNames.map((n) => {
    const t = out[n]!;
    const data = Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
    return { dims: [...t.dims], data };
  });
}
