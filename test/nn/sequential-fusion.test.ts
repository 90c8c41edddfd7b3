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
