import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/autograd/tensor.js';
import {
  type AnyModule,
  BatchNorm1d,
  CrossEntropyLoss,
  init,
  Linear,
  Module,
  MSELoss,
  ReLU,
  Sequential,
  Tanh,
} from '../../src/nn/index.js';
import { Generator } from '../../src/tensor/random.js';
import { ElmanCell } from './toy-modules.js';

class Encoder extends Module {
  readonly fc1: Linear;
  readonly act = this.module('act', new Tanh());
  readonly fc2: Linear;
  constructor(g: Generator) {
    super();
    this.fc1 = this.module('fc1', new Linear(3, 4, { generator: g }));
    this.fc2 = this.module('fc2', new Linear(4, 2, { generator: g }));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class AutoModel extends Module {
  readonly encoder: Encoder;
  readonly layers: Sequential;
  readonly cell = this.module('cell', new ElmanCell(2, 2));
  readonly criterion = this.module('criterion', new MSELoss());
  constructor(g = new Generator(0)) {
    super();
    this.encoder = this.module('encoder', new Encoder(g));
    this.layers = this.module('layers', new Sequential(new Linear(2, 2, { generator: g }), new ReLU(), new BatchNorm1d(2)));
  }
  forward(x: Tensor): Tensor {
    const z = this.encoder.forward(x);
    const [, h] = this.cell.forward(z, z);
    return this.layers.forward(h);
  }
}

const names = (pairs: [string, AnyModule][]): string[] => pairs.map(([n]) => n);

describe('module walks (PyTorch naming)', () => {
  it('namedChildren / children: the direct sub-modules in registration order', () => {
    const m = new AutoModel();
    expect(names(m.namedChildren())).toEqual(['cell', 'criterion', 'encoder', 'layers']);
    expect(m.children()).toEqual([m.cell, m.criterion, m.encoder, m.layers]);
    expect(new Linear(2, 2).children()).toEqual([]);
  });

  it("namedModules: '' for the root, then dotted names depth first", () => {
    const m = new AutoModel();
    expect(names(m.namedModules())).toEqual([
      '',
      'cell',
      'criterion',
      'encoder',
      'encoder.act',
      'encoder.fc1',
      'encoder.fc2',
      'layers',
      'layers.0',
      'layers.1',
      'layers.2',
    ]);
    expect(m.namedModules()[0]?.[1]).toBe(m);
    expect(m.modules()).toEqual(m.namedModules().map(([, x]) => x));
    expect(names(m.encoder.namedModules('encoder'))).toEqual(['encoder', 'encoder.act', 'encoder.fc1', 'encoder.fc2']);
  });

  it('the walks agree with namedParameters and namedBuffers', () => {
    const m = new AutoModel();
    const owners = new Set(m.namedModules().map(([n]) => n));
    for (const [name] of [...m.namedParameters(), ...m.namedBuffers()]) {
      expect(owners.has(name.slice(0, name.lastIndexOf('.')))).toBe(true);
    }
    expect(names(m.namedModules()).filter((n) => n.startsWith('layers.'))).toEqual(['layers.0', 'layers.1', 'layers.2']);
  });

  it('lists a shared module once, under its first name (like PyTorch memo)', () => {
    const shared = new Linear(2, 2);
    const seq = new Sequential(shared, new ReLU(), shared);
    expect(names(seq.namedModules())).toEqual(['', '0', '1']);
    expect(names(seq.namedChildren())).toEqual(['0', '1']);
    expect(seq.children()).toEqual([shared, seq.at(1)]);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias']);
    // Shared buffers too.
    const bn = new BatchNorm1d(2);
    const twice = new Sequential(bn, bn);
    expect(twice.namedBuffers().map(([n]) => n)).toEqual(['0.runningMean', '0.runningVar', '0.numBatchesTracked']);
    // The forward still runs every position.
    expect(seq.length).toBe(3);
  });

  it('apply: children before their parent, each module once, returns this', () => {
    const m = new AutoModel();
    const order: string[] = [];
    expect(m.apply((_mod, name) => order.push(name))).toBe(m);
    expect(order).toEqual([
      'cell',
      'criterion',
      'encoder.act',
      'encoder.fc1',
      'encoder.fc2',
      'encoder',
      'layers.0',
      'layers.1',
      'layers.2',
      'layers',
      '',
    ]);
    const shared = new Linear(2, 2);
    let calls = 0;
    new Sequential(shared, shared).apply((x) => {
      if (x === shared) calls++;
    });
    expect(calls).toBe(1);
  });

  it('apply can initialise the layers of one kind', () => {
    const m = new AutoModel();
    m.apply((x) => {
      if (x instanceof Linear) init.constant(x.weight, 0.5);
    });
    for (const x of m.modules()) if (x instanceof Linear) expect(Array.from(x.weight.dataSync()).every((v) => v === 0.5)).toBe(true);
  });

  it('train() and eval() reach loss modules and multi-input sub-modules', () => {
    const m = new AutoModel();
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    expect(m.criterion.training).toBe(false);
    expect(m.cell.training).toBe(false);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  it('summary and toString list every kind of module', () => {
    const m = new AutoModel();
    const s = m.summary([5, 3]);
    expect(s).toMatch(/cell \(ElmanCell\)\s+\[5, 2\], \[5, 2\]\s+10/);
    expect(s).toMatch(/criterion \(MSELoss\)\s+\?\s+0/);
    expect(s).toMatch(/encoder\.fc1 \(Linear\)\s+\[5, 4\]\s+16/);
    expect(s).toMatch(/layers\.2 \(BatchNorm1d\)\s+\[5, 2\]\s+4/);
    expect(m.toString()).toContain('(criterion): MSELoss()');
    expect(new CrossEntropyLoss({ reduction: 'sum' }).toString()).toBe('CrossEntropyLoss(reduction=sum)');
  });
});
