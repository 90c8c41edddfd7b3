/**
 * The pooling, 2-D normalisation and shape layers in model files: a CNN-shaped model
 * saved and loaded gives the same outputs and the same BatchNorm2d running statistics,
 * the summary shows every layer's output shape, and bad configs are ModelFormatErrors.
 */
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { buildModel, deserializeModel, describeModel, serializeModel } from '../../src/io/index.js';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Dropout2d,
  Flatten,
  GroupNorm,
  Linear,
  MaxPool1d,
  MaxPool2d,
  ReLU,
  Sequential,
  Unflatten,
  summary,
} from '../../src/nn/index.js';
import { randn } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

function model(): { net: Sequential; bn: BatchNorm2d } {
  const bn = new BatchNorm2d(1, { momentum: 0.3 });
  const net = new Sequential(
    new Unflatten(1, [1, 12, 12]),
    bn,
    new MaxPool2d(2),
    new GroupNorm(1, 1, { eps: 1e-3 }),
    new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }),
    new Dropout2d(0.1),
    new MaxPool2d([3, 2], { stride: [1, 2], padding: [1, 0], ceilMode: true }),
    new AdaptiveAvgPool2d([4, null]),
    new Flatten(2),
    new MaxPool1d(2, { stride: 1, dilation: 2 }),
    new Flatten(),
    new ReLU(),
    new Linear(10, 3, { generator: new Generator(1) }),
  );
  return { net, bn };
}

describe('pooling and normalisation layers in model files', () => {
  it('round-trip: same outputs, same running statistics and batch count', () => {
    const { net, bn } = model();
    const g = new Generator(2);
    net.train();
    for (let i = 0; i < 3; i++) net.forward(randn([5, 144], { generator: g }).mul(2).add(1));
    const loaded = deserializeModel(serializeModel(net)).model;
    const lbn = loaded.namedModules().find(([, m]) => m instanceof BatchNorm2d)![1] as BatchNorm2d;
    expect(Array.from(lbn.runningMean!.dataSync())).toEqual(Array.from(bn.runningMean!.dataSync()));
    expect(Array.from(lbn.runningVar!.dataSync())).toEqual(Array.from(bn.runningVar!.dataSync()));
    expect(Array.from(lbn.numBatchesTracked!.dataSync())).toEqual([3]);
    expect(lbn.momentum).toBe(0.3);
    net.eval();
    const x = randn([2, 144], { generator: g });
    expect(Array.from(loaded.forward(x).dataSync())).toEqual(Array.from(net.forward(x).dataSync()));
    expect(describeModel(loaded)).toEqual(describeModel(net));
  });

  it('momentum null survives a round trip (BatchNorm1d and BatchNorm2d)', () => {
    const net = new Sequential(new BatchNorm2d(2, { momentum: null }), new Flatten(), new BatchNorm1d(8, { momentum: null }));
    const loaded = deserializeModel(serializeModel(net)).model;
    const moms = loaded.namedModules().flatMap(([, m]) => (m instanceof BatchNorm2d || m instanceof BatchNorm1d ? [m.momentum] : []));
    expect(moms).toEqual([null, null]);
  });

  it('the summary shows each layer’s output shape', () => {
    const text = summary(model().net, [2, 144]);
    for (const s of ['[2, 1, 12, 12]', '[2, 1, 6, 6]', '[2, 1, 6, 3]', '[2, 1, 4, 3]', '[2, 1, 12]', '[2, 1, 10]', '[2, 3]']) {
      expect(text).toContain(s);
    }
  });

  it('refuses bad configs with a ModelFormatError naming the layer', () => {
    const spec = (type: string, config: Record<string, unknown>): unknown => ({ type: 'Sequential', config: {}, children: [{ type, config }] });
    const pool = { kernelSize: [2, 2], stride: [2, 2], padding: [2, 0], dilation: [1, 1], ceilMode: false };
    expect(() => buildModel(spec('MaxPool2d', pool))).toThrow(ModelFormatError);
    expect(() => buildModel(spec('MaxPool2d', pool))).toThrow(/layer '0' \(MaxPool2d\).*padding/);
    expect(() => buildModel(spec('MaxPool2d', { ...pool, padding: [0, 0], kernelSize: [2] }))).toThrow(/kernelSize/);
    expect(() => buildModel(spec('GroupNorm', { numGroups: 3, numChannels: 4, eps: 1e-5, affine: true }))).toThrow(/divisible/);
    expect(() => buildModel(spec('AdaptiveAvgPool2d', { outputSize: [0, 2] }))).toThrow(ModelFormatError);
    expect(() => buildModel(spec('Unflatten', { dim: 1, sizes: [2, -3] }))).toThrow(/sizes/);
    expect(() => buildModel(spec('Dropout2d', { p: 1 }))).toThrow(ModelFormatError);
    const avg = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, countIncludePad: true, divisorOverride: 0 };
    expect(() => buildModel(spec('AvgPool2d', avg))).toThrow(/divisorOverride/);
  });
});
