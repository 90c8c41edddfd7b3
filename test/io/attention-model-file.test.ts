/**
 * The attention layers in model files: a small transformer saved and loaded gives
 * the same outputs with the same PyTorch-named tensors, `MultiheadAttention` on its
 * own round-trips, the summary shows output shapes, and bad configs are
 * ModelFormatErrors.
 */
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { buildModel, deserializeModel, describeModel, serializeModel } from '../../src/io/index.js';
import { checkDeclaredTensors } from '../../src/io/registry.js';
import {
  LayerNorm,
  Linear,
  MultiheadAttention,
  PositionalEmbedding,
  Sequential,
  SinusoidalPositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
  summary,
} from '../../src/nn/index.js';
import { randn } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

function model(): Sequential {
  const g = new Generator(3);
  const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst: true, activation: 'gelu', generator: g });
  return new Sequential(
    new Linear(4, 8, { generator: g }),
    new PositionalEmbedding(10, 8, { generator: g }),
    new SinusoidalPositionalEncoding(8, 10),
    new TransformerEncoder(layer, 2, new LayerNorm(8, { eps: 1e-6 })),
    new TransformerEncoderLayer(8, 4, { dimFeedforward: 12, batchFirst: true, layerNormEps: 1e-4, generator: g }),
  ).eval();
}

describe('attention layers in model files', () => {
  it('round-trip: same outputs, same PyTorch-named tensors', () => {
    const net = model();
    const loaded = deserializeModel(serializeModel(net)).model.eval();
    const x = randn([2, 6, 4], { generator: new Generator(4) });
    expect(Array.from(loaded.forward(x).dataSync())).toEqual(Array.from(net.forward(x).dataSync()));
    expect(describeModel(loaded)).toEqual(describeModel(net));
    const keys = Object.keys(loaded.stateDict());
    expect(keys).toContain('3.layers.1.self_attn.in_proj_weight');
    expect(keys).toContain('3.norm.weight');
    expect(keys).toContain('4.linear2.bias');
    expect(keys).toContain('2.pe');
    expect(keys).toEqual(Object.keys(net.stateDict()));
  });

  it('MultiheadAttention with kdim/vdim and no bias: config, declared tensors, rebuild', () => {
    const mha = new MultiheadAttention(6, 3, { kdim: 4, vdim: 5, bias: false, batchFirst: true, dropout: 0.2 });
    const spec = describeModel(mha);
    const sd = mha.stateDict();
    expect(() => checkDeclaredTensors(spec, (name) => sd[name]?.shape)).not.toThrow();
    const rebuilt = buildModel(spec);
    if (!(rebuilt instanceof MultiheadAttention)) throw new Error('not rebuilt as MultiheadAttention');
    rebuilt.loadStateDict(sd);
    expect([rebuilt.kdim, rebuilt.vdim, rebuilt.dropout, rebuilt.batchFirst, rebuilt.inProjBias]).toEqual([4, 5, 0.2, true, null]);
    expect(Array.from(rebuilt.kProjWeight!.dataSync())).toEqual(Array.from(mha.kProjWeight!.dataSync()));
    // A tensor of the wrong shape is caught before anything is built.
    expect(() => checkDeclaredTensors(spec, (name) => (name === 'v_proj_weight' ? [6, 4] : sd[name]?.shape))).toThrow(/v_proj_weight/);
  });

  it('the summary shows each layer’s output shape', () => {
    const text = summary(model(), [2, 6, 4]);
    expect(text).toContain('TransformerEncoder');
    expect(text).toContain('MultiheadAttention');
    expect(text).toContain('[2, 6, 8]');
  });

  it('refuses bad configs with a ModelFormatError naming the layer', () => {
    const spec = describeModel(new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2));
    expect(() => buildModel(spec)).not.toThrow();
    for (const cfg of [{ activation: 'tanh' }, { nhead: 3 }, { dropout: 2 }, { numLayers: 0 }, { norm: 'yes' }]) {
      expect(() => buildModel({ ...spec, config: { ...spec.config, ...cfg } })).toThrow(ModelFormatError);
    }
    const mha = describeModel(new MultiheadAttention(8, 2));
    expect(() => buildModel({ ...mha, config: { ...mha.config, numHeads: 3 } })).toThrow(/layer type|divisible/);
    expect(() => buildModel({ ...mha, children: [] })).toThrow(/has no children/);
  });
});
