import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/autograd/tensor.js';
import { ArgumentError } from '../../src/errors.js';
import { Linear, MSELoss, ReLU, Sequential, Sigmoid } from '../../src/nn/index.js';
import { randn, sum, tensor, zeros } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';
import { ElmanCell, Mix } from './toy-modules.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('forward hooks', () => {
  it('a forward hook sees the module, the inputs and the output of each forward call', () => {
    const fc = new Linear(3, 2, { generator: new Generator(1) });
    const x = randn([4, 3]);
    const seen: [Linear, Tensor, Tensor][] = [];
    const handle = fc.registerForwardHook((m, [input], output) => {
      seen.push([m, input, output]);
    });
    const y = fc.forward(x);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(fc);
    expect(seen[0]![1]).toBe(x);
    expect(seen[0]![2]).toBe(y);
    handle.remove();
    fc.forward(x);
    expect(seen).toHaveLength(1);
  });

  it('a pre-hook can replace the inputs and a hook the output', () => {
    const fc = new Linear(3, 2, { generator: new Generator(2) });
    const x = randn([4, 3]);
    const plain = fc.forward(x.mul(2));
    const pre = fc.registerForwardPreHook((_m, [input]) => [input.mul(2)]);
    expect(values(fc.forward(x))).toEqual(values(plain));
    const post = fc.registerForwardHook((_m, _inputs, out) => out.add(1));
    expect(values(fc.forward(x))).toEqual(values(plain.add(1)));
    // The forward hook receives the inputs after the pre-hooks.
    let hookInput: Tensor | null = null;
    const spy = fc.registerForwardHook((_m, [input]) => {
      hookInput = input;
    });
    fc.forward(x);
    expect(values(hookInput!)).toEqual(values(x.mul(2)));
    for (const h of [pre, post, spy]) h.remove();
    expect(values(fc.forward(x))).toEqual(values(fc.forward(x)));
    expect(values(fc.forward(x.mul(2)))).toEqual(values(plain));
  });

  it('runs hooks in registration order, prepend puts one first', () => {
    const act = new ReLU();
    const order: string[] = [];
    act.registerForwardHook(() => void order.push('a'));
    act.registerForwardHook(() => void order.push('b'));
    act.registerForwardHook(() => void order.push('first'), { prepend: true });
    act.registerForwardPreHook(() => void order.push('pre-a'));
    act.registerForwardPreHook(() => void order.push('pre-first'), { prepend: true });
    act.forward(zeros([1]));
    expect(order).toEqual(['pre-first', 'pre-a', 'first', 'a', 'b']);
  });

  it('chains output replacements and skips hooks that return nothing', () => {
    const act = new ReLU();
    act.registerForwardHook((_m, _i, y) => y.add(1));
    act.registerForwardHook(() => undefined);
    act.registerForwardHook((_m, _i, y) => y.mul(10));
    expect(values(act.forward(tensor([-1, 2])))).toEqual([10, 30]);
  });

  it('removing the last hook restores the class forward; remove() twice is harmless', () => {
    const fc = new Linear(2, 2);
    expect(Object.hasOwn(fc, 'forward')).toBe(false);
    const a = fc.registerForwardHook(() => undefined);
    const b = fc.registerForwardPreHook(() => undefined);
    expect(a.id).not.toBe(b.id);
    expect(Object.hasOwn(fc, 'forward')).toBe(true);
    a.remove();
    expect(Object.hasOwn(fc, 'forward')).toBe(true);
    b.remove();
    b.remove();
    expect(Object.hasOwn(fc, 'forward')).toBe(false);
    expect(fc.forward).toBe(Linear.prototype.forward);
  });

  it('a hook may remove itself while running', () => {
    const act = new ReLU();
    let calls = 0;
    const h = act.registerForwardHook(() => {
      calls++;
      h.remove();
    });
    let other = 0;
    act.registerForwardHook(() => void other++);
    act.forward(zeros([1]));
    act.forward(zeros([1]));
    expect([calls, other]).toEqual([1, 2]);
  });

  it('a pre-hook must return an array of inputs', () => {
    const act = new ReLU();
    // A single tensor is not an input tuple; only a cast can smuggle it past the types.
    act.registerForwardPreHook((_m, [x]) => [x]);
    expect(() => act.forward(zeros([1]))).not.toThrow();
    const bad = new ReLU();
    const rogue: (m: ReLU, inputs: [Tensor]) => unknown = (_m, [x]) => x;
    bad.registerForwardPreHook(rogue as (m: ReLU, inputs: [Tensor]) => [Tensor]);
    expect(() => bad.forward(zeros([1]))).toThrow(ArgumentError);
    expect(() => bad.forward(zeros([1]))).toThrow(/ReLU: a forward pre-hook must return the inputs as an array/);
  });

  it('hooks on multi-input and tuple-output modules are typed by their forward', () => {
    const mix = new Mix(2, 3, 2);
    const cell = new ElmanCell(2, 3);
    mix.registerForwardPreHook((_m, inputs) => {
      expectTypeOf(inputs).toEqualTypeOf<[a: Tensor, b: Tensor]>();
      return [inputs[0], inputs[1].mul(0)];
    });
    const a = randn([1, 2]);
    const b = randn([1, 3]);
    expect(values(mix.forward(a, b))).toEqual(values(mix.fa.forward(a)));
    const states: Tensor[] = [];
    cell.registerForwardHook((_m, [, h], [out, next]) => {
      expectTypeOf(out).toEqualTypeOf<Tensor>();
      states.push(h, next);
    });
    const h0 = zeros([1, 3]);
    const [, h1] = cell.forward(a, h0);
    const [, h2] = cell.forward(a, h1);
    expect(states).toEqual([h0, h1, h1, h2]);
    const loss = new MSELoss();
    let target: Tensor | null = null;
    loss.registerForwardHook((_m, [, t]) => {
      target = t;
    });
    const t = zeros([1, 3]);
    loss.forward(h2, t);
    expect(target).toBe(t);
  });

  it('an instance forward set before the first hook is wrapped and restored', () => {
    const act = new ReLU();
    const own = (x: Tensor): Tensor => x.mul(3);
    act.forward = own;
    const h = act.registerForwardHook((_m, _i, y) => y.add(1));
    expect(values(act.forward(tensor([1])))).toEqual([4]);
    h.remove();
    expect(act.forward).toBe(own);
  });

  it('summary() leaves user hooks in place', () => {
    const model = new Sequential(new Linear(2, 3), new ReLU());
    const outs: Tensor[] = [];
    model.at(0).registerForwardHook((_m, _i, y) => void outs.push(y));
    expect(model.summary([4, 2])).toMatch(/0 \(Linear\)\s+\[4, 3\]/);
    expect(outs).toHaveLength(1);
    model.forward(zeros([1, 2]));
    expect(outs).toHaveLength(2);
    expect(Object.hasOwn(model, 'forward')).toBe(false);
  });
});

describe('forward hooks inside Sequential (fused Linear + activation)', () => {
  const build = () => {
    const g = new Generator(7);
    return new Sequential(new Linear(3, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }), new Sigmoid());
  };

  it('a hooked Linear runs unfused, its hook sees its own output, and results are unchanged', () => {
    const model = build();
    const x = randn([5, 3], { generator: new Generator(8) });
    const fused = model.forward(x);
    expect(fused.node?.def.name).toBe('linear+sigmoid');
    const outs: Tensor[] = [];
    const actIn: Tensor[] = [];
    const h = model.at(0).registerForwardHook((_m, _i, y) => void outs.push(y));
    const p = model.at(1).registerForwardPreHook((_m, inputs) => void actIn.push(inputs[0]));
    const hooked = model.forward(x);
    expect(outs).toHaveLength(1);
    expect(outs[0]!.node?.def.name).toBe('linear');
    expect(actIn[0]).toBe(outs[0]);
    expect(values(hooked)).toEqual(values(fused));
    h.remove();
    p.remove();
    expect(model.forward(x).node?.inputs[0]?.node?.def.name).toBe('linear+relu');
  });

  it('a hooked activation is not fused into the Linear before it', () => {
    const model = build();
    const x = randn([5, 3], { generator: new Generator(9) });
    const ins: Tensor[] = [];
    model.at(3).registerForwardHook((_m, [input]) => void ins.push(input));
    const y = model.forward(x);
    expect(ins).toHaveLength(1);
    expect(ins[0]!.node?.def.name).toBe('linear');
    expect(y.node?.def.name).not.toBe('linear+sigmoid');
  });

  it('gradients are the same with and without hooks', () => {
    const model = build();
    const x = randn([5, 3], { generator: new Generator(10) });
    sum(model.forward(x)).backward();
    const grads = model.parameters().map((q) => values(q.grad!));
    model.zeroGrad();
    for (const m of model) m.registerForwardHook(() => undefined);
    sum(model.forward(x)).backward();
    expect(model.parameters().map((q) => values(q.grad!))).toEqual(grads);
  });
});
