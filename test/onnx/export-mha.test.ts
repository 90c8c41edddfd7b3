/**
 * ONNX export of a standalone MultiheadAttention (exportAttentionOnnx) and of the encoder
 * masks (exportOnnx's `masks`): each model runs in onnxruntime and through importOnnx
 * within 1e-5 (relative to the largest output, see export-helpers.ts) of Cortex's
 * forward with the same masks, for every mask kind (float, bool, int64 key padding and
 * attention masks, per-head attention masks, causal), batch first or not, at the sample's
 * batch size and another; fully masked rows give zero weights, as in Cortex. No graph
 * carries an initializer that no node reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxError } from '../../src/errors.js';
import { type AttentionOnnxOptions, exportAttentionOnnx, exportOnnx, importOnnx, type OnnxAttentionMasks, type OnnxMaskKind } from '../../src/io/onnx/index.js';
import {
  Generator,
  LayerNorm,
  Linear,
  MultiheadAttention,
  type MultiheadAttentionForwardOptions,
  noGrad,
  randn,
  Sequential,
  type Tensor,
  tensor,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '../../src/index.js';
import { expectNoUnusedInitializers, REL_TOL, relError } from './export-helpers.js';
import { ortRun } from './helpers.js';

/** Relative (see export-helpers.ts) and absolute errors by check, printed at the end. */
const measured: Record<string, number> = {};
const absolute: Record<string, number> = {};

/** max|a − b| (∞ with a NaN). */
function absError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
}

afterAll(() => {
  for (const [group, key] of [['attention ort', 'mha ort'], ['attention importOnnx', 'mha import'], ['encoder ort', 'enc ort'], ['encoder importOnnx', 'enc import']] as const) {
    const keys = Object.keys(measured).filter((k) => k.startsWith(key));
    const rel = Math.max(...keys.map((k) => measured[k]!));
    const abs = Math.max(...keys.map((k) => absolute[k]!));
    console.log(`ONNX ${group}: largest relative error ${rel.toExponential(2)}, absolute ${abs.toExponential(2)} over ${keys.length} checks`);
  }
});
const written: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cortex-onnx-mha-'));

/** Deterministic masks: a Cortex tensor per kind (int32 for bool/int64: nonzero = ignored). */
function mask(kind: OnnxMaskKind, shape: number[], seed: number, emptyRow: boolean): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const cols = shape[shape.length - 1]!;
  const ignore = Array.from({ length: n }, (_, i) => (emptyRow && i < cols) || g.nextFloat() < 0.3);
  if (kind === 'float') {
    // −∞ where ignored, else a finite bias (so the additive path is really added).
    return tensor(Float32Array.from(ignore, (x) => (x ? Number.NEGATIVE_INFINITY : g.nextFloat() - 0.5)), { shape });
  }
  return tensor(Int32Array.from(ignore, (x) => (x ? (kind === 'int64' ? 3 : 1) : 0)), { shape });
}

/** Compares ORT's and importOnnx's outputs with Cortex's, recording the errors. */
async function compare(label: string, bytes: Uint8Array, feeds: Record<string, Tensor>, bools: string[], want: (Tensor | null)[]): Promise<void> {
  expectNoUnusedInitializers(bytes, label);
  const got = await ortRun(bytes, feeds, bools);
  const expected = want.filter((t): t is Tensor => t !== null);
  expect(got.length).toBe(expected.length);
  const imported = noGrad(() => importOnnx(bytes).run(feeds));
  for (const [i, w] of expected.entries()) {
    expect(got[i]!.dims).toEqual(w.shape);
    const ortErr = relError(got[i]!.data, w.dataSync());
    const impErr = relError(imported[i]!.dataSync(), w.dataSync());
    const cut = label.indexOf(': ');
    const [group, rest] = [label.slice(0, cut), label.slice(cut + 2)];
    measured[`${group} ort: ${rest} out${i}`] = ortErr;
    measured[`${group} import: ${rest} out${i}`] = impErr;
    absolute[`${group} ort: ${rest} out${i}`] = absError(got[i]!.data, w.dataSync());
    absolute[`${group} import: ${rest} out${i}`] = absError(imported[i]!.dataSync(), w.dataSync());
    expect(ortErr, `${label} output ${i} (ort)`).toBeLessThanOrEqual(REL_TOL);
    expect(impErr, `${label} output ${i} (importOnnx)`).toBeLessThanOrEqual(REL_TOL);
  }
}

interface MhaCase {
  name: string;
  make: () => MultiheadAttention;
  /** [N, L, S]; S differs from L only for cross-attention. */
  sizes: [number, number, number];
  cross?: boolean;
  masks?: OnnxAttentionMasks;
  emptyRow?: boolean;
  weights?: 'none' | 'mean' | 'heads';
  /** Symbolic sequence lengths: also run at other lengths. */
  dynamicSequence?: boolean;
}

const gen = () => new Generator(3);
const MHA: MhaCase[] = [
  { name: 'self, batch first, no mask, mean weights', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [2, 5, 5] },
  { name: 'self, sequence first, no bias, per-head weights', make: () => new MultiheadAttention(8, 4, { bias: false, generator: gen() }), sizes: [2, 5, 5], weights: 'heads' },
  { name: 'self, causal, batch first', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [2, 6, 6], masks: { isCausal: true } },
  { name: 'self, causal, sequence first, no weights', make: () => new MultiheadAttention(12, 3, { generator: gen() }), sizes: [3, 4, 4], masks: { isCausal: true }, weights: 'none' },
  { name: 'self, bool key padding with an empty row, batch first', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [3, 5, 5], masks: { keyPaddingMask: 'bool' }, emptyRow: true },
  { name: 'self, float key padding, sequence first', make: () => new MultiheadAttention(8, 2, { generator: gen() }), sizes: [2, 5, 5], masks: { keyPaddingMask: 'float' } },
  { name: 'self, int64 key padding, batch first', make: () => new MultiheadAttention(8, 1, { batchFirst: true, generator: gen() }), sizes: [2, 5, 5], masks: { keyPaddingMask: 'int64' } },
  { name: 'self, float attn mask + causal, batch first', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [2, 5, 5], masks: { attnMask: 'float', isCausal: true } },
  { name: 'self, bool attn mask with an empty row + bool padding, sequence first', make: () => new MultiheadAttention(8, 2, { generator: gen() }), sizes: [2, 5, 5], masks: { attnMask: 'bool', keyPaddingMask: 'bool' }, emptyRow: true, weights: 'heads' },
  { name: 'self, per-head float attn mask, batch first', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [2, 4, 4], masks: { attnMask: 'float', attnMaskPerHead: true } },
  { name: 'self, per-head int64 attn mask + float padding, sequence first', make: () => new MultiheadAttention(8, 4, { generator: gen() }), sizes: [2, 4, 4], masks: { attnMask: 'int64', attnMaskPerHead: true, keyPaddingMask: 'float' } },
  { name: 'cross (kdim 5, vdim 3), batch first, bool padding + float attn mask', make: () => new MultiheadAttention(8, 2, { kdim: 5, vdim: 3, batchFirst: true, generator: gen() }), sizes: [2, 4, 6], cross: true, masks: { keyPaddingMask: 'bool', attnMask: 'float' } },
  { name: 'dynamic length: self, causal + bool padding, batch first', make: () => new MultiheadAttention(8, 2, { batchFirst: true, generator: gen() }), sizes: [2, 5, 5], masks: { isCausal: true, keyPaddingMask: 'bool' }, dynamicSequence: true },
  { name: 'dynamic length: self, per-head float attn mask + causal, sequence first', make: () => new MultiheadAttention(8, 4, { generator: gen() }), sizes: [2, 4, 4], masks: { attnMask: 'float', attnMaskPerHead: true, isCausal: true }, dynamicSequence: true, weights: 'heads' },
  { name: 'dynamic length: cross, causal (L ≠ S) + int64 attn mask, batch first', make: () => new MultiheadAttention(8, 2, { kdim: 6, vdim: 4, batchFirst: true, generator: gen() }), sizes: [2, 4, 6], cross: true, masks: { isCausal: true, attnMask: 'int64' }, dynamicSequence: true },
  { name: 'cross (shared in_proj), sequence first, causal, no bias', make: () => new MultiheadAttention(8, 2, { bias: false, generator: gen() }), sizes: [2, 4, 6], cross: true, masks: { isCausal: true } },
  // Separate projections and no bias: nothing is split, so no split sizes in the graph.
  { name: 'cross (kdim 5, vdim 3), sequence first, no bias', make: () => new MultiheadAttention(8, 2, { kdim: 5, vdim: 3, bias: false, generator: gen() }), sizes: [2, 3, 4], cross: true },
];

describe('ONNX export of a standalone MultiheadAttention', () => {
  for (const c of MHA) {
    it(c.name, async () => {
      const m = c.make();
      const [n0, l0, s0] = c.sizes;
      const bf = m.batchFirst;
      const x = (batch: number, t: number, e: number, seed: number) => randn(bf ? [batch, t, e] : [t, batch, e], { generator: new Generator(seed) });
      const weights = c.weights ?? 'mean';
      const options: AttentionOnnxOptions = {
        sampleQuery: x(n0, l0, m.embedDim, 1),
        ...(c.cross ? { sampleKey: x(n0, s0, m.kdim, 2), sampleValue: x(n0, s0, m.vdim, 3) } : {}),
        masks: c.masks,
        needWeights: weights !== 'none',
        averageAttnWeights: weights === 'mean',
        dynamicSequence: c.dynamicSequence,
      };
      const bytes = exportAttentionOnnx(m, options);
      written.push(join(dir, `mha-${written.length}.onnx`));
      writeFileSync(written.at(-1)!, bytes);
      m.eval();
      const runs: [number, number, number][] = [[n0, l0, s0], [n0 + 2, l0, s0]];
      if (c.dynamicSequence) runs.push([n0 + 1, l0 + 3, c.cross ? s0 + 1 : l0 + 3], [n0, 1, c.cross ? 2 : 1]);
      for (const [n, l, s] of runs) {
        const q = x(n, l, m.embedDim, 10 + n);
        const feeds: Record<string, Tensor> = { query: q };
        const fwd: MultiheadAttentionForwardOptions = { isCausal: c.masks?.isCausal, needWeights: weights !== 'none', averageAttnWeights: weights === 'mean' };
        let [k, v] = [q, q];
        if (c.cross) {
          [k, v] = [x(n, s, m.kdim, 20 + n), x(n, s, m.vdim, 30 + n)];
          Object.assign(feeds, { key: k, value: v });
        }
        const bools: string[] = [];
        if (c.masks?.keyPaddingMask !== undefined) {
          fwd.keyPaddingMask = feeds.key_padding_mask = mask(c.masks.keyPaddingMask, [n, s], 40 + n, c.emptyRow === true);
          if (c.masks.keyPaddingMask === 'bool') bools.push('key_padding_mask');
        }
        if (c.masks?.attnMask !== undefined) {
          const shape = c.masks.attnMaskPerHead ? [n * m.numHeads, l, s] : [l, s];
          fwd.attnMask = feeds.attn_mask = mask(c.masks.attnMask, shape, 50 + n, c.emptyRow === true);
          if (c.masks.attnMask === 'bool') bools.push('attn_mask');
        }
        const [out, w] = noGrad(() => m.forward(q, k, v, fwd));
        await compare(`mha: ${c.name} N=${n} L=${l} S=${s}`, bytes, feeds, bools, [out, w]);
      }
    });
  }

  it('exports in evaluation mode: dropout is the identity, the layer keeps its mode', async () => {
    const m = new MultiheadAttention(8, 2, { dropout: 0.5, batchFirst: true, generator: gen() });
    m.train();
    const q = randn([2, 5, 8], { generator: new Generator(4) });
    const bytes = exportAttentionOnnx(m, { sampleQuery: q, needWeights: false });
    expect(m.training).toBe(true);
    m.eval();
    const [out] = noGrad(() => m.forward(q, q, q));
    await compare('mha: dropout 0.5, evaluation', bytes, { query: q }, [], [out]);
  });

  it('refuses what it cannot export, with OnnxError', () => {
    const m = new MultiheadAttention(8, 2, { batchFirst: true });
    const q = randn([2, 5, 8]);
    const bad: [string, () => unknown][] = [
      ['unbatched sample', () => exportAttentionOnnx(m, { sampleQuery: randn([5, 8]) })],
      ['wrong feature size', () => exportAttentionOnnx(m, { sampleQuery: randn([2, 5, 6]) })],
      ['int32 sample', () => exportAttentionOnnx(m, { sampleQuery: tensor(new Int32Array(80), { shape: [2, 5, 8] }) })],
      ['key without value', () => exportAttentionOnnx(m, { sampleQuery: q, sampleKey: q })],
      ['self-attention with kdim ≠ embedDim', () => exportAttentionOnnx(new MultiheadAttention(8, 2, { kdim: 4 }), { sampleQuery: randn([5, 2, 8]) })],
      ['unknown mask kind', () => exportAttentionOnnx(m, { sampleQuery: q, masks: { keyPaddingMask: 'int32' as OnnxMaskKind } })],
      ['per-head without attnMask', () => exportAttentionOnnx(m, { sampleQuery: q, masks: { attnMaskPerHead: true } })],
      ['opset 18', () => exportAttentionOnnx(m, { sampleQuery: q, opset: 18 })],
      ['not an attention', () => exportAttentionOnnx(new Linear(2, 2) as unknown as MultiheadAttention, { sampleQuery: q })],
      ['exportOnnx of a MultiheadAttention', () => exportOnnx(m as unknown as Parameters<typeof exportOnnx>[0], { sampleInput: q })],
    ];
    for (const [what, run] of bad) expect(run, what).toThrow(OnnxError);
  });
});

interface EncoderCase {
  name: string;
  make: () => TransformerEncoderLayer | TransformerEncoder | Sequential;
  /** The input shape, batch first or sequence first as the model. */
  shape: [number, number, number];
  batchFirst: boolean;
  masks: OnnxAttentionMasks;
  heads: number;
}

const eg = () => new Generator(9);
const layer = (o: { batchFirst?: boolean; normFirst?: boolean; nhead?: number }) =>
  new TransformerEncoderLayer(8, o.nhead ?? 2, { dimFeedforward: 16, batchFirst: o.batchFirst, normFirst: o.normFirst, generator: eg() });
const ENCODERS: EncoderCase[] = [
  { name: 'layer, batch first, bool src_key_padding_mask', make: () => layer({ batchFirst: true }), shape: [2, 5, 8], batchFirst: true, masks: { keyPaddingMask: 'bool' }, heads: 2 },
  { name: 'layer, sequence first, float src_mask + causal', make: () => layer({}), shape: [5, 2, 8], batchFirst: false, masks: { attnMask: 'float', isCausal: true }, heads: 2 },
  { name: 'layer, pre-norm, batch first, causal only', make: () => layer({ batchFirst: true, normFirst: true }), shape: [2, 6, 8], batchFirst: true, masks: { isCausal: true }, heads: 2 },
  { name: 'layer, sequence first, int64 padding + per-head bool src_mask', make: () => layer({ nhead: 4 }), shape: [4, 2, 8], batchFirst: false, masks: { keyPaddingMask: 'int64', attnMask: 'bool', attnMaskPerHead: true }, heads: 4 },
  {
    name: 'two-layer encoder with final norm, batch first, float padding + bool src_mask',
    make: () => new TransformerEncoder(layer({ batchFirst: true }), 2, new LayerNorm(8)),
    shape: [3, 5, 8],
    batchFirst: true,
    masks: { keyPaddingMask: 'float', attnMask: 'bool' },
    heads: 2,
  },
  { name: 'two-layer encoder, sequence first, causal + bool padding', make: () => new TransformerEncoder(layer({}), 2), shape: [5, 2, 8], batchFirst: false, masks: { isCausal: true, keyPaddingMask: 'bool' }, heads: 2 },
];

describe('ONNX export of transformer encoders with masks', () => {
  for (const c of ENCODERS) {
    it(c.name, async () => {
      const model = c.make() as TransformerEncoder;
      const sample = randn(c.shape, { generator: new Generator(1) });
      const bytes = exportOnnx(model, { sampleInput: sample, masks: c.masks });
      written.push(join(dir, `encoder-${written.length}.onnx`));
      writeFileSync(written.at(-1)!, bytes);
      model.eval();
      const [n0, s] = c.batchFirst ? [c.shape[0], c.shape[1]] : [c.shape[1], c.shape[0]];
      for (const n of [n0, n0 + 3]) {
        const x = randn(c.batchFirst ? [n, s, 8] : [s, n, 8], { generator: new Generator(60 + n) });
        const feeds: Record<string, Tensor> = { input: x };
        const bools: string[] = [];
        const { keyPaddingMask: kpm, attnMask: am } = c.masks;
        const opts = { isCausal: c.masks.isCausal, srcKeyPaddingMask: null as Tensor | null, srcMask: null as Tensor | null };
        if (kpm !== undefined) {
          opts.srcKeyPaddingMask = feeds.src_key_padding_mask = mask(kpm, [n, s], 70 + n, false);
          if (kpm === 'bool') bools.push('src_key_padding_mask');
        }
        if (am !== undefined) {
          opts.srcMask = feeds.src_mask = mask(am, c.masks.attnMaskPerHead ? [n * c.heads, s, s] : [s, s], 80 + n, false);
          if (am === 'bool') bools.push('src_mask');
        }
        const want = noGrad(() => model.forward(x, opts));
        await compare(`enc: ${c.name} N=${n}`, bytes, feeds, bools, [want]);
      }
    });
  }

  it('refuses masks it cannot place, with OnnxError', () => {
    const x = randn([2, 5, 8]);
    expect(() => exportOnnx(new Sequential(new Linear(8, 8)), { sampleInput: x, masks: { isCausal: true } })).toThrow(OnnxError);
    // The masks fix the sequence length.
    expect(() => exportOnnx(layer({}), { sampleInput: randn([5, 2, 8]), masks: { keyPaddingMask: 'bool' }, dynamicSequence: true })).toThrow(OnnxError);
    const mixed = new Sequential(layer({ batchFirst: true }), layer({ batchFirst: true, nhead: 4 }));
    expect(() => exportOnnx(mixed, { sampleInput: x, masks: { attnMask: 'float', attnMaskPerHead: true } })).toThrow(OnnxError);
    expect(() => exportOnnx(layer({ batchFirst: true }), { sampleInput: x, masks: { attnMask: 'text' as OnnxMaskKind } })).toThrow(OnnxError);
  });

  it('a model without masks exports as before (no mask inputs)', () => {
    const bytes = exportOnnx(layer({ batchFirst: true }), { sampleInput: randn([2, 5, 8]), masks: {} });
    expect(importOnnx(bytes).inputNames).toEqual(['input']);
  });
});

describe('ONNX checker', () => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
  it.skipIf(probe.status !== 0)('passes onnx.checker.check_model(full_check=True) on every exported model', () => {
    const script = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint(len(sys.argv) - 1)';
    const r = spawnSync('/usr/bin/python3', ['-c', script, ...written], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(Number(r.stdout.trim())).toBe(written.length);
    expect(written.length).toBeGreaterThan(10);
  });
});
