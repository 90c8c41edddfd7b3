/**
 * `exportAttentionOnnx`: a standalone `MultiheadAttention` to the bytes of an `.onnx`
 * file, with its masks as extra graph inputs and its attention weights as a second output.
 * @module
 */
import { noGrad } from '../../../autograd/engine.js';
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import { MultiheadAttention } from '../../../nn/attention.js';
import { encodeModelProto, type ModelProto } from '../proto.js';
import { AttentionMaskInputs, type AttentionInputs, attentionNodes, checkMasks, type Emit, f, type OnnxAttentionMasks } from './attention-nodes.js';
import { type Dim, GraphBuilder, intsAttr, ONNX_EXPORT_OPSET } from './graph.js';

/** Options of {@link exportAttentionOnnx}. */
export interface AttentionOnnxOptions {
  /**
   * A query the layer accepts, `[L, N, E]` (`[N, L, E]` with `batchFirst`): it runs once
   * to check the shapes. Its sequence length is fixed in the graph unless
   * `dynamicSequence`; its batch is symbolic unless `dynamicBatch` is false.
   */
  sampleQuery: Tensor;
  /**
   * Key and value samples, `[S, N, kdim]` and `[S, N, vdim]` (batch first with
   * `batchFirst`): the graph then takes three inputs `query`, `key` and `value`. Without
   * them it is self-attention, one input `query` used as key and value too.
   */
  sampleKey?: Tensor;
  /** The value sample; given exactly when `sampleKey` is. */
  sampleValue?: Tensor;
  /**
   * Masks as extra graph inputs, after the query (and key, value): `key_padding_mask`
   * `[N, S]`, `attn_mask` `[L, S]` (or `[N·numHeads, L, S]`), and a constant causal triangle.
   * A `'float'` mask is added to the scores; a `'bool'` or `'int64'` mask is true
   * (nonzero) where a key is ignored, as the layer's int32 masks (PyTorch's convention
   * for `nn.MultiheadAttention`, the opposite of `scaledDotProductAttention`'s).
   */
  masks?: OnnxAttentionMasks;
  /** A second output `attn_weights` (default true, as `forward`'s `needWeights`). */
  needWeights?: boolean;
  /** The weights averaged over the heads, `[N, L, S]`, else `[N, numHeads, L, S]` (default true). */
  averageAttnWeights?: boolean;
  /** Make the batch dimension symbolic (`batch`, default true); false fixes the sample's. */
  dynamicBatch?: boolean;
  /**
   * Make the sequence lengths symbolic (default false: the samples' lengths): `seq_len`
   * for self-attention, `query_len` and `key_len` otherwise. The causal triangle is then
   * built from the runtime lengths (`ConstantOfShape` + `Trilu`).
   */
  dynamicSequence?: boolean;
  /** The ONNX operator set; only 17 is supported (the default). */
  opset?: number;
  /** `producer_name` of the model (default `cortex-nn`). */
  producerName?: string;
  /** `producer_version` of the model (default the library version). */
  producerVersion?: string;
  /** The model's `doc_string`. */
  docString?: string;
}

const shapeOf = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/** Checks the samples and returns `[N, L, S]`. */
function checkSamples(m: MultiheadAttention, o: AttentionOnnxOptions): [number, number, number] {
  const self = o.sampleKey === undefined && o.sampleValue === undefined;
  if ((o.sampleKey === undefined) !== (o.sampleValue === undefined)) {
    throw new OnnxError('ONNX export: give both sampleKey and sampleValue (cross-attention) or neither (self-attention)');
  }
  if (self && (m.kdim !== m.embedDim || m.vdim !== m.embedDim)) {
    throw new OnnxError(`ONNX export: self-attention needs kdim = vdim = embedDim, this layer has kdim=${m.kdim}, vdim=${m.vdim}; pass sampleKey and sampleValue`);
  }
  const samples: [string, Tensor][] = [['sampleQuery', o.sampleQuery]];
  if (!self) samples.push(['sampleKey', o.sampleKey!], ['sampleValue', o.sampleValue!]);
  for (const [what, t] of samples) {
    if (t.dtype !== 'float32') throw new OnnxError(`ONNX export: ${what} must be float32, got ${t.dtype}`);
    if (t.ndim !== 3) throw new OnnxError(`ONNX export: ${what} must be batched (3-D), got ${shapeOf(t)}; add a batch dimension to export an unbatched attention`);
  }
  const q = o.sampleQuery;
  const k = o.sampleKey ?? q;
  try {
    const wasTraining = m.training;
    m.eval();
    try {
      noGrad(() => m.forward(q, k, o.sampleValue ?? q, { needWeights: false }));
    } finally {
      m.training = wasTraining;
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new OnnxError(`ONNX export: the attention does not run on the samples (${why})`);
  }
  const [bi, ti] = m.batchFirst ? [0, 1] : [1, 0];
  return [q.shape[bi]!, q.shape[ti]!, k.shape[ti]!];
}

/**
 * Builds the ONNX model of a `MultiheadAttention` (see {@link exportAttentionOnnx}) as a
 * `ModelProto` object.
 */
export function exportAttentionOnnxModel(m: MultiheadAttention, options: AttentionOnnxOptions): ModelProto {
  if (!(m instanceof MultiheadAttention)) throw new OnnxError(`ONNX export: exportAttentionOnnx takes a MultiheadAttention, got ${(m as object).constructor.name}`);
  const opset = options.opset ?? ONNX_EXPORT_OPSET;
  if (opset !== ONNX_EXPORT_OPSET) throw new OnnxError(`ONNX export: opset ${opset} is not supported; Cortex writes opset ${ONNX_EXPORT_OPSET}`);
  const masks = options.masks ?? {};
  checkMasks(masks, 'MultiheadAttention');
  const [n, l0, s0] = checkSamples(m, options);
  const self = options.sampleKey === undefined;
  const b: Dim = options.dynamicBatch === false ? n : 'batch';
  const dynSeq = options.dynamicSequence === true;
  const l: Dim = dynSeq ? (self ? 'seq_len' : 'query_len') : l0;
  const s: Dim = dynSeq ? (self ? 'seq_len' : 'key_len') : s0;
  const g = new GraphBuilder();
  const bf = m.batchFirst;
  const layout = (t: Dim, e: number): Dim[] => (bf ? [b, t, e] : [t, b, e]);
  const names = self ? ['query'] : ['query', 'key', 'value'];
  const feats = [m.embedDim, m.kdim, m.vdim];
  const lens = [l, s, s];
  const raw = names.map((name, i) => g.input(name, f(layout(lens[i]!, feats[i]!))));
  const maskInputs = new AttentionMaskInputs(g, masks, ['key_padding_mask', 'attn_mask'], b, l, s, m.numHeads);
  const swap = intsAttr('perm', [1, 0, 2]);
  const first = raw.map((x, i) => (bf ? x : g.op('Transpose', [x], { output: g.fresh(`${names[i]}_batch_first`), attrs: [swap], type: f([b, lens[i]!, feats[i]!]) })));
  const inputs: AttentionInputs = self ? { self: first[0]! } : { query: first[0]!, key: first[1]!, value: first[2]! };
  const e: Emit = { g, name: (what) => g.fresh(what), weight: (name, t) => g.floats(name, t.shape, t.dataSync()) };
  const mask = maskInputs.additive(g, m.numHeads, b, l, s, { query: first[0]!, key: first[1] ?? first[0]! });
  const want = options.needWeights === false ? 'none' : options.averageAttnWeights === false ? 'heads' : 'mean';
  const { output, weights } = attentionNodes(e, '', m, inputs, { b, l, s }, mask, maskInputs.canEmptyRows, want);
  const outType = f(layout(l, m.embedDim));
  const y = bf ? output : g.op('Transpose', [output], { output: g.fresh('to_seq_first'), attrs: [swap], type: outType });
  g.output(g.rename(y, 'output'), outType);
  if (weights !== null) g.output(g.rename(weights, 'attn_weights'), f(want === 'heads' ? [b, m.numHeads, l, s] : [b, l, s]));
  return g.toModel({ graphName: 'MultiheadAttention', producerName: options.producerName, producerVersion: options.producerVersion, docString: options.docString });
}

/**
 * Exports a `MultiheadAttention` to ONNX (IR version 8, opset 17, standard operators
 * only) and returns the bytes of the `.onnx` file; it computes what `forward(query, key,
 * value, { keyPaddingMask, attnMask, isCausal, needWeights, averageAttnWeights })` does in
 * evaluation mode (no dropout). Inputs: `query` (and `key`, `value` with `sampleKey` and
 * `sampleValue`), then `key_padding_mask` and `attn_mask` when `masks` asks for them.
 * Outputs: `output`, laid out as the query, and `attn_weights`. A query row whose keys are
 * all masked gets zero weights, as in Cortex (PyTorch gives NaN). Weights keep their
 * state-dict names (`in_proj_weight`, `out_proj.bias`, …).
 *
 * @throws {OnnxError} for samples the layer does not accept (unbatched ones included),
 * self-attention of a layer whose kdim or vdim differs from embedDim, an unknown mask
 * kind, or an opset other than 17.
 *
 * @example
 * ```ts
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const bytes = exportAttentionOnnx(mha, { sampleQuery: zeros([1, 10, 16]), masks: { keyPaddingMask: 'bool', isCausal: true } });
 * // inputs: query [batch, 10, 16], key_padding_mask [batch, 10] (bool); outputs: output, attn_weights
 * ```
 */
export function exportAttentionOnnx(m: MultiheadAttention, options: AttentionOnnxOptions): Uint8Array {
  return encodeModelProto(exportAttentionOnnxModel(m, options));
}
