import { describe, expect, it } from 'vitest';
import {
  GradientError,
  type Tensor,
  enableGrad,
  grad,
  isGradEnabled,
  noGrad,
  ones,
  randn,
  tensor,
} from '../../src/index.js';
import { make, record } from '../../src/autograd/engine.js';
import { Generator } from '../../src/tensor/random.js';

function values(t: Tensor | null): number[] {
  if (t === null) throw new Error('expected a tensor, got null');
  return Array.from(t.dataSync());
}

describe('autograd semantics', () => {
  it('accumulates gradients into .grad across two backward calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(values(x.grad)).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([5, 7, 9]);
  });

  it('sums the contributions of a tensor used several times', () => {
    const x = tensor([0.5, -2], { requiresGrad: true });
    // d/dx (x·x + x) = 2x + 1
    x.mul(x).add(x).sum().backward();
    expect(values(x.grad)).toEqual([2, -3]);
  });

  it('handles a diamond-shaped graph', () => {
    const x = tensor([2], { requiresGrad: true });
    const a = x.mul(3);
    const b = x.exp();
    a.mul(b).sum().backward();
    // d/dx 3x·e^x = 3e^x + 3x·e^x
    expect(x.grad!.item()).toBeCloseTo(3 * Math.exp(2) * 3, 4);
  });

  it('reduces gradients of broadcast operands back to their shapes', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const c = tensor([[1], [2]], { requiresGrad: true });
    a.add(b).mul(c).sum().backward();
    expect(a.grad!.shape).toEqual([2, 3]);
    expect(b.grad!.shape).toEqual([3]);
    expect(values(b.grad)).toEqual([3, 3, 3]);
    expect(c.grad!.shape).toEqual([2, 1]);
    expect(values(c.grad)).toEqual([66, 75]);
  });

  it('backward(grad) takes the upstream gradient of a non-scalar output', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(tensor([1, 0.5, -1]));
    expect(values(x.grad)).toEqual([2, 2, -6]);
  });

  it('backward() on a non-scalar output without a gradient is a GradientError', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(GradientError);
    expect(() => x.mul(2).backward()).toThrow(/shape \[3\]/);
  });

  it('backward on a graph that does not require grad is a GradientError', () => {
    const x = tensor([1, 2, 3]);
    expect(() => x.mul(2).sum().backward()).toThrow(GradientError);
  });

  it('a primitive without a gradient rule throws a GradientError naming the op', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const out = record({ name: 'roundTowardZero' }, [x], make(new Float32Array([1, 2]), [2]));
    expect(() => out.sum().backward()).toThrow(GradientError);
    expect(() => out.sum().backward()).toThrow(/roundTowardZero/);
  });

  it('detach() cuts the graph and shares the values', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(values(d)).toEqual([2, 4]);
    const y = x.mul(d).sum();
    y.backward();
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('noGrad records nothing, and enableGrad turns recording back on inside it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
  });

  it('noGrad restores the previous state when its function throws', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('does not give gradients to inputs that do not require them', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    expect(values(x.grad)).toEqual([3, 4]);
  });

  it('grad(f) returns the gradients of a scalar function without touching .grad', () => {
    const x = tensor([1, 2, 3]);
    const y = tensor([4, 5, 6]);
    const grads = grad((a: Tensor, b: Tensor) => a.mul(b).sum())(x, y);
    expect(grads.length).toBe(2);
    expect(values(grads[0]!)).toEqual([4, 5, 6]);
    expect(values(grads[1]!)).toEqual([1, 2, 3]);
    expect(x.grad).toBeNull();
  });

  it('a gradient has the dtype and shape of its leaf', () => {
    const x = randn([2, 3], { generator: new Generator(3) }).double();
    const leaf = tensor(x.dataSync(), { shape: x.shape, dtype: 'float64', requiresGrad: true });
    leaf.sum().backward();
    expect(leaf.grad!.dtype).toBe('float64');
    expect(leaf.grad!.shape).toEqual([2, 3]);
    expect(values(leaf.grad)).toEqual(Array.from(ones([6]).dataSync()));
  });

  it('gradients flow through float() and double() conversions', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.double().mul(2).float().sum().backward();
    expect(values(x.grad)).toEqual([2, 2]);
  });

  it('walks a long chain without overflowing the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });
});

describe('leaf gradients keep owned storage without copying', () => {
  it('keeps the matmul gradient as .grad, accumulates into it, and never shares it between leaves', () => {
    const g = new Generator(11);
    const x = randn([3, 4], { generator: g, requiresGrad: true });
    const w = randn([4, 2], { generator: g, requiresGrad: true });
    const loss = () => x.matmul(w).sum();
    loss().backward();
    const gx = Array.from(x.grad!.dataSync());
    const gw = Array.from(w.grad!.dataSync());
    expect(x.grad!.dataSync().buffer).not.toBe(w.grad!.dataSync().buffer);
    loss().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual(gx.map((v) => Math.fround(v + v)));
    expect(Array.from(w.grad!.dataSync())).toEqual(gw.map((v) => Math.fround(v + v)));
  });

  it('gives the same leaf two separate gradients when it appears twice', () => {
    const g = new Generator(12);
    const w = randn([3, 3], { generator: g, requiresGrad: true });
    const v = randn([3, 3], { generator: g, requiresGrad: true });
    // w·w: both matmul operands are w, their gradients are summed before the leaf keeps them.
    w.matmul(w).add(v.matmul(w)).sum().backward();
    expect(w.grad!.dataSync().buffer).not.toBe(v.grad!.dataSync().buffer);
    const before = Array.from(v.grad!.dataSync());
    w.grad!.dataSync().fill(0);
    expect(Array.from(v.grad!.dataSync())).toEqual(before);
  });

  it('copies an upstream gradient the caller passed in', () => {
    const w = tensor([1, 2, 3, 4], { shape: [2, 2], requiresGrad: true });
    const seed = tensor([1, 1, 1, 1], { shape: [2, 2] });
    w.reshape([2, 2]).backward(seed);
    w.grad!.dataSync().fill(5);
    expect(Array.from(seed.dataSync())).toEqual([1, 1, 1, 1]);
  });
});
