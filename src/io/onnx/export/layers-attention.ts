/**
 * ONNX mappings of the transformer layers: `TransformerEncoderLayer` and
 * `TransformerEncoder` (self-attention written out in opset-17 ops: MatMul,
 * Split, Reshape, Transpose, Softmax, LayerNormalization), and the positional
 * embeddings (a Slice of the table added to the input). The weights keep their
 * PyTorch state-dict names (`layers.0.self_attn.in_proj_weight`, …). A model is
 * exported as `forward(x)` runs it: without masks (a causal model's own
 * forward is not a layer of this table). Registered by importing this module.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import type { MultiheadAttention } from '../../../nn/attention.js';
import type { Linear } from '../../../nn/linear.js';
import type { LayerNorm } from '../../../nn/norm.js';
import { PositionalEmbedding, SinusoidalPositionalEncoding } from '../../../nn/positional.js';
import { TransformerEncoder, TransformerEncoderLayer } from '../../../nn/transformer.js';
import { type Dim, floatAttr, type GraphBuilder, intAttr, intsAttr, type ValueType } from './graph.js';
import { geluNodes, type LayerContext, registerOnnxLayer } from './layers.js';

/** What the node builders below need from a layer's context. */
interface Emit {
  g: GraphBuilder;
  name: (what: string) => string;
  weight: (name: string, t: Tensor) => string;
}

const f = (dims: readonly Dim[]): ValueType => ({ elem: 'float', dims });

/** `x·Wᵀ + b` for a Linear whose state-dict prefix is `p`, on `x` of dims `[a, b, in]`. */
function linearNodes(e: Emit, p: string, lin: Linear, x: string, lead: readonly Dim[]): string {
  const { g } = e;
  const w = e.weight(`${p}.weight`, lin.weight);
  const wt = g.op('Transpose', [w], { output: e.name(`${p}/weight_t`), attrs: [intsAttr('perm', [1, 0])], type: f([lin.inFeatures, lin.outFeatures]) });
  const type = f([...lead, lin.outFeatures]);
  const y = g.op('MatMul', [x, wt], { output: e.name(`${p}/MatMul`), type });
  return lin.bias ? g.op('Add', [y, e.weight(`${p}.bias`, lin.bias)], { output: e.name(`${p}/Add`), type }) : y;
}

function layerNormNodes(e: Emit, p: string, ln: LayerNorm, x: string, type: ValueType): string {
  const n = ln.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = ln.weight ? e.weight(`${p}.weight`, ln.weight) : e.g.constFloats(e.name(`${p}/ones`), ln.normalizedShape, new Float32Array(n).fill(1));
  const inputs = [x, scale, ...(ln.bias ? [e.weight(`${p}.bias`, ln.bias)] : [])];
  const attrs = [intAttr('axis', -ln.normalizedShape.length), floatAttr('epsilon', ln.eps)];
  return e.g.op('LayerNormalization', inputs, { output: e.name(`${p}/LayerNormalization`), attrs, type });
}

/** Self-attention of `m` (prefix `p`) on `x` of dims `[B, T, E]` (batch first); returns `[B, T, E]`. */
function selfAttentionNodes(e: Emit, p: string, m: MultiheadAttention, x: string, b: Dim, t: Dim): string {
  const { g } = e;
  const [E, H, hd] = [m.embedDim, m.numHeads, m.headDim];
  const bte = f([b, t, E]);
  const w = e.weight(`${p}.in_proj_weight`, m.inProjWeight!);
  const wt = g.op('Transpose', [w], { output: e.name(`${p}/in_proj_t`), attrs: [intsAttr('perm', [1, 0])], type: f([E, 3 * E]) });
  let qkv = g.op('MatMul', [x, wt], { output: e.name(`${p}/in_proj`), type: f([b, t, 3 * E]) });
  if (m.inProjBias) qkv = g.op('Add', [qkv, e.weight(`${p}.in_proj_bias`, m.inProjBias)], { output: e.name(`${p}/in_proj_bias_add`), type: f([b, t, 3 * E]) });
  const sizes = g.constInts(e.name(`${p}/split`), [3], [E, E, E]);
  const [q, k, v] = g.node('Split', [qkv, sizes], { outputs: [`${p}/q`, `${p}/k`, `${p}/v`], attrs: [intAttr('axis', -1)], type: bte }) as [string, string, string];
  const headShape = g.constInts(e.name(`${p}/head_shape`), [4], [0, 0, H, hd]);
  const heads = (z: string, perm: number[], what: string): string => {
    const r = g.op('Reshape', [z, headShape], { output: e.name(`${p}/${what}_heads`), type: f([b, t, H, hd]) });
    const dims: Dim[] = [b, t, H, hd];
    return g.op('Transpose', [r], { output: e.name(`${p}/${what}_t`), attrs: [intsAttr('perm', perm)], type: f(perm.map((i) => dims[i]!)) });
  };
  const qh = heads(q, [0, 2, 1, 3], 'q');
  const kh = heads(k, [0, 2, 3, 1], 'k');
  const vh = heads(v, [0, 2, 1, 3], 'v');
  const scoreType = f([b, H, t, t]);
  const s = g.op('MatMul', [qh, kh], { output: e.name(`${p}/scores`), type: scoreType });
  const scaled = g.op('Mul', [s, g.constFloats(e.name(`${p}/scale`), [], [1 / Math.sqrt(hd)])], { output: e.name(`${p}/scaled`), type: scoreType });
  const weights = g.op('Softmax', [scaled], { output: e.name(`${p}/weights`), attrs: [intAttr('axis', -1)], type: scoreType });
  const o = g.op('MatMul', [weights, vh], { output: e.name(`${p}/attend`), type: f([b, H, t, hd]) });
  const ot = g.op('Transpose', [o], { output: e.name(`${p}/attend_t`), attrs: [intsAttr('perm', [0, 2, 1, 3])], type: f([b, t, H, hd]) });
  const joinShape = g.constInts(e.name(`${p}/join_shape`), [3], [0, 0, E]);
  const joined = g.op('Reshape', [ot, joinShape], { output: e.name(`${p}/joined`), type: bte });
  return linearNodes(e, `${p}.out_proj`, m.outProj, joined, [b, t]);
}

/** One encoder layer (state-dict prefix `p`, '' for none) on `x` of dims `[B, T, E]`. */
function encoderLayerNodes(e: Emit, p: string, l: TransformerEncoderLayer, x: string, b: Dim, t: Dim): string {
  const { g } = e;
  const at = (name: string): string => (p === '' ? name : `${p}.${name}`);
  const type = f([b, t, l.dModel]);
  const add = (a: string, c: string, what: string): string => g.op('Add', [a, c], { output: e.name(at(what)), type });
  const attend = (z: string): string => selfAttentionNodes(e, at('self_attn'), l.selfAttn, z, b, t);
  const feedForward = (z: string): string => {
    const h = linearNodes(e, at('linear1'), l.linear1, z, [b, t]);
    const hType = f([b, t, l.dimFeedforward]);
    const a = l.activation === 'relu' ? g.op('Relu', [h], { output: e.name(at('relu')), type: hType }) : geluNodes(g, h, hType, (w) => e.name(at(w)));
    return linearNodes(e, at('linear2'), l.linear2, a, [b, t]);
  };
  if (l.normFirst) {
    const y = add(x, attend(layerNormNodes(e, at('norm1'), l.norm1, x, type)), 'residual1');
    return add(y, feedForward(layerNormNodes(e, at('norm2'), l.norm2, y, type)), 'residual2');
  }
  const y = layerNormNodes(e, at('norm1'), l.norm1, add(x, attend(x), 'residual1'), type);
  return layerNormNodes(e, at('norm2'), l.norm2, add(y, feedForward(y), 'residual2'), type);
}

/**
 * Runs `body` on the input laid out batch first: a `[T, B, E]` input (batchFirst
 * false) is transposed in and the result transposed back.
 */
function batchFirst(ctx: LayerContext, first: boolean, body: (x: string, b: Dim, t: Dim) => string): string {
  const { g } = ctx;
  const [d0, d1, d2] = ctx.inType.dims as [Dim, Dim, Dim];
  if (first) return body(ctx.input, d0, d1);
  const swap = intsAttr('perm', [1, 0, 2]);
  const x = g.op('Transpose', [ctx.input], { output: ctx.name('to_batch_first'), attrs: [swap], type: f([d1, d0, d2]) });
  const y = body(x, d1, d0);
  return g.op('Transpose', [y], { output: ctx.name('to_seq_first'), attrs: [swap], type: ctx.outType });
}

function emitOf(ctx: LayerContext): Emit {
  return { g: ctx.g, name: ctx.name, weight: ctx.weight };
}

registerOnnxLayer(TransformerEncoderLayer, (ctx) =>
  batchFirst(ctx, ctx.module.batchFirst, (x, b, t) => encoderLayerNodes(emitOf(ctx), '', ctx.module, x, b, t)),
);

registerOnnxLayer(TransformerEncoder, (ctx) => {
  const m = ctx.module;
  return batchFirst(ctx, m.layer(0).batchFirst, (x, b, t) => {
    let y = x;
    for (let i = 0; i < m.numLayers; i++) y = encoderLayerNodes(emitOf(ctx), `layers.${i}`, m.layer(i), y, b, t);
    return m.norm === null ? y : layerNormNodes(emitOf(ctx), 'norm', m.norm, y, f([b, t, m.layer(0).dModel]));
  });
});

/** `x + table[0..T)` for `x` `[..., T, dim]`, the table an initializer under its state-dict name. */
function addPositions(ctx: LayerContext, table: string, dim: number): string {
  const { g } = ctx;
  const t = ctx.inShape[ctx.inShape.length - 2]!;
  const ints = (what: string, v: number): string => g.constInts(ctx.name(what), [1], [v]);
  const rows = g.op('Slice', [table, ints('start', 0), ints('end', t), ints('axis', 0)], { output: ctx.name('positions'), type: f([t, dim]) });
  return g.op('Add', [ctx.input, rows], { output: ctx.name('Add'), type: ctx.outType });
}

registerOnnxLayer(PositionalEmbedding, (ctx) => addPositions(ctx, ctx.weight('weight', ctx.module.weight), ctx.module.dim));
registerOnnxLayer(SinusoidalPositionalEncoding, (ctx) => addPositions(ctx, ctx.weight('pe', ctx.module.pe), ctx.module.dim));
