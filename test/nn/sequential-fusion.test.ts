import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/autograd/tensor.js';
import { Linear, ReLU, Sequential, Sigmoid, Tanh } from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import { randn } from '../../src/ops/creation.js';
import { sum } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

/** Runs the modules one by one, as Sequential did before it fused Linear + activation. */
function unfused(layers: readonly Module[], x: Tensor): Tensor {
  let y = x;
  for (const m of layers) y = m.forward(y);
  return y;
}

describe('Sequential fuses Linear with a following activation', () => {
  for (const [name, Act] of [
    ['ReLU', ReLU],
    ['Sigmoid', Sigmoid],
    ['Tanh', Tanh],
  ] as const) {
    it(`Linear + ${name}: same values and gradients as the two modules in turn`, () => {
      const g = new Generator(3);
      const layers = [new Linear(5, 7, { generator: g }), new Act(), new Linear(7, 2, { generator: g })];
      const model = new Sequential(...layers);
      const x = randn([4, 5], { generator: g, requiresGrad: true });

      const fused = model.forward(x);
      expect(fused.node?.inputs[0]?.node?.def.name).toBe(`linear+${name.toLowerCase()}`);
      sum(fused).backward();
      const grads = model.parameters().map((p) => Array.from(p.grad!.dataSync()));
      const gx = Array.from(x.grad!.dataSync());

      model.zeroGrad();
      x.grad = null;
      const plain = unfused(layers, x);
      sum(plain).backward();
      expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
      expect(model.parameters().map((p) => Array.from(p.grad!.dataSync()))).toEqual(grads);
      expect(Array.from(x.grad!.dataSync())).toEqual(gx);
    });
  }

  it('leaves a subclass that overrides forward alone', () => {
    class Doubled extends ReLU {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const g = new Generator(4);
    const layers = [new Linear(3, 3, { generator: g }), new Doubled()];
    const x = randn([2, 3], { generator: g });
    expect(Array.from(new Sequential(...layers).forward(x).dataSync())).toEqual(Array.from(unfused(layers, x).dataSync()));
  });
});

describe('Sequential pools before a ReLU that precedes a MaxPool2d', () => {
  it('Conv2d + ReLU + MaxPool2d: the same values and gradients bit for bit, NaN, all-negative windows and padding included', async () => {
    const { Conv2d, MaxPool2d } = await import('../../src/nn/index.js');
    const g = new Generator(8);
    for (const pool of [new MaxPool2d(2), new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })]) {
      const layers = [new Conv2d(2, 3, 3, { padding: 1, generator: g }), new ReLU(), pool];
      const model = new Sequential(...layers);
      const data = randn([2, 2, 7, 7], { generator: g }).dataSync() as Float32Array;
      // A NaN and a region of large negative values (windows whose maximum is ≤ 0).
      data[10] = Number.NaN;
      for (let i = 49; i < 98; i++) data[i] = -50 - i;
      const { tensor } = await import('../../src/index.js');
      const x = tensor(data, { shape: [2, 2, 7, 7], requiresGrad: true });
      const fused = model.forward(x);
      expect(fused.node?.def.name).toBe('relu');
      sum(fused.mul(fused.detach().add(1))).backward();
      const grads = model.parameters().map((p) => Array.from(p.grad!.dataSync()));
      const gx = Array.from(x.grad!.dataSync());
      model.zeroGrad();
      x.grad = null;
      const plain = unfused(layers, x);
      sum(plain.mul(plain.detach().add(1))).backward();
      expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
      expect(model.parameters().map((p) => Array.from(p.grad!.dataSync()))).toEqual(grads);
      expect(Array.from(x.grad!.dataSync())).toEqual(gx);
    }
  });
});
