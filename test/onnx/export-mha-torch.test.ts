/**
 * The exported attention graphs against PyTorch itself: every batched MultiheadAttention
 * and encoder case of test/fixtures/torch/attention.json (written by
 * scripts/torch-attention-reference.py with nn.MultiheadAttention and
 * nn.TransformerEncoder(Layer) in eval mode) is loaded into Cortex by state-dict name,
 * exported with its masks as graph inputs (bool masks as ONNX bool, float ones as float,
 * the causal ones as the constant triangle), run in onnxruntime on PyTorch's inputs and
 * compared with PyTorch's outputs and attention weights within 1e-5 (relative to the
 * largest output, see export-helpers.ts), every initializer of the graphs read by some node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exportAttentionOnnx, exportOnnx, type OnnxAttentionMasks } from '../../src/io/onnx/index.js';
import { LayerNorm, type Module, MultiheadAttention, type Tensor, tensor, TransformerEncoder, TransformerEncoderLayer } from '../../src/index.js';
import { type Params, readAttentionFixtures } from '../conformance/attention-fixtures.js';
import { decodeData, type FixtureTensor } from '../conformance/fixtures.js';
import { expectNoUnusedInitializers, REL_TOL, relError } from './export-helpers.js';
import { ortRun } from './helpers.js';

const doc = readAttentionFixtures();

const isBool = (f: FixtureTensor): boolean => f.dtype === 'int32' || f.dtype === 'bool';
const t = (f: FixtureTensor): Tensor =>
  isBool(f) ? tensor(Int32Array.from(decodeData(f)), { shape: f.shape, dtype: 'int32' }) : tensor(Float32Array.from(decodeData(f)), { shape: f.shape });

function load(m: Module<never[], unknown>, params: Params): void {
  m.loadStateDict(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, t(v)])));
}

/** The mask options of the export and the feeds, from the fixture's masks under the graph's input names. */
function maskFeeds(kpm: FixtureTensor | undefined, am: FixtureTensor | undefined, names: [string, string], isCausal: boolean) {
  const masks: OnnxAttentionMasks = { isCausal };
  const feeds: Record<string, Tensor> = {};
  const bools: string[] = [];
  if (kpm !== undefined) {
    masks.keyPaddingMask = isBool(kpm) ? 'bool' : 'float';
    feeds[names[0]] = t(kpm);
    if (isBool(kpm)) bools.push(names[0]);
  }
  if (am !== undefined) {
    masks.attnMask = isBool(am) ? 'bool' : 'float';
    masks.attnMaskPerHead = am.shape.length === 3;
    feeds[names[1]] = t(am);
    if (isBool(am)) bools.push(names[1]);
  }
  return { masks, feeds, bools };
}

const measured: Record<string, number> = {};

function check(what: string, got: { dims: number[]; data: number[] }, want: FixtureTensor): void {
  expect(got.dims, what).toEqual(want.shape);
  const err = relError(got.data, decodeData(want));
  measured[what] = err;
  expect(err, what).toBeLessThanOrEqual(REL_TOL);
}

afterAll(() => {
  const errs = Object.values(measured);
  console.log(`ONNX attention export vs PyTorch: largest relative error ${Math.max(...errs).toExponential(2)} over ${errs.length} outputs`);
});

describe('exported MultiheadAttention against nn.MultiheadAttention', () => {
  for (const c of doc.mha.filter((m) => m.query.shape.length === 3)) {
    it(c.name, async () => {
      const { embedDim, numHeads, ...opts } = c.config;
      const mha = new MultiheadAttention(embedDim, numHeads, opts);
      load(mha, c.params);
      const { masks, feeds, bools } = maskFeeds(c.masks.keyPaddingMask, c.masks.attnMask, ['key_padding_mask', 'attn_mask'], c.isCausal);
      const [q, k, v] = [t(c.query), t(c.key), t(c.value)];
      const cross = c.selfAttention ? {} : { sampleKey: k, sampleValue: v };
      const bytes = exportAttentionOnnx(mha, { sampleQuery: q, ...cross, masks, averageAttnWeights: c.averageAttnWeights, dynamicBatch: false });
      expectNoUnusedInitializers(bytes, c.name);
      const [out, weights] = await ortRun(bytes, { query: q, ...(c.selfAttention ? {} : { key: k, value: v }), ...feeds }, bools);
      check(`${c.name} output`, out!, c.out);
      check(`${c.name} weights`, weights!, c.weights);
    });
  }
});

describe('exported encoders with masks against nn.TransformerEncoder(Layer)', () => {
  for (const c of doc.encoder) {
    it(c.name, async () => {
      const { dModel, nhead, ...opts } = c.config;
      const layer = new TransformerEncoderLayer(dModel, nhead, opts);
      const model = c.numLayers === null ? layer : new TransformerEncoder(layer, c.numLayers, c.finalNorm ? new LayerNorm(dModel) : null);
      load(model, c.params);
      const { masks, feeds, bools } = maskFeeds(c.masks.srcKeyPaddingMask, c.masks.srcMask, ['src_key_padding_mask', 'src_mask'], c.isCausal);
      const src = t(c.src);
      const bytes = exportOnnx(model, { sampleInput: src, masks, dynamicBatch: false });
      expectNoUnusedInitializers(bytes, c.name);
      const [out] = await ortRun(bytes, { input: src, ...feeds }, bools);
      check(`${c.name} output`, out!, c.out);
    });
  }
});
