import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  Generator,
  LayerNorm,
  MultiheadAttention,
  PositionalEmbedding,
  ShapeError,
  SinusoidalPositionalEncoding,
  type Tensor,
  TransformerEncoder,
  TransformerEncoderLayer,
  gradcheck,
  randn,
  scaledDotProductAttention,
  tensor,
} from '../../src/index.js';

const gen = new Generator(21);
const r = (shape: number[], dtype: 'float32' | 'float64' = 'float32'): Tensor => randn(shape, { generator: gen, dtype });

describe('MultiheadAttention', () => {
  it('has PyTorch’s parameter names and shapes', () => {
    const same = new MultiheadAttention(8, 2);
    expect(same.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['in_proj_weight', [24, 8]],
      ['in_proj_bias', [24]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    const sep = new MultiheadAttention(6, 3, { kdim: 4, vdim: 5, bias: false });
    expect(sep.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['q_proj_weight', [6, 6]],
      ['k_proj_weight', [6, 4]],
      ['v_proj_weight', [6, 5]],
      ['out_proj.weight', [6, 6]],
    ]);
  });

  it('passes gradcheck (a tiny self-attention and a cross-attention with masks)', () => {
    const mha = new MultiheadAttention(4, 2, { generator: new Generator(1) });
    const pad = tensor([[0, 0, 1], [0, 0, 0]], { dtype: 'int32' });
    gradcheck((x) => mha.forward(x, x, x, { isCausal: true })[0], [r([3, 2, 4], 'float64')]);
    gradcheck((q, k, v) => mha.forward(q, k, v, { keyPaddingMask: pad })[0], [
      r([2, 2, 4], 'float64'),
      r([3, 2, 4], 'float64'),
      r([3, 2, 4], 'float64'),
    ]);
  });

  it('self-attention through the stacked projection equals three separate projections', () => {
    const mha = new MultiheadAttention(8, 2, { batchFirst: true });
    const x = r([2, 5, 8]);
    const [a] = mha.forward(x, x, x);
    const [b] = mha.forward(x, x.add(0), x.mul(1));
    const [da, db] = [a.dataSync(), b.dataSync()];
    for (let i = 0; i < da.length; i++) expect(da[i]).toBeCloseTo(db[i]!, 5);
  });

  it('takes unbatched inputs and returns weights only when asked', () => {
    const mha = new MultiheadAttention(8, 4);
    const x = r([5, 8]);
    const [y, w] = mha.forward(x, x, x);
    expect(y.shape).toEqual([5, 8]);
    expect(w?.shape).toEqual([5, 5]);
    const [, none] = mha.forward(x, x, x, { needWeights: false });
    expect(none).toBeNull();
    const [, perHead] = mha.forward(r([2, 3, 8]), r([4, 3, 8]), r([4, 3, 8]), { averageAttnWeights: false });
    expect(perHead?.shape).toEqual([3, 4, 2, 4]);
  });

  it('names the expected layout on bad input', () => {
    expect(() => new MultiheadAttention(10, 3)).toThrow(/divisible/);
    const mha = new MultiheadAttention(8, 2);
    expect(() => mha.forward(r([4, 2, 6]), r([4, 2, 8]), r([4, 2, 8]))).toThrow(/query must be \[L, N, 8\]/);
    const bf = new MultiheadAttention(8, 2, { batchFirst: true });
    expect(() => bf.forward(r([2, 4, 8]), r([2, 5, 7]), r([2, 5, 8]))).toThrow(/key must be \[N, S, 8\]/);
    expect(() => mha.forward(r([4, 2, 8]), r([5, 3, 8]), r([5, 3, 8]))).toThrow(/batch size N/);
    expect(() => mha.forward(r([4, 2, 8]), r([5, 2, 8]), r([6, 2, 8]))).toThrow(/source length S/);
    const x = r([4, 2, 8]);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: tensor([[0, 1]], { dtype: 'int32' }) })).toThrow(/keyPaddingMask must be \[2, 4\]/);
    expect(() => mha.forward(x, x, x, { attnMask: r([3, 4]) })).toThrow(ShapeError);
    expect(() => mha.forward(x.int(), x, x)).toThrow(DTypeError);
  });

  it('drops attention weights with probability p in training only, keeping their expectation', () => {
    const mha = new MultiheadAttention(8, 2, { dropout: 0.5, batchFirst: true, generator: new Generator(4) });
    const x = r([4, 32, 8]);
    const [, w] = mha.forward(x, x, x, { averageAttnWeights: false });
    const d = w!.dataSync();
    let zeros = 0;
    let sum = 0;
    for (const v of d) {
      if (v === 0) zeros++;
      sum += v;
    }
    // 8192 weights: the fraction dropped is 0.5 ± 0.02 (4 sigma), each row keeps sum 1 in expectation.
    expect(Math.abs(zeros / d.length - 0.5)).toBeLessThan(0.022);
    expect(Math.abs(sum / (4 * 2 * 32) - 1)).toBeLessThan(0.1);
    mha.eval();
    const [a, wa] = mha.forward(x, x, x);
    const [b] = mha.forward(x, x, x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(wa!.dataSync()).every((v) => v > 0)).toBe(true);
  });

  it('scaledDotProductAttention dropout: expectation kept over many draws', () => {
    const q = r([1, 6, 4]);
    const v = r([1, 6, 4]);
    const plain = scaledDotProductAttention(q, q, v).dataSync();
    const g = new Generator(8);
    const acc = new Float64Array(plain.length);
    const n = 400;
    for (let i = 0; i < n; i++) {
      const o = scaledDotProductAttention(q, q, v, { dropoutP: 0.3, generator: g }).dataSync();
      for (let j = 0; j < o.length; j++) acc[j]! += o[j]! / n;
    }
    for (let j = 0; j < plain.length; j++) expect(Math.abs(acc[j]! - plain[j]!)).toBeLessThan(0.25);
  });
});

describe('TransformerEncoderLayer and TransformerEncoder', () => {
  it('uses PyTorch’s sub-module names', () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(Object.keys(layer.stateDict())).toEqual([
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
    const enc = new TransformerEncoder(layer, 2, new LayerNorm(8));
    const keys = Object.keys(enc.stateDict());
    expect(keys).toContain('layers.1.self_attn.in_proj_weight');
    expect(keys.at(-1)).toBe('norm.bias');
    expect(keys.length).toBe(26);
  });

  it('starts every layer from the prototype’s weights, as independent copies', () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new TransformerEncoder(layer, 2);
    const w0 = enc.layer(0).linear1.weight;
    const w1 = enc.layer(1).linear1.weight;
    expect(Array.from(w0.dataSync())).toEqual(Array.from(layer.linear1.weight.dataSync()));
    expect(w0).not.toBe(w1);
    expect(enc.parameters().length).toBe(24);
  });

  it('causal: an output does not depend on later positions', () => {
    for (const normFirst of [false, true]) {
      const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst }), 2).eval();
      const x = r([1, 6, 8]);
      const changed = x.add(tensor(Float32Array.from({ length: 48 }, (_, i) => (i >= 40 ? 3 : 0))).reshape([1, 6, 8]));
      const a = enc.forward(x, { isCausal: true }).dataSync();
      const b = enc.forward(changed, { isCausal: true }).dataSync();
      for (let i = 0; i < 40; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
      expect(Math.abs(b[47]! - a[47]!)).toBeGreaterThan(1e-3);
    }
  });

  it('rejects bad options', () => {
    expect(() => new TransformerEncoderLayer(8, 3)).toThrow(ArgumentError);
    // @ts-expect-error: not an activation this layer has
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' })).toThrow(/relu' or 'gelu/);
    expect(() => new TransformerEncoder(new TransformerEncoderLayer(8, 2), 0)).toThrow(/numLayers/);
  });
});

describe('positional embeddings', () => {
  it('sinusoidal: Vaswani et al.’s table, added to the input', () => {
    const pe = new SinusoidalPositionalEncoding(6, 10);
    const table = pe.pe.dataSync();
    for (const [p, i] of [[0, 0], [3, 2], [9, 4]] as const) {
      const f = p / 10000 ** (i / 6);
      expect(table[p * 6 + i]).toBeCloseTo(Math.sin(f), 6);
      expect(table[p * 6 + i + 1]).toBeCloseTo(Math.cos(f), 6);
    }
    const x = r([2, 4, 6]);
    const y = pe.forward(x).dataSync();
    expect(y[6 * 5 + 1]! - x.dataSync()[6 * 5 + 1]!).toBeCloseTo(table[6 + 1]!, 6);
    expect(pe.parameters()).toEqual([]);
    expect(Object.keys(pe.stateDict())).toEqual(['pe']);
  });

  it('learned: adds rows 0..T of its table, whose gradient reaches only those rows', () => {
    const pos = new PositionalEmbedding(5, 3, { generator: new Generator(2) });
    const x = r([2, 3, 3]);
    pos.forward(x).sum().backward();
    const g = pos.weight.grad!.dataSync();
    expect(Array.from(g)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    expect(Object.keys(pos.stateDict())).toEqual(['weight']);
  });

  it('names the problem with a wrong input', () => {
    const pos = new PositionalEmbedding(4, 3);
    expect(() => pos.forward(r([1, 5, 3]))).toThrow(/exceeds maxLen 4/);
    expect(() => pos.forward(r([1, 2, 4]))).toThrow(/\[\.\.\., T, 3\]/);
    expect(() => new SinusoidalPositionalEncoding(3, 8).forward(tensor([[1, 2, 3]], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
