/**
 * ONNX mappings of the transformer layers: `TransformerEncoderLayer` and
 * `TransformerEncoder` (self-attention written out in opset-17 ops: MatMul,
 * Split, Reshape, Transpose, Softmax, LayerNormalization), and the positional
 * embeddings (a Slice of the table added to the input). The weights keep their
 * PyTorch state-dict names (`layers.0.self_attn.in_proj_weight`, …). With the
 * `masks` option of `exportOnnx`, every encoder layer adds the graph's masks
 * (`src_key_padding_mask`, `src_mask`, the causal triangle) to its scores, as its
 * `forward(x, { srcKeyPaddingMask, srcMask, isCausal })` does; without it the model
 * is exported as `forward(x)` runs it. Registered by importing this module.
 * @module
 */
import { OnnxError } from '../../../errors.js';
import type { LayerNorm } from '../../../nn/norm.js';
import { PositionalEmbedding, SinusoidalPositionalEncoding } from '../../../nn/positional.js';
import { TransformerEncoder, TransformerEncoderLayer } from '../../../nn/transformer.js';
import { attentionNodes, type Emit, f, linearNodes } from './attention-nodes.js';
import { type Dim, floatAttr, intAttr, intsAttr, type ValueType } from './graph.js';
import { geluNodes, type LayerContext, registerOnnxLayer } from './layers.js';

function layerNormNodes(e: Emit, p: string, ln: LayerNorm, x: string, type: ValueType): string {
  const n = ln.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = ln.weight ? e.weight(`${p}.weight`, ln.weight) : e.g.constFloats(e.name(`${p}/ones`), ln.normalizedShape, new Float32Array(n).fill(1));
  const inputs = [x, scale, ...(ln.bias ? [e.weight(`${p}.bias`, ln.bias)] : [])];
  const attrs = [intAttr('axis', -ln.normalizedShape.length), floatAttr('epsilon', ln.eps)];
  return e.g.op('LayerNormalization', inputs, { output: e.name(`${p}/LayerNormalization`), attrs, type });
}

/** One encoder layer (state-dict prefix `p`, '' for none) on `x` of dims `[B, T, E]`. */
function encoderLayerNodes(e: Emit, p: string, l: TransformerEncoderLayer, x: string, b: Dim, t: Dim, masks: LayerContext['attentionMasks']): string {
  const { g } = e;
  const at = (name: string): string => (p === '' ? name : `${p}.${name}`);
  const type = f([b, t, l.dModel]);
  const add = (a: string, c: string, what: string): string => g.op('Add', [a, c], { output: e.name(at(what)), type });
  if (masks !== undefined && typeof t !== 'number') {
    throw new OnnxError(`ONNX export: the masks of encoder layer '${p}' need a fixed sequence length; export with dynamicSequence: false`);
  }
  const mask = masks === undefined ? null : masks.additive(e.g, l.nhead, b, t as number, t as number);
  const emptyRows = masks?.canEmptyRows ?? false;
  const attend = (z: string): string => attentionNodes(e, at('self_attn'), l.selfAttn, { self: z }, { b, l: t, s: t }, mask, emptyRows, 'none').output;
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

/** The node builders' view of a layer context. */
export function emitOf(ctx: LayerContext): Emit {
  return { g: ctx.g, name: ctx.name, weight: ctx.weight };
}

registerOnnxLayer(TransformerEncoderLayer, (ctx) =>
  batchFirst(ctx, ctx.module.batchFirst, (x, b, t) => encoderLayerNodes(emitOf(ctx), '', ctx.module, x, b, t, ctx.attentionMasks)),
);

registerOnnxLayer(TransformerEncoder, (ctx) => {
  const m = ctx.module;
  return batchFirst(ctx, m.layer(0).batchFirst, (x, b, t) => {
    let y = x;
    for (let i = 0; i < m.numLayers; i++) y = encoderLayerNodes(emitOf(ctx), `layers.${i}`, m.layer(i), y, b, t, ctx.attentionMasks);
    return m.norm === null ? y : layerNormNodes(emitOf(ctx), 'norm', m.norm, y, f([b, t, m.layer(0).dModel]));
  });
});

/**
 * `x + table[0..T)` for `x` `[..., T, dim]` of type `xType`, the table an initializer under
 * its state-dict name. A symbolic T (`dynamicSequence`) is read from `x`'s shape at run time.
 */
export function addPositionNodes(e: Emit, x: string, xType: ValueType, table: string, dim: number, outType: ValueType): string {
  const { g } = e;
  const t = xType.dims[xType.dims.length - 2] ?? null;
  const ints = (what: string, v: number): string => g.constInts(e.name(what), [1], [v]);
  const end =
    typeof t === 'number'
      ? ints('end', t)
      : g.op('Shape', [x], { output: e.name('length'), attrs: [intAttr('start', -2), intAttr('end', -1)], type: { elem: 'int64', dims: [1] } });
  const rows = g.op('Slice', [table, ints('start', 0), end, ints('axis', 0)], { output: e.name('positions'), type: f([t, dim]) });
  return g.op('Add', [x, rows], { output: e.name('Add'), type: outType });
}

/** {@link addPositionNodes} on the layer's input. */
function addPositions(ctx: LayerContext, table: string, dim: number): string {
  return addPositionNodes(emitOf(ctx), ctx.input, ctx.inType, table, dim, ctx.outType);
}

registerOnnxLayer(PositionalEmbedding, (ctx) => addPositions(ctx, ctx.weight('weight', ctx.module.weight), ctx.module.dim));
registerOnnxLayer(SinusoidalPositionalEncoding, (ctx) => addPositions(ctx, ctx.weight('pe', ctx.module.pe), ctx.module.dim));
