/**
 * The pooling and 2-D normalisation layers: shapes, options, typed errors that name the
 * layer, max-pool indices and ties, Dropout2d's channel masks, GroupNorm and Unflatten.
 */
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  ArgumentError,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Dropout2d,
  Generator,
  GroupNorm,
  MaxPool1d,
  MaxPool2d,
  ShapeError,
  Unflatten,
  DTypeError,
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
  maxPool2dWithIndices,
  ones,
  randn,
  tensor,
  unflatten,
} from '../../src/index.js';

const rand = (shape: number[], seed = 1) => randn(shape, { generator: new Generator(seed) });

describe('pooling layers', () => {
  it('give PyTorch output shapes, batched and unbatched', () => {
    expect(new MaxPool2d(2).forward(rand([2, 3, 7, 6])).shape).toEqual([2, 3, 3, 3]);
    expect(new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(rand([1, 1, 6, 6])).shape).toEqual([1, 1, 4, 4]);
    expect(new MaxPool2d([2, 3], { stride: [1, 2], dilation: [2, 1] }).forward(rand([3, 6, 7])).shape).toEqual([3, 4, 3]);
    expect(new MaxPool1d(3, { stride: 2, padding: 1 }).forward(rand([2, 4, 9])).shape).toEqual([2, 4, 5]);
    expect(new AvgPool2d(3, { stride: 2, padding: 1 }).forward(rand([2, 3, 7, 7])).shape).toEqual([2, 3, 4, 4]);
    expect(new AdaptiveAvgPool2d(1).forward(rand([2, 3, 5, 4])).shape).toEqual([2, 3, 1, 1]);
    expect(new AdaptiveAvgPool2d([3, null]).forward(rand([2, 3, 5, 4])).shape).toEqual([2, 3, 3, 4]);
  });

  it('route the max-pool gradient to the first maximum of each window', () => {
    const x = tensor([[[[1, 3, 3, 0], [2, 3, 1, 1]]]], { requiresGrad: true });
    const [y, idx] = maxPool2dWithIndices(x, 2);
    expect(Array.from(y.dataSync())).toEqual([3, 3]);
    expect(Array.from(idx.dataSync())).toEqual([1, 2]);
    expect(idx.dtype).toBe('int32');
    y.sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('average with and without the padding in the divisor, or a fixed divisor', () => {
    const x = ones([1, 1, 3, 3]);
    const incl = new AvgPool2d(3, { stride: 1, padding: 1 }).forward(x).dataSync();
    expect(incl[0]).toBeCloseTo(4 / 9, 6);
    const excl = new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }).forward(x).dataSync();
    expect(Array.from(excl)).toEqual(Array(9).fill(1));
    const fixed = new AvgPool2d(3, { stride: 1, padding: 1, divisorOverride: 2 }).forward(x).dataSync();
    expect(fixed[4]).toBe(4.5);
  });

  it('refuse bad shapes with a ShapeError naming the layer, bad options with an ArgumentError', () => {
    expect(() => new MaxPool2d(2).forward(rand([4, 4]))).toThrow(ShapeError);
    expect(() => new MaxPool2d(2).forward(rand([4, 4]))).toThrow(/MaxPool2d\(2\).*\[N, C, H, W\].*\[4, 4\]/);
    expect(() => new MaxPool1d(2).forward(rand([1, 2, 3, 4]))).toThrow(/MaxPool1d\(2\)/);
    expect(() => new AvgPool2d(2).forward(rand([5]))).toThrow(/AvgPool2d\(2\)/);
    expect(() => new AdaptiveAvgPool2d(2).forward(rand([5]))).toThrow(/AdaptiveAvgPool2d\(2\)/);
    expect(() => maxPool2d(rand([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(ArgumentError);
    expect(() => maxPool2d(rand([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(/pad should be at most half of kernel size/);
    expect(() => maxPool2d(rand([1, 1, 2, 2]), 3)).toThrow(/output size 0x0 is too small/);
    expect(() => maxPool2d(rand([1, 1, 2, 2]), 0)).toThrow(ArgumentError);
    expect(() => maxPool1d(rand([1, 2, 3]), 4)).toThrow(/maxPool1d: given input size 3, the calculated output size 0 is too small/);
    expect(() => maxPool1d(rand([2, 5]), 2, { padding: 2 })).toThrow(/padding 2 for kernel size 2/);
    expect(() => avgPool2d(rand([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow(/divisorOverride/);
    expect(() => adaptiveAvgPool2d(rand([1, 1, 4, 4]), [0, 2])).toThrow(ArgumentError);
    expect(() => maxPool2d(tensor([[[[1]]]], { dtype: 'int32' }), 1)).toThrow(DTypeError);
    expect(() => maxPool2d(rand([0, 1, 4, 4]), 2)).toThrow(ShapeError);
  });

  it('describe themselves like PyTorch', () => {
    expect(new MaxPool2d(2).extraRepr()).toBe('kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false');
    expect(new AvgPool2d(3, { stride: 1, divisorOverride: 4 }).extraRepr()).toContain('divisorOverride=4');
    expect(new AdaptiveAvgPool2d([7, 7]).extraRepr()).toBe('outputSize=[7,7]');
  });
});

describe('BatchNorm2d, GroupNorm', () => {
  it('BatchNorm2d normalises each channel over [N, H, W] in training, uses running stats in eval', () => {
    const bn = new BatchNorm2d(2);
    const x = rand([4, 2, 3, 3]).mul(3).add(1);
    const y = bn.forward(x);
    const m = y.mean([0, 2, 3]).dataSync();
    for (const v of m) expect(Math.abs(v)).toBeLessThan(1e-5);
    bn.eval();
    const e = bn.forward(x).dataSync();
    expect(e.length).toBe(x.size);
    expect(() => bn.forward(rand([4, 3, 2, 2]))).toThrow(/BatchNorm2d\(2\): expected input \[N, 2, H, W\], got \[4, 3, 2, 2\]/);
    expect(() => new BatchNorm2d(2).forward(rand([1, 2, 1, 1]))).toThrow(/more than one value per channel/);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
  });

  it('BatchNorm2d without running statistics normalises with the batch in eval too', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false, affine: false }).eval();
    const y = bn.forward(rand([3, 2, 2, 2]));
    for (const v of y.mean([0, 2, 3]).dataSync()) expect(Math.abs(v)).toBeLessThan(1e-5);
    expect(Object.keys(bn.stateDict())).toEqual([]);
  });

  it('momentum null keeps the cumulative average of the batch statistics (BatchNorm1d and BatchNorm2d)', () => {
    const bn1 = new BatchNorm1d(2, { momentum: null });
    const bn2 = new BatchNorm2d(2, { momentum: null });
    expect(bn1.extraRepr()).toContain('momentum=null');
    const means1: number[][] = [];
    const means2: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const x1 = rand([5, 2], 10 + i).add(i);
      const x2 = rand([3, 2, 2, 2], 20 + i).mul(2).add(i);
      bn1.forward(x1);
      bn2.forward(x2);
      means1.push(Array.from(x1.mean(0).dataSync()));
      means2.push(Array.from(x2.mean([0, 2, 3]).dataSync()));
    }
    const avg = (ms: number[][], c: number) => ms.reduce((a, m) => a + m[c]!, 0) / ms.length;
    for (const c of [0, 1]) {
      expect(bn1.runningMean!.dataSync()[c]).toBeCloseTo(avg(means1, c), 5);
      expect(bn2.runningMean!.dataSync()[c]).toBeCloseTo(avg(means2, c), 5);
    }
    expect(Array.from(bn2.numBatchesTracked!.dataSync())).toEqual([3]);
  });

  it('GroupNorm checks its channels and its input', () => {
    expect(() => new GroupNorm(3, 4)).toThrow(/divisible/);
    const gn = new GroupNorm(2, 4);
    expect(gn.forward(rand([2, 4, 3])).shape).toEqual([2, 4, 3]);
    expect(() => gn.forward(rand([2, 6, 3]))).toThrow(/GroupNorm\(2, 4\): expected input \[N, 4, \*\]/);
    expect(gn.extraRepr()).toBe('2, 4, eps=0.00001, affine=true');
  });
});

describe('Dropout2d and Unflatten', () => {
  it('Dropout2d zeroes whole channels, scales the rest, is seeded, and is the identity in eval', () => {
    const x = ones([8, 16, 3, 3]);
    const drop = new Dropout2d(0.5, { generator: new Generator(3) });
    const y = drop.forward(x).dataSync();
    let zeros = 0;
    for (let ch = 0; ch < 8 * 16; ch++) {
      const vals = new Set(Array.from(y.slice(ch * 9, ch * 9 + 9)));
      expect(vals.size).toBe(1);
      const v = [...vals][0];
      expect(v === 0 || v === 2).toBe(true);
      if (v === 0) zeros++;
    }
    expect(zeros).toBeGreaterThan(30);
    expect(zeros).toBeLessThan(98);
    const again = new Dropout2d(0.5, { generator: new Generator(3) }).forward(x).dataSync();
    expect(Array.from(again)).toEqual(Array.from(y));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    expect(() => new Dropout2d(1)).toThrow(ArgumentError);
    expect(() => new Dropout2d(0.5).forward(rand([2, 3]))).toThrow(/Dropout2d\(p=0.5\)/);
  });

  it('Unflatten splits one dimension, inferring a -1', () => {
    expect(new Unflatten(1, [1, 28, 28]).forward(rand([2, 784])).shape).toEqual([2, 1, 28, 28]);
    expect(new Unflatten(-1, [2, -1]).forward(rand([3, 10])).shape).toEqual([3, 2, 5]);
    expect(() => new Unflatten(1, [3, 3]).forward(rand([2, 10]))).toThrow(ShapeError);
    expect(() => new Unflatten(1, [3, 3]).forward(rand([2, 10]))).toThrow(/Unflatten\(1, \[3, 3\]\)/);
    expect(() => new Unflatten(1, [-1, -1])).toThrow(ArgumentError);
    expect(new Unflatten(1, [1, 28, 28]).extraRepr()).toBe('dim=1, sizes=[1, 28, 28]');
    expect(unflatten(rand([2, 12]), -1, [3, 4]).shape).toEqual([2, 3, 4]);
    expect(() => unflatten(rand([2, 12]), 1, [5, -1])).toThrow(/unflatten: dimension 1 of the input must have size a multiple of 5/);
  });
});
