import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Embedding,
  Flatten,
  Generator,
  GroupNorm,
  LayerNorm,
  Linear,
  Module,
  Parameter,
  PerSampleGradients,
  PrivacyError,
  Sequential,
  Tanh,
  type Tensor,
  crossEntropy,
  mul,
  narrow,
  randn,
  sum,
  tanh,
  tensor,
} from '../../src/index.js';

/** A layer with no vectorised rule: y = tanh(x ⊙ scale) + x·shift, elementwise over the features. */
class Custom extends Module {
  readonly scale: Parameter;
  readonly shift: Parameter;
  constructor(n: number) {
    super();
    const g = new Generator(3);
    this.scale = this.param('scale', new Parameter(Float32Array.from({ length: n }, () => g.nextNormal()), [n]));
    this.shift = this.param('shift', new Parameter(Float32Array.from({ length: n }, () => g.nextNormal()), [n]));
  }
  forward(x: Tensor): Tensor {
    return tanh(mul(x, this.scale)).add(mul(x, this.shift));
  }
}

/** A loss with a per-sample sum: each sample's loss is a fixed random weighting of its outputs. */
function weightedLoss(out: Tensor, w: Tensor, reduction: 'mean' | 'sum'): Tensor {
  const s = sum(mul(out, w));
  return reduction === 'mean' ? s.div(out.shape[0]!) : s;
}

/** Largest |a − b| / max(1, |b|) over two equal-shape arrays. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/**
 * Checks the recorded per-sample gradients of `model` on `x` against a loop of
 * single-sample backward passes, and their sum against the batch gradient. Returns the largest error.
 */
function check(model: Module, x: Tensor, reduction: 'mean' | 'sum' = 'mean'): number {
  const n = x.shape[0]!;
  const rec = new PerSampleGradients(model, { lossReduction: reduction, onFallback: () => {} });
  const out = model.forward(x);
  const w = randn(out.shape, { generator: new Generator(9) });
  model.zeroGrad();
  weightedLoss(out, w, reduction).backward();
  const batchGrads = new Map(model.parameters().map((p) => [p, p.grad!.dataSync().slice()]));
  const per = rec.collect();
  rec.remove();
  let worst = 0;
  const params = model.parameters();
  expect([...per.keys()].sort()).toEqual([...params].sort());
  for (let s = 0; s < n; s++) {
    model.zeroGrad();
    const xs = narrow(x, 0, s, 1).contiguous();
    weightedLoss(model.forward(xs), narrow(w, 0, s, 1), 'sum').backward();
    for (const p of params) {
      const gs = narrow(per.get(p)!, 0, s, 1).contiguous().dataSync();
      worst = Math.max(worst, relErr(gs, p.grad!.dataSync()));
    }
  }
  // The per-sample gradients add up to the batch gradient (÷ N for a mean).
  for (const p of params) {
    const total = sum(per.get(p)!, 0).div(reduction === 'mean' ? n : 1).dataSync();
    worst = Math.max(worst, relErr(total, batchGrads.get(p)!));
  }
  model.zeroGrad();
  return worst;
}

const gen = (s: number) => ({ generator: new Generator(s) });

describe('per-sample gradients against a loop of single-sample passes', () => {
  it('Linear, 2-d and with leading dimensions, mean and sum', () => {
    expect(check(new Linear(5, 3, gen(1)), randn([6, 5], gen(2)))).toBeLessThan(1e-5);
    expect(check(new Linear(5, 3, gen(1)), randn([4, 3, 2, 5], gen(2)), 'sum')).toBeLessThan(1e-5);
    expect(check(new Linear(5, 3, { ...gen(1), bias: false }), randn([4, 5], gen(2)))).toBeLessThan(1e-5);
  });

  it('Conv2d with stride, padding, dilation and groups', () => {
    expect(check(new Conv2d(2, 4, 3, { ...gen(1), stride: 2, padding: 1 }), randn([3, 2, 7, 6], gen(2)))).toBeLessThan(1e-5);
    expect(check(new Conv2d(4, 6, [3, 2], { ...gen(1), dilation: 2, groups: 2 }), randn([3, 4, 8, 7], gen(2)))).toBeLessThan(1e-5);
    expect(check(new Conv2d(2, 2, 3, { ...gen(1), padding: 'same', bias: false }), randn([2, 2, 5, 5], gen(2)), 'sum')).toBeLessThan(1e-5);
  });

  it('Conv1d with groups and dilation', () => {
    expect(check(new Conv1d(4, 6, 3, { ...gen(1), groups: 2, dilation: 2, padding: 1, stride: 2 }), randn([3, 4, 11], gen(2)))).toBeLessThan(1e-5);
  });

  it('LayerNorm and GroupNorm', () => {
    const ln = new LayerNorm([3, 4]);
    ln.weight!.dataSync().set(randn([12], gen(4)).dataSync());
    expect(check(ln, randn([5, 2, 3, 4], gen(2)))).toBeLessThan(1e-5);
    const gn = new GroupNorm(2, 4);
    gn.weight!.dataSync().set(randn([4], gen(5)).dataSync());
    expect(check(gn, randn([3, 4, 3, 3], gen(2)))).toBeLessThan(1e-5);
  });

  it('Embedding, with repeated ids in a sample', () => {
    const ids = tensor([[1, 2, 1], [0, 4, 4], [3, 3, 3]], { dtype: 'int32' });
    expect(check(new Embedding(5, 3, gen(1)), ids)).toBeLessThan(1e-5);
  });

  it('the loop fallback for a layer without a rule, reported once', () => {
    const messages: string[] = [];
    const model = new Sequential(new Linear(4, 3, gen(1)), new Custom(3));
    const rec = new PerSampleGradients(model, { onFallback: (m) => messages.push(m) });
    rec.remove();
    expect(rec.fallbackLayers).toEqual(['Custom']);
    expect(messages.length).toBeLessThanOrEqual(1);
    expect(check(model, randn([5, 4], gen(2)))).toBeLessThan(1e-5);
  });

  it('a whole small CNN (conv, GroupNorm, tanh, linear)', () => {
    const model = new Sequential(
      new Conv2d(1, 4, 3, { ...gen(1), padding: 1 }),
      new GroupNorm(2, 4),
      new Tanh(),
      new Conv2d(4, 4, 3, { ...gen(2), stride: 2 }),
      new Tanh(),
      new Flatten(),
      new Linear(4 * 3 * 3, 5, gen(3)),
      new Tanh(),
      new Linear(5, 3, gen(4)),
    );
    expect(check(model, randn([6, 1, 7, 7], gen(5)))).toBeLessThan(1e-5);
  });

  it('a layer used twice in one forward pass gets the sum of both uses', () => {
    const fc = new Linear(3, 3, gen(1));
    class Twice extends Module {
      readonly fc = this.module('fc', fc);
      forward(x: Tensor): Tensor {
        return this.fc.forward(tanh(this.fc.forward(x)));
      }
    }
    expect(check(new Twice(), randn([4, 3], gen(2)))).toBeLessThan(1e-5);
  });

  it('works with a cross-entropy loss', () => {
    const model = new Sequential(new Linear(4, 6, gen(1)), new Tanh(), new Linear(6, 3, gen(2)));
    const rec = new PerSampleGradients(model);
    const x = randn([5, 4], gen(3));
    const y = tensor([0, 2, 1, 1, 0], { dtype: 'int32' });
    crossEntropy(model.forward(x), y).backward();
    const per = rec.collect();
    rec.remove();
    for (let s = 0; s < 5; s++) {
      model.zeroGrad();
      crossEntropy(model.forward(narrow(x, 0, s, 1).contiguous()), narrow(y, 0, s, 1).contiguous()).backward();
      for (const p of model.parameters()) {
        expect(relErr(narrow(per.get(p)!, 0, s, 1).contiguous().dataSync(), p.grad!.dataSync())).toBeLessThan(1e-5);
      }
    }
  });
});

describe('per-sample gradients: errors', () => {
  it('BatchNorm is refused with a PrivacyError suggesting GroupNorm', () => {
    const model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
    expect(() => new PerSampleGradients(model)).toThrow(PrivacyError);
    expect(() => new PerSampleGradients(model)).toThrow(/GroupNorm/);
  });

  it('a convolution called on an unbatched input gets a ShapeError naming the layer', () => {
    const conv = new Conv2d(1, 2, 3);
    const rec = new PerSampleGradients(conv);
    conv.forward(randn([1, 5, 5], gen(1))).sum().backward();
    expect(() => rec.collect()).toThrow(/Conv2d: per-sample gradients need a batched input \[N, C, H, W\], got \[1, 5, 5\]/);
    rec.remove();
  });

  it('a bad lossReduction is refused', () => {
    expect(() => new PerSampleGradients(new Linear(2, 2), { lossReduction: 'max' as 'mean' })).toThrow(/lossReduction/);
  });

  it('removing the recorder restores the model', () => {
    const model = new Linear(2, 2);
    const rec = new PerSampleGradients(model);
    expect(Object.hasOwn(model, 'forward')).toBe(true);
    rec.remove();
    expect(Object.hasOwn(model, 'forward')).toBe(false);
  });
});
