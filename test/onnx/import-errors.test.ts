import { describe, expect, it } from 'vitest';
import { importOnnx, ModelFormatError, OnnxError, ShapeError, tensor } from '../../src/index.js';
import { attr, buildModel, loadFixture } from './helpers.js';

const relu = (opset: number): Uint8Array =>
  buildModel({
    opset,
    inputs: [{ name: 'x', dims: ['n', 3] }],
    outputs: [{ name: 'y' }],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'act' }],
  });

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('importOnnx errors', () => {
  it('names the node, op and domain of an unsupported op', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['h'], name: 'first' },
        { op: 'NonMaxSuppression', inputs: ['h'], outputs: ['y'], name: 'nms_node' },
      ],
    });
    const e = caught(() => importOnnx(bytes));
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).node).toBe('nms_node');
    expect((e as OnnxError).op).toBe('NonMaxSuppression');
    expect((e as OnnxError).message).toMatch(/node "nms_node" uses op NonMaxSuppression \(domain ai\.onnx\)/);
  });

  it('names the domain of an op from another domain', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'FusedGemm', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'], name: 'fused' }],
    });
    expect(() => importOnnx(bytes)).toThrow(/node "fused" uses op FusedGemm \(domain com\.microsoft\)/);
  });

  it('rejects opsets outside 7 to 17', () => {
    expect(() => importOnnx(relu(99))).toThrow(OnnxError);
    expect(() => importOnnx(relu(99))).toThrow(/opset 99.*7 to 17/);
    expect(() => importOnnx(relu(6))).toThrow(/opset 6/);
    expect(importOnnx(relu(17)).forward(tensor([[-1, 0, 2]])).toArray()).toEqual([[0, 0, 2]]);
  });

  it('raises ModelFormatError on truncated or corrupt bytes', () => {
    const bytes = loadFixture('mlp').bytes;
    expect(() => importOnnx(bytes.subarray(0, bytes.length - 100))).toThrow(ModelFormatError);
    expect(() => importOnnx(bytes.subarray(0, 10))).toThrow(ModelFormatError);
    expect(() => importOnnx(new Uint8Array(0))).toThrow(ModelFormatError);
    const corrupt = bytes.slice();
    corrupt.fill(0xff, 20, 60);
    expect(() => importOnnx(corrupt)).toThrow(ModelFormatError);
  });

  it('names a node whose input nothing produces', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'], name: 'adder' }],
    });
    expect(() => importOnnx(bytes)).toThrow(/input "ghost" of node "adder" \(Add\)/);
  });

  it('names the node when an op fails at run time, and checks the input shapes', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: ['n', 4] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Transpose', inputs: ['x'], outputs: ['y'], name: 'bad_perm', attrs: [attr.ints('perm', [0, 1, 2])] }],
    });
    const model = importOnnx(bytes);
    const e = caught(() => model.forward(tensor([[1, 2, 3, 4]])));
    expect(e).toBeInstanceOf(OnnxError);
    expect((e as OnnxError).node).toBe('bad_perm');
    expect(() => model.forward(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => model.forward()).toThrow(/input "x"/);
  });

  it('reads attributes written without their type field (old exporters)', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [1, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'LeakyRelu', inputs: ['x'], outputs: ['h'], attrs: [{ name: 'alpha', f: 0.5 }] },
        { op: 'Transpose', inputs: ['h'], outputs: ['y'], attrs: [{ name: 'perm', ints: [1, 0] }] },
      ],
    });
    expect(importOnnx(bytes).forward(tensor([[-2, 0, 2]])).toArray()).toEqual([[-1], [0], [2]]);
  });
});
