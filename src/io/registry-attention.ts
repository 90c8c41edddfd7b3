/**
 * Model-file codecs of the attention layers: `MultiheadAttention`,
 * `TransformerEncoderLayer`, `TransformerEncoder`, `PositionalEmbedding` and
 * `SinusoidalPositionalEncoding`. The first three build their sub-modules from
 * their config (`ownsSubmodules`) and declare every tensor under PyTorch's
 * names. `registry.ts` registers them with the built-in layers.
 * @module
 */
import { ModelFormatError } from '../errors.js';
import { MultiheadAttention } from '../nn/attention.js';
import { LayerNorm } from '../nn/norm.js';
import { PositionalEmbedding, SinusoidalPositionalEncoding } from '../nn/positional.js';
import { type TransformerActivation, TransformerEncoder, TransformerEncoderLayer } from '../nn/transformer.js';
import { scratch } from './registry-cnn.js';
import type { ConfigReader, JsonObject, registerLayer } from './registry.js';

type TensorList = [string, number[]][];

/** Largest width, head count, sequence length or layer count read from a file. */
const MAX_SIZE = 1 << 20;
/** Most layers in a `TransformerEncoder` read from a file. */
const MAX_LAYERS = 4096;

const prefixed = (prefix: string, list: TensorList): TensorList => list.map(([n, s]) => [`${prefix}.${n}`, s]);

/** The fields of a `MultiheadAttention` config, validated. */
function mhaFields(c: ConfigReader) {
  const embedDim = c.int('embedDim', 1, MAX_SIZE);
  const numHeads = c.int('numHeads', 1, MAX_SIZE);
  if (embedDim % numHeads !== 0) throw new ModelFormatError(`${c.where}: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
  return {
    embedDim,
    numHeads,
    dropout: c.num('dropout', 0, 1),
    bias: c.bool('bias'),
    batchFirst: c.bool('batchFirst'),
    kdim: c.int('kdim', 1, MAX_SIZE),
    vdim: c.int('vdim', 1, MAX_SIZE),
  };
}

/** The tensors of a `MultiheadAttention` (PyTorch's names). */
function mhaTensors(e: number, kdim: number, vdim: number, bias: boolean): TensorList {
  const list: TensorList = kdim === e && vdim === e ? [['in_proj_weight', [3 * e, e]]] : [['q_proj_weight', [e, e]], ['k_proj_weight', [e, kdim]], ['v_proj_weight', [e, vdim]]];
  if (bias) list.push(['in_proj_bias', [3 * e]]);
  list.push(['out_proj.weight', [e, e]]);
  if (bias) list.push(['out_proj.bias', [e]]);
  return list;
}

const layerConfig = (m: TransformerEncoderLayer): JsonObject => ({
  dModel: m.dModel,
  nhead: m.nhead,
  dimFeedforward: m.dimFeedforward,
  dropout: m.dropoutP,
  activation: m.activation,
  layerNormEps: m.layerNormEps,
  batchFirst: m.batchFirst,
  normFirst: m.normFirst,
});

/** The fields of a `TransformerEncoderLayer` config, validated. */
function layerFields(c: ConfigReader) {
  const activation = c.raw('activation');
  if (activation !== 'relu' && activation !== 'gelu') {
    throw new ModelFormatError(`${c.where}: config field 'activation' must be "relu" or "gelu", got ${JSON.stringify(activation) ?? 'nothing'}`);
  }
  const dModel = c.int('dModel', 1, MAX_SIZE);
  const nhead = c.int('nhead', 1, MAX_SIZE);
  if (dModel % nhead !== 0) throw new ModelFormatError(`${c.where}: dModel ${dModel} is not divisible by nhead ${nhead}`);
  return {
    dModel,
    nhead,
    dimFeedforward: c.int('dimFeedforward', 1, MAX_SIZE),
    dropout: c.num('dropout', 0, 1),
    activation: activation as TransformerActivation,
    layerNormEps: c.num('layerNormEps', 0, 1),
    batchFirst: c.bool('batchFirst'),
    normFirst: c.bool('normFirst'),
  };
}

function layerTensors(c: ConfigReader): TensorList {
  const { dModel: d, dimFeedforward: ff } = layerFields(c);
  return [
    ...prefixed('self_attn', mhaTensors(d, d, d, true)),
    ['linear1.weight', [ff, d]],
    ['linear1.bias', [ff]],
    ['linear2.weight', [d, ff]],
    ['linear2.bias', [d]],
    ['norm1.weight', [d]],
    ['norm1.bias', [d]],
    ['norm2.weight', [d]],
    ['norm2.bias', [d]],
  ];
}

function buildLayer(c: ConfigReader): TransformerEncoderLayer {
  const { dModel, nhead, ...rest } = layerFields(c);
  return new TransformerEncoderLayer(dModel, nhead, { ...rest, ...scratch() });
}

/** The final norm of a `TransformerEncoder` config (`norm`, `normEps`, `normAffine`): null, or a LayerNorm over `[dModel]`. */
function finalNorm(c: ConfigReader): { eps: number; elementwiseAffine: boolean } | null {
  return c.bool('norm') ? { eps: c.num('normEps', 0, 1), elementwiseAffine: c.bool('normAffine') } : null;
}

/** Registers the codecs through `register` (the registry's `registerLayer`). */
export function registerAttentionLayers(register: typeof registerLayer): void {
  register('MultiheadAttention', {
    cls: MultiheadAttention,
    ownsSubmodules: true,
    config: (m) => ({
      embedDim: m.embedDim,
      numHeads: m.numHeads,
      dropout: m.dropout,
      bias: m.inProjBias !== null,
      batchFirst: m.batchFirst,
      kdim: m.kdim,
      vdim: m.vdim,
    }),
    create: (c) => {
      const { embedDim, numHeads, ...rest } = mhaFields(c);
      return new MultiheadAttention(embedDim, numHeads, { ...rest, ...scratch() });
    },
    tensors: (c) => {
      const f = mhaFields(c);
      return mhaTensors(f.embedDim, f.kdim, f.vdim, f.bias);
    },
  });
  register('TransformerEncoderLayer', {
    cls: TransformerEncoderLayer,
    ownsSubmodules: true,
    config: layerConfig,
    create: buildLayer,
    tensors: layerTensors,
  });
  register('TransformerEncoder', {
    cls: TransformerEncoder,
    ownsSubmodules: true,
    // The layer's fields, with the stack's beside them (every layer shares the config).
    config: (m) => ({
      ...layerConfig(m.layer(0)),
      numLayers: m.numLayers,
      norm: m.norm !== null,
      normEps: m.norm?.eps ?? 1e-5,
      normAffine: m.norm === null || m.norm.weight !== null,
    }),
    create: (c) => {
      const layer = buildLayer(c);
      const norm = finalNorm(c);
      return new TransformerEncoder(layer, c.int('numLayers', 1, MAX_LAYERS), norm === null ? null : new LayerNorm(layer.dModel, norm));
    },
    tensors: (c) => {
      const inner = layerTensors(c);
      const list: TensorList = [];
      for (let i = 0; i < c.int('numLayers', 1, MAX_LAYERS); i++) list.push(...prefixed(`layers.${i}`, inner));
      const d = c.int('dModel', 1, MAX_SIZE);
      if (finalNorm(c)?.elementwiseAffine === true) list.push(['norm.weight', [d]], ['norm.bias', [d]]);
      return list;
    },
  });
  register('PositionalEmbedding', {
    cls: PositionalEmbedding,
    config: (m) => ({ maxLen: m.maxLen, dim: m.dim }),
    create: (c) => new PositionalEmbedding(c.int('maxLen', 1, MAX_SIZE), c.int('dim', 1, MAX_SIZE), scratch()),
    tensors: (c) => [['weight', [c.int('maxLen', 1, MAX_SIZE), c.int('dim', 1, MAX_SIZE)]]],
  });
  register('SinusoidalPositionalEncoding', {
    cls: SinusoidalPositionalEncoding,
    config: (m) => ({ dim: m.dim, maxLen: m.maxLen }),
    create: (c) => new SinusoidalPositionalEncoding(c.int('dim', 1, MAX_SIZE), c.int('maxLen', 1, MAX_SIZE)),
    tensors: (c) => [['pe', [c.int('maxLen', 1, MAX_SIZE), c.int('dim', 1, MAX_SIZE)]]],
  });
}
