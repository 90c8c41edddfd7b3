/** generate / sampleToken: temperature, top-k, context cropping, seeding, errors; estimateLoss. */
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  CosineAnnealingLR,
  estimateLoss,
  nextTokenStep,
  generate,
  Generator,
  GPT,
  Module,
  SequenceDataset,
  sampleToken,
  Tensor,
} from '../../src/index.js';

/** A "model" whose logits favour token (last input + 1) mod v, and records the context lengths it saw. */
class Next extends Module {
  seen: number[] = [];
  constructor(readonly v: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    const [b, t] = x.shape as [number, number];
    this.seen.push(t);
    const ids = x.dataSync();
    const out = new Float32Array(b * t * this.v);
    for (let i = 0; i < b * t; i++) out[i * this.v + ((ids[i]! + 1) % this.v)] = 10;
    return new Tensor(out, [b, t, this.v]);
  }
}

describe('sampleToken', () => {
  it('top-k 1 is the argmax; a low temperature nearly is', () => {
    const g = new Generator(1);
    expect(sampleToken([0.1, 3, 2.9, -1], 1, 1, g)).toBe(1);
    const draws = Array.from({ length: 200 }, () => sampleToken([0, 1, 0.5], 0.05, 3, g));
    expect(draws.filter((d) => d === 1).length).toBeGreaterThan(195);
  });

  it('never draws outside the top k, and follows the softmax', () => {
    const g = new Generator(2);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken([Math.log(0.5), Math.log(0.3), Math.log(0.2), Math.log(0.9)], 1, 3, g)]!++;
    expect(counts[2]).toBe(0);
    // Among tokens 3, 0, 1 with weights 0.9, 0.5, 0.3: token 3 has probability 0.9/1.7.
    expect(counts[3]! / 4000).toBeCloseTo(0.9 / 1.7, 1);
  });
});

describe('generate', () => {
  it('appends maxNewTokens, crops the context to blockSize, and restores the training mode', () => {
    const m = new Next(5);
    const out = generate(m, new Tensor(new Int32Array([0, 1]), [1, 2]), { maxNewTokens: 6, topK: 1, blockSize: 3 });
    expect(out.shape).toEqual([1, 8]);
    expect(Array.from(out.dataSync())).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect(m.seen).toEqual([2, 3, 3, 3, 3, 3]);
    expect(m.training).toBe(true);
  });

  it('is reproducible from a seed, and takes a 1-D context', () => {
    const model = new GPT({ vocabSize: 9, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 }, { generator: new Generator(0) });
    const ctx = new Tensor(new Int32Array([1, 2, 3]), [3]);
    const a = generate(model, ctx, { maxNewTokens: 10, temperature: 1.5, topK: 5, generator: new Generator(4) });
    const b = generate(model, ctx, { maxNewTokens: 10, temperature: 1.5, topK: 5, generator: new Generator(4) });
    expect(a.shape).toEqual([13]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  });

  it('refuses bad arguments with messages naming them', () => {
    const m = new Next(4);
    const ctx = new Tensor(new Int32Array([0]), [1, 1]);
    expect(() => generate(m, ctx, { maxNewTokens: 2 })).toThrow(/pass blockSize/);
    expect(() => generate(m, ctx, { maxNewTokens: 2, blockSize: 2, temperature: 0 })).toThrow(/temperature must be positive/);
    expect(() => generate(m, ctx, { maxNewTokens: 2, blockSize: 2, topK: 0 })).toThrow(/topK must be at least 1/);
    expect(() => generate(m, ctx, { maxNewTokens: -1, blockSize: 2 })).toThrow(/maxNewTokens/);
    expect(() => generate(m, new Tensor(new Float32Array(2), [1, 2]), { maxNewTokens: 1, blockSize: 2 })).toThrow(/int32/);
  });
});

describe('estimateLoss', () => {
  it('averages the next-token loss over seeded batches without recording gradients', () => {
    const model = new GPT({ vocabSize: 6, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, { generator: new Generator(0) });
    const ds = new SequenceDataset(Int32Array.from({ length: 50 }, (_, i) => i % 6), 4);
    const a = estimateLoss(model, ds, { batches: 3, batchSize: 2, generator: new Generator(5) });
    const b = estimateLoss(model, ds, { batches: 3, batchSize: 2, generator: new Generator(5) });
    expect(a).toBe(b);
    expect(a).toBeCloseTo(Math.log(6), 1); // an untrained model is near uniform
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('nextTokenStep', () => {
  it('updates the model so the loss on a repeated batch falls, and steps the scheduler', () => {
    const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 8 }, { generator: new Generator(0) });
    const ds = new SequenceDataset(Int32Array.from({ length: 40 }, (_, i) => i % 5), 4);
    const batch = ds.sample(4, new Generator(1));
    const opt = new AdamW(model.paramGroups(0.1), { lr: 1e-2 });
    const sched = new CosineAnnealingLR(opt, { tMax: 10 });
    const first = nextTokenStep(model, batch, opt, { clipNorm: 1, scheduler: sched }).item();
    let last = first;
    for (let i = 0; i < 9; i++) last = nextTokenStep(model, batch, opt, { clipNorm: 1, scheduler: sched }).item();
    expect(last).toBeLessThan(first);
    expect(sched.lastEpoch).toBe(10);
  });
});
