import { describe, expect, it } from 'vitest';
import { importOnnx, OnnxModel, Parameter, tensor } from '../../src/index.js';
import { attr, buildModel, errors, FIXTURES, floatTensorProto, loadFixture, ortRun, toTensor } from './helpers.js';

/**
 * Tolerance against PyTorch's float32 outputs: 1e-5 relative to max(|y|, 1). The largest
 * error measured is about 5e-7 (the transformer); float32 rounding in a different order.
 */
const TOL = 1e-5;

describe.each(FIXTURES)('importOnnx(%s.onnx) from torch.onnx.export', (name) => {
  const fx = loadFixture(name);
  const model = importOnnx(fx.bytes);

  it('reproduces PyTorch at the exported batch size and at another one', () => {
    for (const set of [fx, fx.batch2]) {
      const y = model.forward(...set.inputs.map(toTensor));
      const want = set.outputs[0]!;
      expect(y.shape).toEqual(want.shape);
      const e = errors(y.dataSync(), want.data);
      expect(e.rel).toBeLessThan(TOL);
    }
  });

  it('agrees with onnxruntime', async () => {
    const xs = fx.inputs.map(toTensor);
    const bools = fx.inputs.filter((t) => t.dtype === 'bool').map((t) => t.name);
    const [ref] = await ortRun(fx.bytes, Object.fromEntries(fx.inputs.map((t, i) => [t.name, xs[i]!])), bools);
    const y = model.forward(...xs);
    expect(y.shape).toEqual(ref!.dims);
    expect(errors(y.dataSync(), ref!.data).rel).toBeLessThan(TOL);
  });

  it('is a trainable Module: every parameter gets a gradient', () => {
    expect(model).toBeInstanceOf(OnnxModel);
    model.zeroGrad();
    const y = model.forward(...fx.inputs.map(toTensor));
    y.mul(y).sum().backward();
    const params = model.namedParameters();
    expect(params.length).toBeGreaterThan(0);
    for (const [key, p] of params) {
      expect(p, key).toBeInstanceOf(Parameter);
      expect(p.grad, key).not.toBeNull();
      expect(Array.from(p.grad!.dataSync()).every(Number.isFinite), key).toBe(true);
    }
    // The loss depends on every weight, so no gradient is all zeros.
    for (const [key, p] of params) expect(Array.from(p.grad!.dataSync()).some((v) => v !== 0), key).toBe(true);
  });

  it('has a state dict keyed by the ONNX initializer names', () => {
    const keys = Object.keys(model.stateDict());
    expect(keys.every((k) => /^[A-Za-z0-9_.]+$/.test(k))).toBe(true);
    const again = importOnnx(fx.bytes);
    again.loadStateDict(model.stateDict());
  });
});

describe('importOnnx details', () => {
  it('names parameters after the PyTorch modules and keeps BatchNorm statistics as buffers', () => {
    const cnn = importOnnx(loadFixture('cnn').bytes);
    const params = cnn.namedParameters().map(([k]) => k);
    expect(params).toContain('fc.weight');
    expect(params).toContain('bn2.weight');
    expect(params).not.toContain('bn2.running_mean');
    expect(cnn.namedBuffers().map(([k]) => k)).toEqual(expect.arrayContaining(['bn2.running_mean', 'bn2.running_var']));
    expect(cnn.parameterName('fc.weight')).toBe('fc.weight');
    // Buffers need no gradient, and loading a state dict reaches them (they are not folded away).
    const fx = loadFixture('cnn');
    const x = toTensor(fx.inputs[0]!);
    const before = cnn.forward(x).dataSync().slice();
    cnn.forward(x).sum().backward();
    const stats = Object.fromEntries(cnn.namedBuffers());
    expect(stats['bn2.running_mean']!.grad).toBeNull();
    const sd = cnn.stateDict();
    sd['bn2.running_mean'] = sd['bn2.running_mean']!.add(1);
    cnn.loadStateDict(sd);
    expect(Array.from(cnn.forward(x).dataSync())).not.toEqual(Array.from(before));
    const tr = importOnnx(loadFixture('transformer').bytes);
    expect(tr.namedParameters().map(([k]) => k)).toEqual(expect.arrayContaining(['encoder.layers.1.norm2.weight', 'onnx__MatMul_256']));
  });

  it('reports its inputs and outputs with the symbolic batch dimension', () => {
    const m = importOnnx(loadFixture('lstm').bytes);
    expect(m.inputNames).toEqual(['x']);
    expect(m.outputNames).toEqual(['y']);
    expect(m.inputs[0]!.shape).toEqual(['batch', 5, 3]);
    expect(m.opset).toBe(13);
    expect(m.producer).toBe('pytorch 1.13.0');
    expect(m.run({ x: toTensor(loadFixture('lstm').inputs[0]!) })[0]!.shape).toEqual([3, 2]);
    // An ArrayBuffer (from fetch, say) works as well as a Uint8Array.
    const bytes = loadFixture('lstm').bytes;
    expect(importOnnx(bytes.slice().buffer).numParameters()).toBe(m.numParameters());
  });

  it('leaves initializers listed as graph inputs (old exporters) out of the inputs, and keeps sanitized names apart', () => {
    const bytes = buildModel({
      irVersion: 3,
      opset: 9,
      inputs: [{ name: 'x', dims: ['n', 2] }, { name: 'w:1', dims: [2, 2] }, { name: 'w_1', dims: [2] }],
      outputs: [{ name: 'y' }],
      initializers: [floatTensorProto('w:1', [2, 2], [1, 2, 3, 4]), floatTensorProto('w_1', [2], [10, 20])],
      nodes: [{ op: 'Gemm', inputs: ['x', 'w:1', 'w_1'], outputs: ['y'], attrs: [attr.int('transB', 1)] }],
    });
    const m = importOnnx(bytes);
    expect(m.inputNames).toEqual(['x']);
    expect(m.namedParameters().map(([k]) => k)).toEqual(['w_1', 'w_1_2']);
    expect(m.parameterName('w:1')).toBe('w_1');
    expect(m.parameterName('w_1')).toBe('w_1_2');
    expect(m.forward(tensor([[1, 1]])).toArray()).toEqual([[13, 27]]);
  });
});
