import { describe, expect, it, vi } from 'vitest';
import {
  ArgumentError,
  BatchNorm1d,
  DataLoader,
  DPOptimizer,
  EarlyStopping,
  type EpochInfo,
  type FitWarning,
  Generator,
  Linear,
  PerSampleGradients,
  PoissonLoader,
  PrivacyError,
  RDPAccountant,
  ReLU,
  SGD,
  Sequential,
  StepLR,
  TensorDataset,
  Tanh,
  Tensor,
  crossEntropy,
  evaluate,
  fit,
  getNoiseMultiplier,
  makePrivate,
  makePrivateWithEpsilon,
  narrow,
  randn,
  randomSource,
  samplingOf,
  tensor,
} from '../../src/index.js';

const gen = (s: number) => ({ generator: new Generator(s) });

/** Two Gaussian blobs in 4-d, labels 0/1. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = g.nextNormal() * 0.5 + (y[i] === 1 ? 1 : -1);
  }
  return { x: new Tensor(x, [n, 4]), y: new Tensor(y, [n]) };
}

describe('noise', () => {
  it('the default source is crypto.getRandomValues: secure, standard normal statistics', () => {
    const r = randomSource();
    expect(r.secure).toBe(true);
    const v = new Float64Array(40_000);
    r.fillNormal(v, 2);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it('a seeded source is reproducible and reported as not private', () => {
    const a = randomSource(7);
    const b = randomSource(new Generator(7));
    expect(a.secure).toBe(false);
    expect(a.description).toMatch(/not private/);
    const va = new Float32Array(5);
    const vb = new Float32Array(5);
    a.fillNormal(va, 1);
    b.fillNormal(vb, 1);
    expect(Array.from(va)).toEqual(Array.from(vb));
    expect(() => randomSource('maybe' as 'crypto')).toThrow(ArgumentError);
  });
});

describe('Poisson sampling', () => {
  const data = { x: randn([200, 3], gen(1)), y: tensor(Int32Array.from({ length: 200 }, (_, i) => i % 2)) };

  it('PoissonLoader: mean batch size q·N, varying sizes, empty batches keep their feature shape', () => {
    const src = { length: 200, batch: (idx: Int32Array) => ({ x: narrow(data.x, 0, 0, idx.length), y: narrow(data.y, 0, 0, idx.length) }) };
    const loader = new PoissonLoader(src, { sampleRate: 0.1, random: randomSource(5) });
    expect(loader.length).toBe(10);
    expect(loader.expectedBatchSize).toBeCloseTo(20);
    const sizes: number[] = [];
    for (let e = 0; e < 30; e++) for (const b of loader) sizes.push(b.x.shape[0]!);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(Math.abs(mean - 20)).toBeLessThan(1.5);
    expect(new Set(sizes).size).toBeGreaterThan(5);
    const tiny = new PoissonLoader(src, { sampleRate: 1e-4, steps: 3, random: randomSource(5) });
    const empties = [...tiny];
    expect(empties.map((b) => b.x.shape)).toEqual([[0, 3], [0, 3], [0, 3]]);
    expect(() => new PoissonLoader(src, { sampleRate: 0, random: randomSource(1) })).toThrow(ArgumentError);
  });

  it('the sampling rate follows Opacus: q = 1/⌈N/B⌉', () => {
    expect(samplingOf(60_000, 256)).toEqual({ sampleRate: 1 / 235, steps: 235 });
  });
});

describe('the DP-SGD step', () => {
  /** A model, a batch and the per-sample gradients from a loop of single-sample passes. */
  function setup() {
    const model = new Sequential(new Linear(4, 5, gen(1)), new Tanh(), new Linear(5, 3, gen(2)));
    const x = randn([6, 4], gen(3)).mul(3);
    const y = tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
    const per: Float32Array[][] = [];
    for (let s = 0; s < 6; s++) {
      model.zeroGrad();
      crossEntropy(model.forward(narrow(x, 0, s, 1).contiguous()), narrow(y, 0, s, 1).contiguous()).backward();
      per.push(model.parameters().map((p) => Float32Array.from(p.grad!.dataSync())));
    }
    model.zeroGrad();
    return { model, x, y, per };
  }

  it('without noise, the gradient is the clipped per-sample sum over the expected batch size', () => {
    const { model, x, y, per } = setup();
    const c = 0.5;
    const rec = new PerSampleGradients(model);
    const inner = new SGD(model.parameters(), { lr: 0 });
    const opt = new DPOptimizer(inner, { noiseMultiplier: 0, maxGradNorm: c, expectedBatchSize: 8, sampleRate: 0.1, perSample: rec, random: randomSource(1) });
    opt.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    opt.step();
    rec.remove();
    const norms = per.map((gs) => Math.sqrt(gs.reduce((a, g) => a + g.reduce((b, v) => b + v * v, 0), 0)));
    expect(opt.lastStep!.batchSize).toBe(6);
    for (const [i, v] of norms.entries()) expect(opt.lastStep!.norms[i]).toBeCloseTo(v, 4);
    expect(opt.lastStep!.clipped).toBe(norms.filter((v) => v > c).length);
    expect(opt.lastStep!.clipped).toBeGreaterThan(0);
    model.parameters().forEach((p, j) => {
      const want = new Float64Array(p.size);
      per.forEach((gs, s) => {
        const f = Math.min(1, c / (norms[s]! + 1e-6));
        gs[j]!.forEach((v, i) => {
          want[i]! += (f * v) / 8;
        });
      });
      const got = p.grad!.dataSync();
      for (const [i, v] of want.entries()) expect(Math.abs(got[i]! - v)).toBeLessThan(1e-6);
    });
  });

  it('with a large clipping norm and no noise, it is the ordinary batch gradient', () => {
    const { model, x, y } = setup();
    model.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    const plain = model.parameters().map((p) => Float32Array.from(p.grad!.dataSync()));
    const rec = new PerSampleGradients(model);
    const opt = new DPOptimizer(new SGD(model.parameters(), { lr: 0 }), {
      noiseMultiplier: 0, maxGradNorm: 1e9, expectedBatchSize: 6, sampleRate: 1, perSample: rec, random: randomSource(1),
    });
    opt.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    opt.step();
    rec.remove();
    for (const [j, p] of model.parameters().entries()) {
      for (const [i, v] of p.grad!.dataSync().entries()) expect(Math.abs(v - plain[j]![i]!)).toBeLessThan(1e-6);
    }
  });

  it('an empty batch is a noise-only step with standard deviation σC / expected batch size', () => {
    const model = new Linear(100, 50, gen(1));
    const rec = new PerSampleGradients(model);
    const acc = new RDPAccountant();
    const opt = new DPOptimizer(new SGD(model.parameters(), { lr: 0 }), {
      noiseMultiplier: 2, maxGradNorm: 3, expectedBatchSize: 10, sampleRate: 0.01, perSample: rec, random: randomSource(4), accountant: acc,
    });
    opt.zeroGrad();
    opt.step();
    rec.remove();
    const g = Array.from(model.weight.grad!.dataSync());
    const sd = Math.sqrt(g.reduce((a, v) => a + v * v, 0) / g.length);
    expect(Math.abs(sd - 0.6)).toBeLessThan(0.03);
    expect(opt.lastStep!.batchSize).toBe(0);
    expect(acc.history).toEqual([{ noiseMultiplier: 2, sampleRate: 0.01, steps: 1 }]);
  });
});

describe('makePrivate', () => {
  it('trains with fit: Poisson batches, an accountant step per optimizer step, seeded runs reported as not private', () => {
    const data = blobs(400, 1);
    const model = new Sequential(new Linear(4, 8, gen(2)), new ReLU(), new Linear(8, 2, gen(3)));
    const priv = makePrivate({
      model, optimizer: new SGD(model.parameters(), { lr: 0.5, momentum: 0.5 }), data, batchSize: 40, noiseMultiplier: 0.8, maxGradNorm: 1, noise: new Generator(11),
    });
    expect(priv.secure).toBe(false);
    expect(priv.optimizer.secure).toBe(false);
    expect(priv.sampleRate).toBeCloseTo(0.1);
    const h = fit(priv.model, priv.dataLoader, { epochs: 3, optimizer: priv.optimizer, loss: 'crossEntropy' });
    expect(h.epochs.length).toBe(3);
    expect(priv.optimizer.steps).toBe(30);
    const ref = new RDPAccountant();
    for (let i = 0; i < 30; i++) ref.step({ noiseMultiplier: 0.8, sampleRate: 0.1 });
    expect(priv.getEpsilon(1e-5)).toBeCloseTo(ref.getEpsilon(1e-5), 10);
    const acc = evaluate(model, blobs(200, 2), { loss: 'crossEntropy', metrics: ['accuracy'] }).metrics.accuracy!;
    expect(acc).toBeGreaterThan(0.9);
    priv.detach();
    expect(Object.hasOwn(model.at(0), 'forward')).toBe(false);
  });

  it('fit takes the empty Poisson batches of a small sampling rate as noise-only steps', () => {
    const model = new Linear(4, 2, gen(1));
    const priv = makePrivate({
      model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), data: blobs(20, 1), batchSize: 1, noiseMultiplier: 1, maxGradNorm: 1, noise: 5,
    });
    const sizes: number[] = [];
    const h = fit(priv.model, priv.dataLoader, {
      epochs: 2, optimizer: priv.optimizer, loss: 'crossEntropy', metrics: ['accuracy'],
      callbacks: [{ onBatchEnd: (b) => sizes.push(b.size) }],
    });
    // q = 1/20: about a third of the batches are empty; each is still an optimizer step.
    expect(priv.optimizer.steps).toBe(40);
    expect(sizes.length).toBeLessThan(40);
    expect(h.epochs).toEqual([1, 2]);
    priv.detach();
  });

  it('resumes counting: an accountant restored from toJSON (makePrivate accountant option, or restore) covers the whole run', () => {
    const data = blobs(100, 1);
    const run = (accountant?: RDPAccountant) => {
      const model = new Linear(4, 2, gen(1));
      const priv = makePrivate({
        model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), data, batchSize: 20, noiseMultiplier: 1.3, maxGradNorm: 1, noise: 3,
        ...(accountant === undefined ? {} : { accountant }),
      });
      fit(priv.model, priv.dataLoader, { epochs: 2, optimizer: priv.optimizer, loss: 'crossEntropy' });
      priv.detach();
      return priv;
    };
    const first = run();
    const saved = JSON.parse(JSON.stringify(first.accountant.toJSON()));
    const second = run(RDPAccountant.fromJSON(saved));
    const ref = new RDPAccountant();
    for (let i = 0; i < 20; i++) ref.step({ noiseMultiplier: 1.3, sampleRate: 0.2 });
    expect(second.accountant.history).toEqual([{ noiseMultiplier: 1.3, sampleRate: 0.2, steps: 20 }]);
    expect(second.getEpsilon(1e-5)).toBeCloseTo(ref.getEpsilon(1e-5), 12);
    const into = new RDPAccountant();
    into.step({ noiseMultiplier: 5, sampleRate: 0.5 });
    expect(into.restore(saved).history).toEqual([{ noiseMultiplier: 1.3, sampleRate: 0.2, steps: 10 }]);
    expect(() => into.restore({ mechanism: 'rdp', history: [{ noiseMultiplier: 1, sampleRate: 0.2, steps: 0 }] })).toThrow(ArgumentError);
  });

  it('an epoch whose Poisson batches were all empty has no loss (never NaN): a typed warning, null in the history, callbacks skip it', () => {
    const data = blobs(10, 1);
    const model = new Linear(4, 2, gen(1));
    const loader = new PoissonLoader({ length: 10, batch: (idx: Int32Array) => ({ x: narrow(data.x, 0, 0, idx.length), y: narrow(data.y, 0, 0, idx.length) }) }, {
      sampleRate: 1e-6, steps: 2, random: randomSource(5),
    });
    const warnings: FitWarning[] = [];
    const infos: EpochInfo[] = [];
    const h = fit(model, loader, {
      epochs: 2, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'crossEntropy', metrics: ['accuracy'],
      callbacks: [new EarlyStopping({ monitor: 'loss', patience: 0 }), { onEpochEnd: (i) => infos.push(i) }],
      onWarning: (w) => warnings.push(w),
    });
    expect(h.epochs).toEqual([1, 2]);
    expect(h.loss).toEqual([null, null]);
    expect(h.metrics.accuracy).toEqual([null, null]);
    expect(infos.map((i) => [i.samples, 'loss' in i.logs])).toEqual([[0, false], [0, false]]);
    expect(warnings.map((w) => [w.code, w.epoch])).toEqual([['empty-epoch', 1], ['empty-epoch', 2]]);
    expect(warnings[0]!.message).toMatch(/every batch of epoch 1 was empty .* no training loss/);
    // Without onWarning the message goes to console.warn.
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fit(model, loader, { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: 'crossEntropy' });
    expect(spy).toHaveBeenCalledWith(expect.stringMatching(/every batch of epoch 1 was empty/));
    spy.mockRestore();
  });

  it('poisson: false draws shuffled fixed-size batches covering every sample once; a DataLoader is accepted', () => {
    const data = blobs(50, 1);
    const model = new Linear(4, 2, gen(1));
    const loader = new DataLoader(new TensorDataset(data.x, data.y), { batchSize: 16 });
    const priv = makePrivate({ model, optimizer: new SGD(model.parameters()), dataLoader: loader, noiseMultiplier: 1, maxGradNorm: 1, poisson: false, noise: 3 });
    const batches = [...priv.dataLoader];
    expect(batches.map((b) => b.x.shape[0])).toEqual([16, 16, 16, 2]);
    const ys = batches.flatMap((b) => Array.from(b.y.dataSync())).sort();
    expect(ys).toEqual(Array.from(data.y.dataSync()).sort());
    expect(priv.sampleRate).toBeCloseTo(1 / 4);
    priv.detach();
  });

  it('uses crypto noise by default (secure)', () => {
    const model = new Linear(4, 2, gen(1));
    const priv = makePrivate({ model, optimizer: new SGD(model.parameters()), data: blobs(20, 1), batchSize: 5, noiseMultiplier: 1, maxGradNorm: 1 });
    expect(priv.secure).toBe(true);
    priv.detach();
  });

  it('a learning-rate scheduler on the private optimizer reaches the wrapped one', () => {
    const model = new Linear(4, 2, gen(1));
    const inner = new SGD(model.parameters(), { lr: 1 });
    const priv = makePrivate({ model, optimizer: inner, data: blobs(20, 1), batchSize: 5, noiseMultiplier: 1, maxGradNorm: 1, noise: 1 });
    const sched = new StepLR(priv.optimizer, { stepSize: 1, gamma: 0.5 });
    sched.step();
    priv.optimizer.zeroGrad();
    priv.optimizer.step();
    expect(inner.paramGroups[0]!.lr).toBeCloseTo(0.5);
    priv.detach();
  });

  it('makePrivateWithEpsilon calibrates σ so the planned epochs spend the budget', () => {
    const data = blobs(200, 1);
    const model = new Linear(4, 2, gen(1));
    const priv = makePrivateWithEpsilon({
      model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), data, batchSize: 20, targetEpsilon: 2, targetDelta: 1e-5, epochs: 2, maxGradNorm: 1, noise: 2,
    });
    expect(priv.noiseMultiplier).toBeCloseTo(getNoiseMultiplier({ targetEpsilon: 2, targetDelta: 1e-5, sampleRate: 0.1, steps: 20 }), 10);
    fit(priv.model, priv.dataLoader, { epochs: 2, optimizer: priv.optimizer, loss: 'crossEntropy' });
    const eps = priv.getEpsilon(1e-5);
    expect(eps).toBeLessThanOrEqual(2);
    expect(eps).toBeGreaterThan(1.9);
    priv.detach();
  });

  it('typed errors: BatchNorm, a foreign parameter, bad options', () => {
    const data = blobs(20, 1);
    const bn = new Sequential(new Linear(4, 3), new BatchNorm1d(3));
    expect(() => makePrivate({ model: bn, optimizer: new SGD(bn.parameters()), data, batchSize: 5, noiseMultiplier: 1, maxGradNorm: 1 })).toThrow(PrivacyError);
    const model = new Linear(4, 2);
    const other = new Linear(4, 2);
    expect(() =>
      makePrivate({ model, optimizer: new SGD([...model.parameters(), ...other.parameters()]), data, batchSize: 5, noiseMultiplier: 1, maxGradNorm: 1 }),
    ).toThrow(PrivacyError);
    expect(Object.hasOwn(model, 'forward')).toBe(false);
    const opt = new SGD(model.parameters());
    expect(() => makePrivate({ model, optimizer: opt, data, batchSize: 5, noiseMultiplier: 0, maxGradNorm: 1 })).toThrow(/noiseMultiplier/);
    expect(() => makePrivate({ model, optimizer: opt, data, batchSize: 5, noiseMultiplier: 1, maxGradNorm: -1 })).toThrow(/maxGradNorm/);
    expect(() => makePrivate({ model, optimizer: opt, data, noiseMultiplier: 1, maxGradNorm: 1 })).toThrow(/batchSize/);
    expect(() => makePrivate({ model, optimizer: opt, noiseMultiplier: 1, maxGradNorm: 1 })).toThrow(/dataLoader or data/);
  });
});
