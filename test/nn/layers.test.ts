import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Tensor } from '../../src/autograd/tensor.js';
import {
  activationModule,
  BatchNorm1d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Identity,
  init,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  Parameter,
  ReLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from '../../src/nn/index.js';
import { randn, tensor } from '../../src/ops/creation.js';
import * as ops from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

const g = (seed = 0) => new Generator(seed);

function stats(d: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean), min, max };
}

describe('Linear', () => {
  it('uses PyTorch default init: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias', () => {
    const fc = new Linear(400, 300, { generator: g(1) });
    expect(fc.weight.shape).toEqual([300, 400]);
    const w = stats(fc.weight.dataSync());
    const bound = 1 / 20;
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    const b = stats(fc.bias!.dataSync());
    expect(b.min).toBeGreaterThanOrEqual(-bound);
    expect(b.max).toBeLessThanOrEqual(bound);
  });

  it('is seeded: the same generator seed gives the same weights', () => {
    expect(Array.from(new Linear(5, 3, { generator: g(7) }).weight.dataSync())).toEqual(
      Array.from(new Linear(5, 3, { generator: g(7) }).weight.dataSync()),
    );
  });

  it('computes x·Wᵀ + b, for batched and unbatched input, and has correct gradients', () => {
    const fc = new Linear(3, 2, { generator: g(2) });
    fc.weight.dataSync().set([1, 2, 3, -1, 0, 1]);
    fc.bias!.dataSync().set([0.5, -0.5]);
    expect(fc.forward(tensor([[1, 1, 1]])).toArray()).toEqual([[6.5, -0.5]]);
    expect(fc.forward(tensor([2, 0, 1])).toArray()).toEqual([5.5, -1.5]);
    gradcheck((x) => fc.forward(x), [randn([4, 3], { generator: g(3) })]);
    expect(() => fc.forward(tensor([[1, 2]]))).toThrow(/expected input with 3 features/);
  });

  it('can omit the bias', () => {
    const fc = new Linear(3, 2, { bias: false });
    expect(fc.bias).toBeNull();
    expect(fc.parameters()).toHaveLength(1);
  });
});

describe('activation modules', () => {
  const x = tensor([[-2, -0.5, 0, 0.5, 2]]);
  const cases: [string, { forward(t: Tensor): Tensor }, (t: Tensor) => Tensor][] = [
    ['Identity', new Identity(), (t) => t],
    ['Sigmoid', new Sigmoid(), ops.sigmoid],
    ['Tanh', new Tanh(), ops.tanh],
    ['ReLU', new ReLU(), ops.relu],
    ['LeakyReLU', new LeakyReLU(0.2), (t) => ops.leakyRelu(t, 0.2)],
    ['ELU', new ELU(0.5), (t) => ops.elu(t, 0.5)],
    ['GELU', new GELU(), ops.gelu],
    ['Softplus', new Softplus(), ops.softplus],
    ['Softmax', new Softmax(), (t) => ops.softmax(t, -1)],
    ['LogSoftmax', new LogSoftmax(), (t) => ops.logSoftmax(t, -1)],
  ];
  for (const [name, m, f] of cases) {
    it(`${name} applies its op`, () => {
      expect(Array.from(m.forward(x).dataSync())).toEqual(Array.from(f(x).dataSync()));
    });
  }
  it('activationModule builds modules by name', () => {
    expect(activationModule('relu')).toBeInstanceOf(ReLU);
    expect(activationModule('linear')).toBeInstanceOf(Identity);
    expect(() => activationModule('swish' as never)).toThrow(/unknown activation 'swish'/);
  });
});

describe('Dropout', () => {
  it('is seeded, keeps the expectation, and is the identity in eval mode', () => {
    const x = ops.add(new Tensor(new Float32Array(10000), [100, 100]), 1);
    const a = new Dropout(0.3, { generator: g(5) }).forward(x);
    const b = new Dropout(0.3, { generator: g(5) }).forward(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const s = stats(a.dataSync());
    expect(s.mean).toBeCloseTo(1, 1);
    const zeros = Array.from(a.dataSync()).filter((v) => v === 0).length / 10000;
    expect(zeros).toBeGreaterThan(0.27);
    expect(zeros).toBeLessThan(0.33);
    expect(Math.max(...a.dataSync())).toBeCloseTo(1 / 0.7, 5);
    const d = new Dropout(0.3);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => new Dropout(1)).toThrow(/p must be in \[0, 1\)/);
  });
});

describe('Flatten and Embedding', () => {
  it('Flatten keeps the batch dimension', () => {
    expect(new Flatten().forward(new Tensor(new Float32Array(24), [2, 3, 4])).shape).toEqual([2, 12]);
  });

  it('Embedding looks up rows and passes gradients to them', () => {
    const emb = new Embedding(5, 3, { generator: g(1) });
    const idx = new Tensor(Int32Array.of(4, 1, 4), [1, 3]);
    const y = emb.forward(idx);
    expect(y.shape).toEqual([1, 3, 3]);
    expect(Array.from(y.dataSync().slice(0, 3))).toEqual(Array.from(emb.weight.dataSync().slice(12, 15)));
    ops.sum(y).backward();
    expect(Array.from(emb.weight.grad!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2]);
    expect(() => emb.forward(new Tensor(Int32Array.of(5), [1]))).toThrow(/index 5 is out of range/);
    const w = stats(new Embedding(1000, 10, { generator: g(2) }).weight.dataSync());
    expect(w.std).toBeCloseTo(1, 1);
  });
});

describe('LayerNorm', () => {
  it('normalises each row, then scales and shifts; gradients check', () => {
    const ln = new LayerNorm(4);
    const x = tensor([
      [1, 2, 3, 4],
      [-1, 0, 5, 2],
    ]);
    const y = ln.forward(x).dataSync();
    for (let r = 0; r < 2; r++) {
      const row = Array.from(y.slice(r * 4, r * 4 + 4));
      expect(stats(row).mean).toBeCloseTo(0, 5);
      expect(stats(row).std).toBeCloseTo(1, 3);
    }
    ln.weight!.dataSync().set([1, 2, 0.5, -1]);
    ln.bias!.dataSync().set([0, 1, 0, 0.25]);
    gradcheck((t) => ln.forward(t), [randn([3, 4], { generator: g(4) })]);
  });
});

describe('BatchNorm1d', () => {
  it('uses batch statistics in training and running statistics in eval', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.5 });
    const x = tensor([
      [1, 10],
      [3, 20],
      [5, 60],
    ]);
    const y = bn.forward(x).toArray() as number[][];
    // Column 0: mean 3, biased variance 8/3.
    expect(y[0]![0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 5);
    // Running stats use the unbiased variance (PyTorch): var0 = 4, var1 = 700.
    expect(bn.runningMean!.dataSync()[0]).toBeCloseTo(0.5 * 3, 5);
    expect(bn.runningMean!.dataSync()[1]).toBeCloseTo(0.5 * 30, 5);
    expect(bn.runningVar!.dataSync()[0]).toBeCloseTo(0.5 + 0.5 * 4, 5);
    expect(bn.runningVar!.dataSync()[1]).toBeCloseTo(0.5 + 0.5 * 700, 3);
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(1);
    bn.eval();
    const e = bn.forward(tensor([[1.5, 15]])).toArray() as number[][];
    expect(e[0]![0]).toBeCloseTo(0, 5);
    expect(e[0]![1]).toBeCloseTo(0, 5);
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(1);
  });

  it('accepts [N, C, L] input and has correct input gradients', () => {
    const bn = new BatchNorm1d(3);
    bn.weight!.dataSync().set([1, -2, 0.5]);
    const x = randn([4, 3, 2], { generator: g(6) });
    expect(bn.forward(x).shape).toEqual([4, 3, 2]);
    gradcheck((t) => bn.forward(t), [randn([5, 3], { generator: g(7) })]);
    expect(() => bn.forward(tensor([[1, 2]]))).toThrow(/expected input \[N, 3\]/);
  });
});

describe('initialisers', () => {
  const make = (shape: number[]) => new Parameter(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  it('constant fills', () => {
    expect(Array.from(init.zeros(make([2, 2])).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(init.ones(make([3])).dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(init.constant(make([2]), 0.5).dataSync())).toEqual([0.5, 0.5]);
  });

  it('have the documented spread', () => {
    const shape = [200, 300]; // fanOut 200, fanIn 300
    const cases: [string, Parameter, number][] = [
      ['uniform', init.uniform(make(shape), -1, 1, g(1)), 1 / Math.sqrt(3)],
      ['normal', init.normal(make(shape), 0, 0.2, g(1)), 0.2],
      ['xavierUniform', init.xavierUniform(make(shape), 1, g(1)), Math.sqrt(2 / 500)],
      ['xavierNormal', init.xavierNormal(make(shape), 1, g(1)), Math.sqrt(2 / 500)],
      ['kaimingUniform', init.kaimingUniform(make(shape), { generator: g(1) }), Math.sqrt(2 / 300)],
      ['kaimingNormal', init.kaimingNormal(make(shape), { mode: 'fanOut', generator: g(1) }), Math.sqrt(2 / 200)],
      ['lecunUniform', init.lecunUniform(make(shape), g(1)), Math.sqrt(1 / 300)],
      ['lecunNormal', init.lecunNormal(make(shape), g(1)), Math.sqrt(1 / 300)],
    ];
    for (const [name, p, std] of cases) {
      const s = stats(p.dataSync());
      expect(Math.abs(s.mean), name).toBeLessThan(std * 0.05);
      expect(s.std / std, name).toBeGreaterThan(0.97);
      expect(s.std / std, name).toBeLessThan(1.03);
    }
  });

  it('gains and fans follow PyTorch', () => {
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(init.fans([8, 4, 3, 3])).toEqual({ fanIn: 36, fanOut: 72 });
    expect(() => init.fans([5])).toThrow(/at least 2 dimensions/);
  });
});
