import { describe, expect, it } from 'vitest';
import { decodeModelProto, exportOnnx, registerOnnxLayer } from '../../src/io/onnx/index.js';
import { BatchNorm1d, Generator, Linear, Module, noGrad, OnnxError, ReLU, randn, Sequential, sigmoid, type Tensor, zeros } from '../../src/index.js';
import { floatTensor, REL_TOL, relError, runOrt } from './export-helpers.js';

class Swish extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(sigmoid(x));
  }
}

class Unmapped extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
}

class TwiceReLU extends ReLU {
  override forward(x: Tensor): Tensor {
    return super.forward(x).mul(2);
  }
}

class PlainReLU extends ReLU {}

describe('exportOnnx: the model file', () => {
  const model = new Sequential(new Linear(3, 4, { generator: new Generator(1) }), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, { generator: new Generator(2) }));
  const m = decodeModelProto(exportOnnx(model, { sampleInput: zeros([1, 3]) }));

  it('is IR version 8 with opset 17 and names its producer', () => {
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 17]]);
    expect(m.producerName).toBe('cortex-nn');
  });

  it('keeps the state-dict names of the weights, and maps each layer to its op', () => {
    const names = m.graph!.initializer!.map((t) => t.name);
    expect(names).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.runningMean', '1.runningVar', '3.weight', '3.bias']);
    for (const name of names) expect(Object.keys(model.stateDict())).toContain(name);
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(['Gemm', 'BatchNormalization', 'Relu', 'Gemm']);
    expect(m.graph!.node![0]!.attribute![0]).toMatchObject({ name: 'transB', i: 1 });
  });

  it('has a symbolic batch dimension by default, and the sample batch size with dynamicBatch: false', () => {
    const dims = (p: ReturnType<typeof decodeModelProto>, which: 'input' | 'output') => p.graph![which]![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || d.dimValue);
    expect(dims(m, 'input')).toEqual(['batch', 3]);
    expect(dims(m, 'output')).toEqual(['batch', 2]);
    expect(m.graph!.valueInfo!.length).toBeGreaterThan(0);
    const fixed = decodeModelProto(exportOnnx(model, { sampleInput: zeros([7, 3]), dynamicBatch: false, inputNames: ['x'], outputNames: ['y'] }));
    expect(fixed.graph!.input![0]!.name).toBe('x');
    expect(fixed.graph!.output![0]!.name).toBe('y');
    expect(dims(fixed, 'input')).toEqual([7, 3]);
    expect(dims(fixed, 'output')).toEqual([7, 2]);
  });

  it('with dynamicBatch: false runs at the sample batch size only', async () => {
    const fixed = exportOnnx(model, { sampleInput: zeros([7, 3]), dynamicBatch: false });
    model.eval();
    const x = randn([7, 3], { generator: new Generator(5) });
    const { output } = await runOrt(fixed, { input: floatTensor(x.dataSync(), [7, 3]) });
    expect(relError(output!.data as Float32Array, noGrad(() => model.forward(x)).dataSync())).toBeLessThanOrEqual(REL_TOL);
    await expect(runOrt(fixed, { input: floatTensor(new Float32Array(6), [2, 3]) })).rejects.toThrow(/dimension|shape/i);
  });

  it('is the same bytes every time, and leaves the model in its training mode', () => {
    model.train();
    expect(exportOnnx(model, { sampleInput: zeros([1, 3]) })).toEqual(exportOnnx(model, { sampleInput: zeros([2, 3]) }));
    expect(model.at(1).training).toBe(true);
  });
});

describe('exportOnnx: what it refuses', () => {
  it('names the path and class of a layer with no ONNX mapping', () => {
    const net = new Sequential(new Linear(3, 3), new Sequential(new ReLU(), new Unmapped()));
    let err: unknown;
    try {
      exportOnnx(net, { sampleInput: zeros([1, 3]) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OnnxError);
    expect((err as OnnxError).layer).toBe('1.1 (Unmapped)');
    expect((err as OnnxError).message).toMatch(/cannot export layer '1\.1' \(Unmapped\): no ONNX mapping/);
    expect(() => exportOnnx(new Unmapped(), { sampleInput: zeros([1, 3]) })).toThrow(/cannot export the model \(Unmapped\): no ONNX mapping/);
  });

  it('refuses a subclass that overrides forward, but maps one that keeps it', async () => {
    expect(() => exportOnnx(new Sequential(new TwiceReLU()), { sampleInput: zeros([1, 3]) })).toThrow(/'0' \(TwiceReLU\): it overrides forward\(\) of ReLU/);
    const bytes = exportOnnx(new Sequential(new PlainReLU()), { sampleInput: zeros([1, 3]) });
    expect(decodeModelProto(bytes).graph!.node!.map((n) => n.opType)).toEqual(['Relu']);
  });

  it('refuses another opset, a sample the model does not take, and a float64 sample', () => {
    const net = new Linear(3, 2);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 3]), opset: 18 })).toThrow(/opset 18 is not supported/);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 4]) })).toThrow(OnnxError);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 4]) })).toThrow(/does not run on the sample input of shape \[1, 4\]/);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 3], { dtype: 'float64' }) })).toThrow(/float64/);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 3]), inputNames: ['a', 'b'] })).toThrow(/inputNames must hold one non-empty name/);
  });
});

describe('registerOnnxLayer', () => {
  it('adds a mapping for a new layer class', async () => {
    registerOnnxLayer(Swish, (ctx) => {
      const s = ctx.g.op('Sigmoid', [ctx.input], { output: ctx.name('sigmoid'), type: ctx.inType });
      return ctx.g.op('Mul', [ctx.input, s], { output: ctx.name('Mul'), type: ctx.outType });
    });
    const model = new Sequential(new Linear(4, 5, { generator: new Generator(3) }), new Swish()).eval();
    const bytes = exportOnnx(model, { sampleInput: zeros([1, 4]) });
    const x = randn([3, 4], { generator: new Generator(4) });
    const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), x.shape) });
    expect(relError(output!.data as Float32Array, noGrad(() => model.forward(x)).dataSync())).toBeLessThanOrEqual(REL_TOL);
  });
});
