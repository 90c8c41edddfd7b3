import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import {
  BatchNorm1d,
  Dropout,
  Linear,
  Module,
  Parameter,
  ReLU,
  Sequential,
  StateDictError,
  Tanh,
} from '../../src/nn/index.js';
import { mseLoss } from '../../src/nn/losses.js';
import { randn } from '../../src/ops/creation.js';
import { relu } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

class Net extends Module {
  readonly layers: Sequential;
  readonly head: Linear;
  readonly scale: Parameter;
  constructor(g: Generator) {
    super();
    this.layers = this.module('layers', new Sequential(new Linear(3, 4, { generator: g }), new Tanh(), new BatchNorm1d(4)));
    this.head = this.module('head', new Linear(4, 2, { generator: g }));
    this.scale = this.param('scale', new Parameter(Float32Array.of(1), [1]));
  }
  forward(x: Tensor): Tensor {
    return relu(this.head.forward(this.layers.forward(x))).mul(this.scale);
  }
}

describe('Module registry', () => {
  it('lists parameters with dotted names in registration order', () => {
    const net = new Net(new Generator(1));
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'scale',
      'layers.0.weight',
      'layers.0.bias',
      'layers.2.weight',
      'layers.2.bias',
      'head.weight',
      'head.bias',
    ]);
    expect(net.parameters().every((p) => p instanceof Parameter && p.requiresGrad)).toBe(true);
    expect(net.numParameters()).toBe(1 + 12 + 4 + 4 + 4 + 8 + 2);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      'layers.2.runningMean',
      'layers.2.runningVar',
      'layers.2.numBatchesTracked',
    ]);
    expect(Object.keys(net.stateDict())).toHaveLength(10);
  });

  it('lists a shared parameter once', () => {
    const a = new Linear(2, 2);
    const seq = new Sequential(a, new ReLU(), a);
    expect(seq.parameters()).toHaveLength(2);
  });

  it('train() and eval() recurse', () => {
    const net = new Net(new Generator(1));
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it('zeroGrad clears every gradient', () => {
    const net = new Net(new Generator(1));
    const x = randn([5, 3], { generator: new Generator(2) });
    mseLoss(net.forward(x), new Tensor(new Float32Array(10), [5, 2])).backward();
    expect(net.parameters().some((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('describes itself with toString()', () => {
    const s = new Sequential(new Linear(2, 3), new ReLU()).toString();
    expect(s).toContain('(0): Linear(inFeatures=2, outFeatures=3, bias=true)');
    expect(s).toContain('(1): ReLU()');
  });
});

describe('stateDict round trip', () => {
  it('gives bit-identical predictions in a fresh model, and is a copy', () => {
    const a = new Net(new Generator(1));
    const x = randn([6, 3], { generator: new Generator(3) });
    a.forward(x); // updates BatchNorm running statistics
    a.eval();
    const sd = a.stateDict();
    const b = new Net(new Generator(99));
    b.loadStateDict(sd);
    b.eval();
    expect(Array.from(b.forward(x).dataSync())).toEqual(Array.from(a.forward(x).dataSync()));
    // The state is a copy: changing the model afterwards does not change it.
    a.head.weight.dataSync()[0] = 123;
    expect(sd['head.weight']!.dataSync()[0]).not.toBe(123);
  });

  it('strict loading reports every missing, unexpected and mis-shaped key in one error', () => {
    const net = new Net(new Generator(1));
    const sd = net.stateDict();
    delete sd['head.bias'];
    delete sd.scale;
    sd['extra.weight'] = new Tensor(new Float32Array(1), [1]);
    sd['layers.0.weight'] = new Tensor(new Float32Array(6), [2, 3]);
    let err: unknown;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const msg = (err as Error).message;
    expect(msg).toContain('4 problems');
    expect(msg).toContain("missing key 'head.bias'");
    expect(msg).toContain("missing key 'scale'");
    expect(msg).toContain("unexpected key 'extra.weight'");
    expect(msg).toContain("shape mismatch for 'layers.0.weight': the state has [2, 3], the model has [4, 3]");
    expect((err as StateDictError).problems.missingKeys.sort()).toEqual(['head.bias', 'scale']);
  });

  it('non-strict loading loads what matches and reports the rest', () => {
    const a = new Net(new Generator(1));
    const b = new Net(new Generator(2));
    const sd = a.stateDict();
    delete sd['head.bias'];
    const r = b.loadStateDict(sd, { strict: false });
    expect(r.missingKeys).toEqual(['head.bias']);
    expect(Array.from(b.head.weight.dataSync())).toEqual(Array.from(a.head.weight.dataSync()));
    expect(Array.from(b.head.bias!.dataSync())).not.toEqual(Array.from(a.head.bias!.dataSync()));
  });
});

describe('summary', () => {
  it('prints a layer table with output shapes and parameter counts', () => {
    const model = new Sequential(new Linear(2, 16), new ReLU(), new Dropout(0.1), new Linear(16, 3));
    const s = model.summary([8, 2]);
    expect(s).toMatch(/0 \(Linear\)\s+\[8, 16\]\s+48/);
    expect(s).toMatch(/1 \(ReLU\)\s+\[8, 16\]\s+0/);
    expect(s).toMatch(/3 \(Linear\)\s+\[8, 3\]\s+51/);
    expect(s).toContain('Total params: 99');
    expect(s).toContain('Trainable params: 99');
    // The model's own forward is restored and its mode kept.
    expect(Object.hasOwn(model, 'forward')).toBe(false);
    expect(model.training).toBe(true);
    expect(model.summary()).toContain('?');
  });
});
