import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { decodeModelProto, encodeModelProto } from '../../src/io/onnx/proto.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('ONNX protobuf layer', () => {
  it('the committed generated code matches proto/onnx.proto', () => {
    execFileSync(process.execPath, ['scripts/build-proto.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  });

  it('round-trips a model, with 64-bit integers as plain numbers', () => {
    const bytes = encodeModelProto({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'k', type: 2, i: 2 ** 40 }] }],
        initializer: [{ name: 'w', dims: [2, 3], dataType: 1, rawData: new Uint8Array(24) }],
      },
    });
    const m = decodeModelProto(bytes);
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport[0]?.version).toBe(17);
    expect(m.graph?.node?.[0]?.opType).toBe('Relu');
    expect(m.graph?.node?.[0]?.attribute?.[0]?.i).toBe(2 ** 40);
    expect(m.graph?.initializer?.[0]?.dims).toEqual([2, 3]);
    expect(m.graph?.initializer?.[0]?.rawData?.length).toBe(24);
  });

  it('refuses bytes that are not an ONNX model with a ModelFormatError', () => {
    expect(() => decodeModelProto(new Uint8Array(0))).toThrow(ModelFormatError);
    expect(() => decodeModelProto(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/not a valid ONNX model/);
    const good = encodeModelProto({ irVersion: 8, graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }] } });
    expect(() => decodeModelProto(good.subarray(0, good.length - 3))).toThrow(ModelFormatError);
    // A valid protobuf message with no graph is not a model.
    expect(() => decodeModelProto(encodeModelProto({ irVersion: 8 }))).toThrow(/no graph/);
  });
});

describe('ONNX tensors', () => {
  it('round-trips float32 and int64 tensors through raw data', async () => {
    const { floatTensorProto, int64TensorProto, readTensorProto } = await import('../../src/io/onnx/tensors.js');
    const f = readTensorProto(floatTensorProto('w', [2, 2], [1.5, -2, 3, 0.25]), 'w');
    expect(f.dims).toEqual([2, 2]);
    expect(f.data).toBeInstanceOf(Float32Array);
    expect([...f.data]).toEqual([1.5, -2, 3, 0.25]);
    const i = readTensorProto(int64TensorProto('s', [3], [-1, 0, 2 ** 31]), 's');
    expect(i.data).toBeInstanceOf(Float64Array); // 2^31 does not fit int32
    expect([...i.data]).toEqual([-1, 0, 2 ** 31]);
    const small = readTensorProto(int64TensorProto('s', [2], [4, -5]), 's');
    expect(small.data).toBeInstanceOf(Int32Array);
  });

  it('names the tensor when its data does not match its dims or type', async () => {
    const { readTensorProto } = await import('../../src/io/onnx/tensors.js');
    expect(() => readTensorProto({ name: 'w', dims: [3], dataType: 1, rawData: new Uint8Array(8) }, 'initializer "w"')).toThrow(
      /initializer "w" has 8 bytes.*need 12/,
    );
    expect(() => readTensorProto({ name: 'h', dims: [1], dataType: 10, rawData: new Uint8Array(2) }, 'initializer "h"')).toThrow(
      /float16, which Cortex does not read/,
    );
    expect(() => readTensorProto({ name: 'e', dims: [1], dataType: 1, dataLocation: 1 }, 'initializer "e"')).toThrow(ModelFormatError);
    expect(readTensorProto({ name: 'd', dims: [2], dataType: 1, floatData: [1, 2] }, 'd').data).toEqual(new Float32Array([1, 2]));
  });
});
