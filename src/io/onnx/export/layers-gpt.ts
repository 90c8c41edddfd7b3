/**
 * ONNX mappings of the GPT language model (`../../../nn/gpt.ts`) and its parts, in opset-17
 * ops: `GPT` (the trunk, then the head as a MatMul with the transposed token embedding,
 * the tied weight stored once), `GPTTrunk` (Gather of the token embedding plus a Slice of
 * the position table, the blocks, the final LayerNormalization), `GPTBlock` (the two
 * pre-LN residual branches), `CausalSelfAttention` (the stacked q/k/v projection Split into
 * heads, scores with the causal triangle added, Softmax, the output projection) and
 * `GPTMLP` (Linear, GELU written with Erf, Linear). Token ids are an int64 graph input
 * `[batch, seq]`; with `dynamicSequence` the sequence is a symbolic `seq_len` (at most the
 * block size at run time), the positions and the causal mask built from its runtime length.
 * Dropout is the identity (evaluation mode). Weights keep their state-dict (nanoGPT) names.
 * Registered by importing this module.
 * @module
 */
import { CausalSelfAttention, GPT, GPTBlock, GPTMLP, GPTTrunk } from '../../../nn/gpt.js';
import { AttentionMaskInputs, at, f, multiHeadNodes, projectNodes } from './attention-nodes.js';
import { type Dim, type GraphBuilder, intAttr } from './graph.js';
import { addPositionNodes, emitOf } from './layers-attention.js';
import { geluNodes, registerOnnxLayer } from './layers.js';

/**
 * The causal masks of each graph being built: one additive `[seq, seq]` triangle per graph
 * and length, shared by every attention of the model (built on first use).
 */
const causalMasks = new WeakMap<GraphBuilder, AttentionMaskInputs>();

/** The additive causal mask `[t, t]` of `g` (`−∞` above the diagonal); `x` is a batch-first value `[b, t, ·]`. */
function causalMask(g: GraphBuilder, heads: number, b: Dim, t: Dim, x: string): string {
  let masks = causalMasks.get(g);
  if (masks === undefined) {
    masks = new AttentionMaskInputs(g, { isCausal: true }, ['', ''], b, t, t, heads);
    causalMasks.set(g, masks);
  }
  // With only isCausal asked for, the mask always exists.
  return masks.additive(g, heads, b, t, t, { query: x, key: x })!;
}

registerOnnxLayer(GPTMLP, (ctx) => {
  const { module: m } = ctx;
  const p = (name: string): string => at(ctx.path, name);
  const lead = ctx.inType.dims.slice(0, -1);
  const h = ctx.visit(m.c_fc, p('c_fc'), ctx.input);
  const a = geluNodes(ctx.g, h, f([...lead, m.c_fc.outFeatures]), (what) => ctx.name(`gelu/${what}`));
  const y = ctx.visit(m.c_proj, p('c_proj'), a, f([...lead, m.c_fc.outFeatures]));
  return ctx.visit(m.dropout, p('dropout'), y);
});

registerOnnxLayer(CausalSelfAttention, (ctx) => {
  const { g, module: m } = ctx;
  const p = (name: string): string => at(ctx.path, name);
  const stem = ctx.path === '' ? 'attn' : ctx.path;
  const [b, t] = ctx.inType.dims as [Dim, Dim];
  const c = ctx.inShape[2]!;
  const qkv = ctx.visit(m.c_attn, p('c_attn'), ctx.input);
  // Cortex reshapes c_attn's output to [b, t, 3, nh, hs]: q, k and v are its thirds, each split into heads as here.
  const sizes = g.constInts(ctx.name('split'), [3], [c, c, c]);
  const [q, k, v] = g.node('Split', [qkv, sizes], { outputs: [`${stem}/q`, `${stem}/k`, `${stem}/v`], attrs: [intAttr('axis', -1)], type: f([b, t, c]) }) as [string, string, string];
  const mask = causalMask(g, m.nHead, b, t, ctx.input);
  // No row of a causal mask is empty (every query sees itself), so no zero-row guard.
  const { joined } = multiHeadNodes(emitOf(ctx), stem, [q, k, v], { b, l: t, s: t, heads: m.nHead, headDim: c / m.nHead }, mask, false);
  const y = ctx.visit(m.c_proj, p('c_proj'), joined, f([b, t, c]));
  return ctx.visit(m.resid_dropout, p('resid_dropout'), y);
});

registerOnnxLayer(GPTBlock, (ctx) => {
  const { g, module: m } = ctx;
  const p = (name: string): string => at(ctx.path, name);
  const type = ctx.outType;
  const a = ctx.visit(m.attn, p('attn'), ctx.visit(m.ln_1, p('ln_1'), ctx.input));
  const h = g.op('Add', [ctx.input, a], { output: ctx.name('residual1'), type });
  const y = ctx.visit(m.mlp, p('mlp'), ctx.visit(m.ln_2, p('ln_2'), h, type));
  return g.op('Add', [h, y], { output: ctx.name('residual2'), type });
});

registerOnnxLayer(GPTTrunk, (ctx) => {
  const { module: m } = ctx;
  const p = (name: string): string => at(ctx.path, name);
  // The token embeddings and every value up to the output are [b, t, nEmbd], as the output.
  const type = ctx.outType;
  const tokens = ctx.visit(m.wte, p('wte'), ctx.input);
  const table = ctx.weight('wpe.weight', m.wpe.weight);
  let x = ctx.visit(m.drop, p('drop'), addPositionNodes(emitOf(ctx), tokens, type, table, m.wpe.embeddingDim, type), type);
  let i = 0;
  for (const block of m.h) x = ctx.visit(block, p(`h.${i++}`), x, type);
  return ctx.visit(m.ln_f, p('ln_f'), x, type);
});

registerOnnxLayer(GPT, (ctx) => {
  const { module: m } = ctx;
  const x = ctx.visit(m.transformer, at(ctx.path, 'transformer'), ctx.input);
  // Weight tying: the head reads the initializer the trunk's token Embedding added (`transformer.wte.weight`), stored once.
  const wte = at(ctx.path, 'transformer.wte.weight');
  const { vocabSize, nEmbd } = m.config;
  return projectNodes(emitOf(ctx), 'lm_head', wte, null, x, ctx.outType.dims.slice(0, -1), [vocabSize, nEmbd]);
});
