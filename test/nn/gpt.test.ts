/**
 * GPT (nanoGPT's layout) against PyTorch (test/fixtures/torch/gpt.json, written by
 * scripts/torch-gpt-reference.py): the same state dict loads one to one, and the logits,
 * the loss and every parameter's gradient agree. Also: the parameter count of nanoGPT's CPU
 * configuration, causality, initialisation, weight tying, the model file and bad inputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  deserializeModel,
  GPT,
  Generator,
  nextTokenLoss,
  serializeModel,
  ShapeError,
  type StateDict,
  Tensor,
  tensor,
} from '../../src/index.js';
import { FORWARD_TOL, GRAD_TOL, expectClose } from '../conformance/compare.js';
import { FIXTURE_DIR, type FixtureTensor, decodeData } from '../conformance/fixtures.js';

interface GptCase {
  name: string;
  config: { vocabSize: number; blockSize: number; nLayer: number; nHead: number; nEmbd: number; bias: boolean };
  params: Record<string, FixtureTensor>;
  idx: FixtureTensor;
  targets: FixtureTensor;
  logits: FixtureTensor;
  loss: number;
  grads: Record<string, FixtureTensor>;
}

const cases = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'gpt.json'), 'utf8')) as { cases: GptCase[] }).cases;
const ids = (f: FixtureTensor): Tensor => new Tensor(Int32Array.from(decodeData(f)), f.shape);

describe('GPT against PyTorch', () => {
  for (const c of cases) {
    it(`${c.name}: the state dict loads one to one; logits, loss and every gradient agree`, () => {
      const model = new GPT(c.config, { generator: new Generator(0) });
      const sd: StateDict = {};
      for (const [k, f] of Object.entries(c.params)) sd[k] = tensor(Float32Array.from(decodeData(f)), { shape: f.shape });
      const r = model.loadStateDict(sd);
      expect(r.missingKeys).toEqual([]);
      expect(r.unexpectedKeys).toEqual([]);
      const logits = model.forward(ids(c.idx));
      expect(logits.shape).toEqual(c.logits.shape);
      expectClose('logits', logits.dataSync(), decodeData(c.logits), FORWARD_TOL);
      const loss = nextTokenLoss(logits, ids(c.targets));
      expect(loss.item()).toBeCloseTo(c.loss, 5);
      loss.backward();
      const named = new Map(model.namedParameters());
      expect([...named.keys()].sort()).toEqual(Object.keys(c.grads).sort());
      for (const [k, f] of Object.entries(c.grads)) expectClose(`grad of ${k}`, named.get(k)!.grad!.dataSync(), decodeData(f), GRAD_TOL);
    });
  }
});

describe('GPT', () => {
  const small = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };

  it("has nanoGPT's 0.80 M parameters in its CPU configuration (65 characters, without the position embeddings)", () => {
    const m = new GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
    // 4 blocks × (2·128 LayerNorm + 128·384 + 128·128 + 2·128·512) + 65·128 + 128
    expect(m.numParams()).toBe(4 * (256 + 49152 + 16384 + 131072) + 65 * 128 + 128);
    expect(m.numParams(false) - m.numParams()).toBe(64 * 128);
  });

  it('is causal: a later token does not change the logits of earlier positions', () => {
    const m = new GPT(small, { generator: new Generator(3) });
    const a = new Int32Array([1, 2, 3, 4, 5, 6]);
    const b = a.slice();
    b[4] = 9;
    const la = m.forward(new Tensor(a, [1, 6])).dataSync();
    const lb = m.forward(new Tensor(b, [1, 6])).dataSync();
    const v = small.vocabSize;
    expect(Array.from(lb.subarray(0, 4 * v))).toEqual(Array.from(la.subarray(0, 4 * v)));
    expect(Array.from(lb.subarray(4 * v, 5 * v))).not.toEqual(Array.from(la.subarray(4 * v, 5 * v)));
  });

  it("initialises as nanoGPT: N(0, 0.02), residual projections N(0, 0.02/√(2·nLayer)), LayerNorm scales 1", () => {
    const m = new GPT({ vocabSize: 50, blockSize: 32, nLayer: 4, nHead: 4, nEmbd: 64 }, { generator: new Generator(7) });
    const std = (t: Tensor): number => {
      const d = t.dataSync();
      let s = 0;
      for (const x of d) s += x * x;
      return Math.sqrt(s / d.length);
    };
    const p = new Map(m.namedParameters());
    expect(std(p.get('transformer.h.0.mlp.c_fc.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(p.get('transformer.wte.weight')!)).toBeCloseTo(0.02, 3);
    expect(std(p.get('transformer.h.1.mlp.c_proj.weight')!)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(Array.from(p.get('transformer.ln_f.weight')!.dataSync()).every((x) => x === 1)).toBe(true);
    expect(p.has('transformer.ln_f.bias')).toBe(false);
  });

  it('ties the head to the token embedding: one tensor, gradients from both uses', () => {
    const m = new GPT(small, { generator: new Generator(1) });
    expect(m.parameters().filter((q) => q === m.transformer.wte.weight)).toHaveLength(1);
    const x = new Tensor(new Int32Array([0, 1, 2]), [1, 3]);
    nextTokenLoss(m.forward(x), new Tensor(new Int32Array([1, 2, 3]), [1, 3])).backward();
    // Rows of tokens that never appear as input still get gradient through the head.
    const g = m.transformer.wte.weight.grad!.dataSync();
    expect(g.subarray(10 * 16, 11 * 16).some((v) => v !== 0)).toBe(true);
  });

  it("groups the parameters as nanoGPT's optimizer does: decay on matrices, none on vectors", () => {
    const m = new GPT({ ...small, bias: true });
    const [decay, none] = m.paramGroups(0.1);
    expect(decay!.weightDecay).toBe(0.1);
    expect(none!.weightDecay).toBe(0);
    expect(decay!.params.every((p) => p.ndim === 2)).toBe(true);
    expect(none!.params.every((p) => p.ndim === 1)).toBe(true);
    expect(decay!.params.length + none!.params.length).toBe(m.parameters().length);
  });

  it('saves and loads as a .cortex model with the same outputs', () => {
    const m = new GPT({ ...small, bias: true }, { generator: new Generator(2) });
    const x = new Tensor(new Int32Array([3, 1, 4, 1, 5]), [1, 5]);
    const back = deserializeModel(serializeModel(m)).model as GPT;
    expect(back).toBeInstanceOf(GPT);
    expect(back.config).toEqual(m.config);
    expect(Array.from(back.forward(x).dataSync())).toEqual(Array.from(m.forward(x).dataSync()));
  });

  it('refuses bad configs and inputs with typed errors naming the layout', () => {
    expect(() => new GPT({ ...small, nHead: 3 })).toThrow(/nHead \(3\) must divide nEmbd \(16\)/);
    expect(() => new GPT({ ...small, nLayer: 0 })).toThrow(/nLayer must be a positive integer/);
    const m = new GPT(small);
    expect(() => m.forward(tensor([[1, 2]]))).toThrow(DTypeError);
    expect(() => m.forward(new Tensor(new Int32Array(3), [3]))).toThrow(/expected token ids of shape \[batch, time\], got \[3\]/);
    expect(() => m.forward(new Tensor(new Int32Array(9), [1, 9]))).toThrow(ShapeError);
    expect(() => m.forward(new Tensor(new Int32Array(9), [1, 9]))).toThrow(/9 tokens does not fit the block size 8/);
  });

  it('prints its summary with output shapes when run on int32 token ids', () => {
    const m = new GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 }, { generator: new Generator(3) });
    const text = m.summary([2, 5], 'int32');
    expect(text).toMatch(/transformer\.ln_f \(LayerNorm\)\s+\[2, 5, 16\]/);
    expect(text).toMatch(/transformer\.wpe \(Embedding\)\s+\[5, 16\]/);
    expect(() => m.summary([2, 5])).toThrow(DTypeError);
  });
});
