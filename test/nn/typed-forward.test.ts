import { describe, expect, expectTypeOf, it } from 'vitest';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { Tensor } from '../../src/autograd/tensor.js';
import {
  type AnyModule,
  type Linear,
  Module,
  type ModuleInputs,
  type ModuleOutput,
  MSELoss,
  Sequential,
} from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { randn, zeros } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';
import { fit } from '../../src/train/fit.js';
import { ElmanCell, Mix, Recurrent } from './toy-modules.js';

describe('typed forward: a module with two inputs', () => {
  it('computes from both inputs and back-propagates into both', () => {
    const g = new Generator(1);
    const mix = new Mix(3, 2, 4, g);
    const a = randn([5, 3], { generator: g, requiresGrad: true });
    const b = randn([5, 2], { generator: g, requiresGrad: true });
    const y = mix.forward(a, b);
    expect(y.shape).toEqual([5, 4]);
    const expected = mix.fa.forward(a).add(mix.fb.forward(b));
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    y.sum().backward();
    expect(a.grad?.shape).toEqual([5, 3]);
    expect(b.grad?.shape).toEqual([5, 2]);
    expect(mix.namedParameters().map(([n]) => n)).toEqual(['fa.weight', 'fa.bias', 'fb.weight']);
  });

  it('is a sub-module of a single-tensor model', () => {
    class Net extends Module {
      readonly mix = this.module('mix', new Mix(2, 2, 3));
      forward(x: Tensor): Tensor {
        return this.mix.forward(x, x.mul(x));
      }
    }
    const net = new Net();
    expect(net.forward(zeros([4, 2])).shape).toEqual([4, 3]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'mix', 'mix.fa', 'mix.fb']);
    expect(net.stateDict()['mix.fb.weight']?.shape).toEqual([3, 2]);
  });

  it('has typed inputs and outputs', () => {
    expectTypeOf<ModuleInputs<Mix>>().toEqualTypeOf<[a: Tensor, b: Tensor]>();
    expectTypeOf<ModuleOutput<Mix>>().toEqualTypeOf<Tensor>();
    expectTypeOf<ModuleInputs<ElmanCell>>().toEqualTypeOf<[x: Tensor, h: Tensor]>();
    expectTypeOf<ModuleOutput<ElmanCell>>().toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf<ModuleInputs<Linear>>().toEqualTypeOf<[x: Tensor]>();
    // Every module is an AnyModule; only single-tensor ones are a `Module`.
    expectTypeOf<Mix>().toMatchTypeOf<AnyModule>();
    expectTypeOf<ElmanCell>().toMatchTypeOf<AnyModule>();
    expectTypeOf<Linear>().toMatchTypeOf<Module>();
    expectTypeOf<Mix>().not.toMatchTypeOf<Module>();
    expectTypeOf<ElmanCell>().not.toMatchTypeOf<Module>();
    expectTypeOf<MSELoss>().not.toMatchTypeOf<Module>();
    expectTypeOf<Mix>().not.toMatchTypeOf<Module<[Tensor, Tensor], [Tensor, Tensor]>>();
  });

  it('cannot be given to APIs that take a single-tensor model', () => {
    const data = { x: zeros([4, 2]), y: zeros([4, 3]) };
    // @ts-expect-error fit needs forward(x: Tensor): Tensor
    expect(() => fit(new Mix(2, 2, 3), data, { epochs: 0 })).not.toThrow();
    // @ts-expect-error Sequential chains single-tensor modules
    expect(() => new Sequential(new ElmanCell(2, 3))).not.toThrow();
  });
});

describe('typed forward: an attention-shaped module (query, key, value, options?)', () => {
  interface AttnOptions {
    scale?: number;
  }
  class DotAttention extends Module<[query: Tensor, key: Tensor, value: Tensor, options?: AttnOptions], Tensor> {
    forward(query: Tensor, key: Tensor, value: Tensor, options: AttnOptions = {}): Tensor {
      const scale = options.scale ?? 1 / Math.sqrt(query.shape.at(-1)!);
      return query.matmul(key.transpose()).mul(scale).softmax(-1).matmul(value);
    }
  }

  it('takes an optional options argument, also through hooks', () => {
    const attn = new DotAttention();
    const g = new Generator(11);
    const [q, k, v] = [randn([2, 3, 4], { generator: g }), randn([2, 5, 4], { generator: g }), randn([2, 5, 6], { generator: g })];
    expect(attn.forward(q, k, v).shape).toEqual([2, 3, 6]);
    const seen: (AttnOptions | undefined)[] = [];
    attn.registerForwardPreHook((_m, inputs) => {
      expectTypeOf(inputs).toEqualTypeOf<[query: Tensor, key: Tensor, value: Tensor, options?: AttnOptions]>();
      seen.push(inputs[3]);
      return [inputs[0], inputs[1], inputs[2], { scale: 0 }];
    });
    const uniform = attn.forward(q, k, v, { scale: 2 });
    expect(seen).toEqual([{ scale: 2 }]);
    // scale 0 (from the pre-hook): every query averages the values.
    const mean = v.mean(1, true);
    expect(Array.from(uniform.dataSync()).map((x) => x.toFixed(5))).toEqual(
      Array.from(mean.expand([2, 3, 6]).dataSync()).map((x) => x.toFixed(5)),
    );
  });
});

describe('typed forward: a recurrent cell returning [output, state]', () => {
  it('carries the state over steps', () => {
    const cell = new ElmanCell(2, 3, { generator: new Generator(2) });
    const xs = [randn([4, 2]), randn([4, 2]), randn([4, 2])];
    let h = zeros([4, 3]);
    const states: Tensor[] = [];
    for (const x of xs) {
      const [out, next] = cell.forward(x, h);
      expect(out).toBe(next);
      states.push(next);
      h = next;
    }
    // The last state depends on the first input only through the carried state.
    const other = [randn([4, 2]), xs[1]!, xs[2]!];
    let h2 = zeros([4, 3]);
    for (const x of other) [, h2] = cell.forward(x, h2);
    expect(Array.from(h2.dataSync())).not.toEqual(Array.from(states[2]!.dataSync()));
  });

  it('gradients through the carried state pass gradcheck (float64)', () => {
    const cell = new ElmanCell(2, 3, { generator: new Generator(3), dtype: 'float64' });
    const g = new Generator(4);
    const x0 = randn([2, 2], { generator: g, dtype: 'float64' });
    const x1 = randn([2, 2], { generator: g, dtype: 'float64' });
    const x2 = randn([2, 2], { generator: g, dtype: 'float64' });
    const h0 = randn([2, 3], { generator: g, dtype: 'float64' });
    const unrolled = (a: Tensor, b: Tensor, c: Tensor, h: Tensor): Tensor => {
      let s = h;
      for (const x of [a, b, c]) [, s] = cell.forward(x, s);
      return s;
    };
    expect(gradcheck(unrolled, [x0, x1, x2, h0]).ok).toBe(true);
  });

  it('trains: a model that must remember the first step of a sequence learns it', () => {
    const g = new Generator(5);
    const n = 128;
    const steps = 3;
    const x = new Tensor(Float32Array.from({ length: n * steps }, () => g.nextFloat() * 2 - 1), [n, steps]);
    const y = new Tensor(Float32Array.from({ length: n }, (_, i) => x.dataSync()[i * steps]!), [n]);
    const model = new Recurrent(8, new Generator(6));
    const whhBefore = Array.from(model.cell.whh.dataSync());
    const history = fit(model, { x, y }, { epochs: 60, batchSize: 32, optimizer: new Adam(model.parameters(), { lr: 0.03 }), loss: new MSELoss() });
    const first = history.loss[0]!;
    const last = history.loss.at(-1)!;
    expect(last).toBeLessThan(first / 20);
    // The recurrent weights only get gradients through the state carried between steps.
    expect(Array.from(model.cell.whh.dataSync())).not.toEqual(whhBefore);
    expect(model.cell.whh.grad).not.toBeNull();
  });
});
