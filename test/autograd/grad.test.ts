import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  GradientError,
  type Tensor,
  enableGrad,
  grad,
  gradcheck,
  gradgradcheck,
  concat,
  linear,
  randn,
  softmaxCrossEntropy,
  tensor,
} from '../../src/index.js';
import { Generator } from '../../src/tensor/random.js';

function values(t: Tensor | null | undefined): number[] {
  if (t === null || t === undefined) throw new Error('expected a tensor');
  return Array.from(t.dataSync());
}

function close(actual: readonly number[], expected: readonly number[], tol = 1e-10): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) {
    expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
  }
}

const f64 = (v: number[], requiresGrad = true): Tensor => tensor(v, { dtype: 'float64', requiresGrad });

describe('grad(outputs, inputs)', () => {
  it('returns the gradients without touching .grad', () => {
    const x = f64([1, 2, 3]);
    const w = f64([4, 5, 6]);
    const [dx, dw] = grad(x.mul(w).sum(), [x, w]);
    expect(values(dx)).toEqual([4, 5, 6]);
    expect(values(dw)).toEqual([1, 2, 3]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it('accepts a single input and several outputs', () => {
    const x = f64([1, 2]);
    const [g] = grad([x.sum(), x.mul(x).sum()], x);
    expect(values(g)).toEqual([3, 5]);
  });

  it('takes the gradient with respect to an intermediate tensor', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const [dh] = grad(h.mul(h).sum(), h);
    expect(values(dh)).toEqual([6, 12]);
  });

  it('needs gradOutputs for an output of more than one element, naming the shape', () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    expect(() => grad(y, x, { retainGraph: true })).toThrow(GradientError);
    expect(() => grad(y, x, { retainGraph: true })).toThrow(/shape \[2\].*gradOutputs/);
    expect(() => grad(y, x, { gradOutputs: f64([1, 2, 3], false), retainGraph: true })).toThrow(ArgumentError);
    expect(() => grad(y, x, { gradOutputs: [f64([1, 2], false), f64([1, 2], false)] })).toThrow(/2 gradOutputs for 1 outputs/);
    const [g] = grad(y, x, { gradOutputs: f64([1, -1], false) });
    expect(values(g)).toEqual([2, -2]);
  });

  it('rejects an unused input unless allowUnused, which gives null', () => {
    const x = f64([1, 2]);
    const z = f64([3]);
    expect(() => grad(x.sum(), [x, z])).toThrow(/input 1 \(shape \[1\]\) was not used.*allowUnused/);
    const [gx, gz] = grad(x.sum(), [x, z], { allowUnused: true });
    expect(values(gx)).toEqual([1, 1]);
    expect(gz).toBeNull();
  });

  it('rejects inputs and outputs that do not require grad', () => {
    const x = f64([1, 2]);
    expect(() => grad(x.sum(), f64([1], false))).toThrow(/input 0 .*does not require grad/);
    expect(() => grad(f64([1], false), x)).toThrow(/does not require grad/);
  });

  it('keeps the functional form grad(f)(...inputs)', () => {
    const [dx] = grad((x: Tensor) => x.pow(3).sum())(tensor([2]));
    expect(values(dx)).toEqual([12]);
  });
});

describe('graph lifetime', () => {
  it('frees the graph after backward: a second pass throws and names retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(GradientError);
    expect(() => y.backward()).toThrow(/second time.*retainGraph: true/);
    expect(() => grad(y, x)).toThrow(/retainGraph/);
  });

  it('releases the inputs of every node it ran, so intermediates can be collected', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const y = h.mul(h).sum();
    y.backward();
    expect(h.node?.freed).toBe(true);
    expect(h.node?.inputs.length).toBe(0);
    expect(y.node?.inputs.length).toBe(0);
  });

  it('keeps the graph with retainGraph, so gradients accumulate twice', () => {
    const x = f64([1, 2]);
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(values(x.grad)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(GradientError);
  });

  it('grad frees the graph too unless retainGraph', () => {
    const x = f64([1, 2]);
    const y = x.mul(x).sum();
    grad(y, x, { retainGraph: true });
    const [g] = grad(y, x);
    expect(values(g)).toEqual([2, 4]);
    expect(() => grad(y, x)).toThrow(/retainGraph/);
  });

  it('backward with inputs accumulates only into those tensors', () => {
    const x = f64([1, 2]);
    const w = f64([3, 4]);
    const h = x.mul(w);
    h.sum().backward(undefined, { inputs: [w, h] });
    expect(x.grad).toBeNull();
    expect(values(w.grad)).toEqual([1, 2]);
    expect(values(h.grad)).toEqual([1, 1]);
  });
});

describe('createGraph: higher-order gradients', () => {
  it('differentiates x³ three times', () => {
    const x = f64([1, 2, -3]);
    const [d1] = grad(x.pow(3).sum(), x, { createGraph: true });
    close(values(d1), [3, 12, 27]);
    const [d2] = grad(d1!.sum(), x, { createGraph: true });
    close(values(d2), [6, 12, -18]);
    const [d3] = grad(d2!.sum(), x);
    close(values(d3), [6, 6, 6]);
  });

  it('backward with createGraph leaves a differentiable .grad', () => {
    const x = f64([0.5, -1]);
    x.tanh().sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    const [h] = grad(g.sum(), x);
    const t = [0.5, -1].map(Math.tanh);
    close(values(h), t.map((v) => -2 * v * (1 - v * v)));
  });

  it('first derivatives under createGraph equal those without it, bit for bit', () => {
    const gen = new Generator(5);
    const x0 = randn([4, 3], { generator: gen });
    const w0 = randn([2, 3], { generator: gen });
    const b0 = randn([2], { generator: gen });
    const labels = tensor([0, 1, 1, 0], { dtype: 'int32' });
    const run = (createGraph: boolean): number[][] => {
      const [x, w, b] = [x0, w0, b0].map((t) => tensor(t.dataSync().slice(), { shape: t.shape, requiresGrad: true })) as [Tensor, Tensor, Tensor];
      const h = linear(x, w, b, 'tanh').gelu().add(x.sum(1, true).sigmoid());
      const loss = softmaxCrossEntropy(h.softmax(1).log().mul(h.elu()), labels).mean();
      return grad(loss, [x, w, b], { createGraph }).map((g) => values(g));
    };
    expect(run(true)).toEqual(run(false));
  });

  it('gradgradcheck fails on a gradient that is not differentiable (a detached factor)', () => {
    const bad = gradgradcheck((x) => x.mul(x.detach()), [randn([3], { generator: new Generator(1) })], { raise: false });
    expect(bad.ok).toBe(false);
    const good = gradgradcheck((x) => x.mul(x), [randn([3], { generator: new Generator(1) })], { raise: false });
    expect(good.ok).toBe(true);
    expect(() => gradgradcheck((x) => x.mul(x.detach()), [randn([3])])).toThrow(GradientError);
  });

  it('a gradient penalty (WGAN-GP style) trains through the gradient norm', () => {
    const gen = new Generator(2);
    const w = tensor(randn([1, 3], { generator: gen }).dataSync(), { shape: [1, 3], dtype: 'float64', requiresGrad: true });
    const x = tensor(randn([5, 3], { generator: gen }).dataSync(), { shape: [5, 3], dtype: 'float64', requiresGrad: true });
    // gradcheck evaluates under noGrad; the penalty needs its forward graph.
    const fn = (wt: Tensor, xt: Tensor): Tensor =>
      enableGrad(() => {
        const [gx] = grad(linear(xt, wt).tanh().sum(), xt, { createGraph: true });
        return gx!.mul(gx!).sum(1).sqrt().sub(1).pow(2).mean();
      });
    expect(gradcheck(fn, [w, x]).ok).toBe(true);
  });
});

describe('tensor hooks', () => {
  it('a leaf hook sees the gradient before accumulation and may replace it', () => {
    const x = f64([1, 2]);
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(values(g));
    });
    x.registerHook((g) => g.mul(10));
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4]]);
    expect(values(x.grad)).toEqual([20, 40]);
  });

  it('a hook on an intermediate changes what flows further back; remove() unregisters it', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const handle = h.registerHook((g) => g.mul(-1));
    h.sum().backward();
    expect(values(x.grad)).toEqual([-3, -3]);
    handle.remove();
    handle.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([3, 3]);
  });

  it('hooks run under grad() too', () => {
    const x = f64([1, 2]);
    const h = x.exp();
    h.registerHook((g) => g.mul(0));
    const [g] = grad(h.sum(), x);
    expect(values(g)).toEqual([0, 0]);
    const y = f64([5]);
    y.registerHook((gy) => gy.add(1));
    expect(values(grad(y.mul(2).sum(), y)[0])).toEqual([3]);
  });

  it('rejects a hook on a tensor without gradients and a replacement of the wrong shape', () => {
    expect(() => f64([1], false).registerHook(() => undefined)).toThrow(GradientError);
    const x = f64([1, 2]);
    x.registerHook(() => f64([1, 2, 3], false));
    expect(() => x.sum().backward()).toThrow(/shape \[3\].*shape \[2\]/);
  });
});

describe('retainGrad', () => {
  it('keeps the gradient of a non-leaf after backward (after its hooks), and not under grad()', () => {
    const x = f64([1, 2]);
    const h = x.mul(x);
    expect(h.isLeaf).toBe(false);
    expect(x.isLeaf).toBe(true);
    h.retainGrad();
    expect(h.retainsGrad).toBe(true);
    h.registerHook((g) => g.mul(2));
    const y = h.sum();
    y.backward(undefined, { retainGraph: true });
    expect(values(h.grad)).toEqual([2, 2]);
    expect(values(x.grad)).toEqual([4, 8]);
    grad(y, x);
    expect(values(h.grad)).toEqual([2, 2]);
  });

  it('is a no-op on a leaf and an error without gradients', () => {
    const x = f64([1]);
    x.retainGrad();
    expect(x.retainsGrad).toBe(false);
    expect(() => f64([1], false).retainGrad()).toThrow(GradientError);
  });
});

describe('third derivatives', () => {
  /** The first derivative of `fn` along a fixed upstream gradient, flattened: a function to gradgradcheck. */
  function firstDerivative(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[]): (...xs: Tensor[]) => Tensor {
    const y0 = fn(...inputs.map((t) => t.double()));
    const gen = new Generator(11);
    const v = tensor(Float64Array.from({ length: y0.size }, () => gen.nextNormal()), { shape: y0.shape, dtype: 'float64' });
    return (...xs) =>
      enableGrad(() => {
        const gs = grad(fn(...xs), xs, { gradOutputs: v, createGraph: true });
        return concat(gs.map((g) => g.reshape([-1])));
      });
  }

  const gen = new Generator(4);
  const x = randn([3, 4], { generator: gen });
  const w = randn([2, 4], { generator: gen });
  const labels = tensor([0, 3, 1], { dtype: 'int32' });
  const idx = tensor([[1, 0, 2, 2]], { dtype: 'int32' });
  const CASES: Record<string, [(...xs: Tensor[]) => Tensor, Tensor[]]> = {
    sigmoid: [(a) => a.sigmoid(), [x]],
    tanh: [(a) => a.tanh(), [x]],
    softplus: [(a) => a.softplus(), [x]],
    gelu: [(a) => a.gelu(), [x]],
    elu: [(a) => a.elu(0.7), [x]],
    softmax: [(a) => a.softmax(1), [x]],
    logSoftmax: [(a) => a.logSoftmax(0), [x]],
    softmaxCrossEntropy: [(a) => softmaxCrossEntropy(a, labels), [x]],
    linearTanh: [(a, b) => linear(a, b, undefined, 'tanh'), [x, w]],
    linearSigmoid: [(a, b) => linear(a, b, undefined, 'sigmoid'), [x, w]],
    matmulCubed: [(a, b) => a.matmul(b.transpose()).pow(3), [x, w]],
    gatherSquared: [(a) => a.gather(0, idx).pow(2), [x]],
    indexSelectExp: [(a) => a.indexSelect(1, [3, 0, 3]).exp(), [x]],
    broadcastMul: [(a, b) => a.mul(b.sum(0)).pow(2), [x, w]],
  };
  for (const [name, [fn, inputs]] of Object.entries(CASES)) {
    it(`${name}: gradgradcheck of the first derivative`, () => {
      const report = gradgradcheck(firstDerivative(fn, inputs), inputs, { raise: false });
      expect(report.ok, report.worst).toBe(true);
    });
  }

  it('a float32 → float64 cast is twice differentiable', () => {
    const a = f64([0.5, -2]);
    const h = a.float();
    const [d1] = grad(h.mul(h).mul(h).sum(), a, { createGraph: true });
    expect(d1!.dtype).toBe('float64');
    const [d2] = grad(d1!.sum(), a);
    close(values(d2), [3, -12], 1e-6);
  });
});

