/**
 * The ONNX nodes of a `MultiheadAttention` (self-attention with the stacked input
 * projection, or separate query, key and value), and its masks as graph inputs: a key
 * padding mask, an attention mask (float added to the scores, or bool/int64 where true
 * means "ignore", Cortex's int32 convention for this layer) and a causal triangle. Standard
 * opset-17 operators only (MatMul, Split, Reshape, Transpose, Softmax, Where, IsInf, …).
 * Shared by the standalone attention export, the transformer encoder visitors and GPT's
 * causal self-attention.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import type { MultiheadAttention } from '../../../nn/attention.js';
import type { Linear } from '../../../nn/linear.js';
import { type AttributeProto, OnnxAttributeType } from '../proto.js';
import { floatTensorProto } from '../tensors.js';
import { type Dim, type ElemType, type GraphBuilder, intAttr, intsAttr, type ValueType } from './graph.js';

/** What the node builders need: the graph, fresh value names, and parameters as initializers. */
export interface Emit {
  g: GraphBuilder;
  name: (what: string) => string;
  weight: (name: string, t: Tensor) => string;
}

/** A float value type. */
export const f = (dims: readonly Dim[]): ValueType => ({ elem: 'float', dims });

/**
 * How a mask enters the graph: `'float'` is added to the attention scores (−∞ forbids a
 * key); `'bool'` and `'int64'` are PyTorch's boolean masks of `MultiheadAttention`, true
 * (nonzero) = this key is ignored, as a Cortex int32 mask of that layer.
 */
export type OnnxMaskKind = 'float' | 'bool' | 'int64';

/** The masks an exported attention takes. */
export interface OnnxAttentionMasks {
  /** A graph input `[N, S]` of this kind: keys to ignore per batch element (padding). */
  keyPaddingMask?: OnnxMaskKind;
  /** A graph input `[L, S]` (or `[N·numHeads, L, S]` with `attnMaskPerHead`) of this kind. */
  attnMask?: OnnxMaskKind;
  /** The attention mask is `[N·numHeads, L, S]`, one per batch element and head (default false). */
  attnMaskPerHead?: boolean;
  /** Query `i` attends only to keys `j ≤ i`: a constant additive mask in the graph (default false). */
  isCausal?: boolean;
}

const ELEM: Record<OnnxMaskKind, ElemType> = { float: 'float', bool: 'bool', int64: 'int64' };
const KINDS: readonly string[] = ['float', 'bool', 'int64'];

/** Throws an {@link OnnxError} for a mask kind that is not one of {@link OnnxMaskKind}. */
export function checkMasks(masks: OnnxAttentionMasks, where: string): void {
  for (const key of ['keyPaddingMask', 'attnMask'] as const) {
    const kind = masks[key];
    if (kind !== undefined && !KINDS.includes(kind)) {
      throw new OnnxError(`ONNX export: ${where}: masks.${key} must be 'float', 'bool' or 'int64', got '${String(kind)}'`);
    }
  }
  if (masks.attnMaskPerHead === true && masks.attnMask === undefined) {
    throw new OnnxError(`ONNX export: ${where}: masks.attnMaskPerHead needs masks.attnMask`);
  }
}

/**
 * The mask inputs of a graph, turned into one additive mask broadcastable to the scores
 * `[N, H, L, S]` on first use (and reused by every attention of the graph).
 */
export class AttentionMaskInputs {
  private readonly cache = new Map<string, string | null>();

  /**
   * Declares the mask graph inputs on `g`: the key padding mask `[n, s]` under
   * `names[0]`, the attention mask `[l, s]` (or `[n·heads, l, s]`) under `names[1]`.
   */
  constructor(
    g: GraphBuilder,
    readonly masks: OnnxAttentionMasks,
    names: readonly [string, string],
    n: Dim,
    l: Dim,
    s: Dim,
    heads: number,
  ) {
    const { keyPaddingMask: kpm, attnMask: am } = masks;
    this.kpm = kpm === undefined ? null : g.input(names[0], { elem: ELEM[kpm], dims: [n, s] });
    const perHead = masks.attnMaskPerHead === true;
    this.attn = am === undefined ? null : g.input(names[1], { elem: ELEM[am], dims: perHead ? [typeof n === 'number' ? n * heads : null, l, s] : [l, s] });
  }

  /** The key padding mask input, or null. */
  readonly kpm: string | null;
  /** The attention mask input, or null. */
  readonly attn: string | null;

  /** True when some mask may forbid every key of a row (then the row's weights are zero, as in Cortex). */
  get canEmptyRows(): boolean {
    return this.kpm !== null || this.attn !== null;
  }

  /**
   * The additive mask for `heads` heads and scores `[n, heads, l, s]`, or null without
   * masks. With symbolic `l` or `s`, the causal triangle and the per-head layout are built
   * from the runtime shapes of `lengths` (batch-first query and key values).
   */
  additive(g: GraphBuilder, heads: number, n: Dim, l: Dim, s: Dim, lengths?: { query: string; key: string }): string | null {
    const key = `${heads}/${l}/${s}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const name = (what: string): string => g.fresh(`masks/${what}`);
    const toAdditive = (x: string, kind: OnnxMaskKind, dims: readonly Dim[], what: string): string => {
      if (kind === 'float') return x;
      const cond = kind === 'bool' ? x : g.op('Cast', [x], { output: name(`${what}_bool`), attrs: [intAttr('to', 9)], type: { elem: 'bool', dims } });
      const ninf = g.constFloats(name('ninf'), [], [Number.NEGATIVE_INFINITY]);
      const zero = g.constFloats(name('zero'), [], [0]);
      return g.op('Where', [cond, ninf, zero], { output: name(`${what}_additive`), type: f(dims) });
    };
    let out: string | null = null;
    let outDims: readonly Dim[] = [];
    const sum = (a: string, dims: readonly Dim[]): void => {
      if (out === null) {
        [out, outDims] = [a, dims];
        return;
      }
      // Broadcast (right-aligned): a dimension of 1 takes the other's size.
      const rank = Math.max(dims.length, outDims.length);
      const pick = (ds: readonly Dim[], i: number): Dim => ds[ds.length - rank + i] ?? 1;
      outDims = Array.from({ length: rank }, (_, i) => (pick(outDims, i) === 1 ? pick(dims, i) : pick(outDims, i)));
      out = g.op('Add', [out, a], { output: name('combined'), type: f(outDims) });
    };
    const { keyPaddingMask: kpmKind, attnMask: amKind } = this.masks;
    if (this.kpm !== null && kpmKind !== undefined) {
      const add = toAdditive(this.kpm, kpmKind, [n, s], 'key_padding');
      sum(g.op('Unsqueeze', [add, g.constInts(name('kpm_axes'), [2], [1, 2])], { output: name('key_padding_4d'), type: f([n, 1, 1, s]) }), [n, 1, 1, s]);
    }
    if (this.attn !== null && amKind !== undefined) {
      const perHead = this.masks.attnMaskPerHead === true;
      const dims: Dim[] = perHead ? [null, l, s] : [l, s];
      let add = toAdditive(this.attn, amKind, dims, 'attn');
      if (perHead) add = g.op('Reshape', [add, this.perHeadShape(g, heads, l, s, name)], { output: name('attn_4d'), type: f([n, heads, l, s]) });
      sum(add, perHead ? [n, heads, l, s] : [l, s]);
    }
    if (this.masks.isCausal === true) {
      if (typeof l === 'number' && typeof s === 'number') {
        const tri = new Float32Array(l * s);
        for (let i = 0; i < l; i++) for (let j = i + 1; j < s; j++) tri[i * s + j] = Number.NEGATIVE_INFINITY;
        sum(g.constFloats(name('causal'), [l, s], tri), [l, s]);
      } else {
        if (lengths === undefined) throw new OnnxError('ONNX export: a causal mask of symbolic length needs the query and key values');
        // −∞ above the diagonal of an [L, S] built from the runtime lengths: Trilu keeps j − i ≥ 1.
        const len = (x: string, what: string): string => g.op('Shape', [x], { output: name(what), attrs: [intAttr('start', 1), intAttr('end', 2)], type: { elem: 'int64', dims: [1] } });
        const dims = g.op('Concat', [len(lengths.query, 'query_len'), len(lengths.key, 'key_len')], { output: name('causal_shape'), attrs: [intAttr('axis', 0)], type: { elem: 'int64', dims: [2] } });
        const value: AttributeProto = { name: 'value', type: OnnxAttributeType.TENSOR, t: floatTensorProto('value', [1], [Number.NEGATIVE_INFINITY]) };
        const full = g.op('ConstantOfShape', [dims], { output: name('ninf_full'), attrs: [value], type: f([l, s]) });
        const one = g.constInts(name('diagonal'), [], [1]);
        sum(g.op('Trilu', [full, one], { output: name('causal'), attrs: [intAttr('upper', 1)], type: f([l, s]) }), [l, s]);
      }
    }
    this.cache.set(key, out);
    return out;
  }

  /** The target shape `[-1, heads, L, S]` of a per-head mask, from its runtime shape when `l` or `s` is symbolic. */
  private perHeadShape(g: GraphBuilder, heads: number, l: Dim, s: Dim, name: (what: string) => string): string {
    if (typeof l === 'number' && typeof s === 'number') return g.constInts(name('per_head_shape'), [4], [-1, heads, l, s]);
    const ls = g.op('Shape', [this.attn!], { output: name('attn_ls'), attrs: [intAttr('start', 1), intAttr('end', 3)], type: { elem: 'int64', dims: [2] } });
    return g.op('Concat', [g.constInts(name('batch_heads'), [2], [-1, heads]), ls], { output: name('per_head_shape'), attrs: [intAttr('axis', 0)], type: { elem: 'int64', dims: [4] } });
  }
}

/** `x·Wᵀ + b` with `W` `[out, in]` and optional `b`, on `x` of dims `[...lead, in]`. */
export function projectNodes(e: Emit, p: string, w: string, b: string | null, x: string, lead: readonly Dim[], dims: readonly [number, number]): string {
  const { g } = e;
  const [out, inp] = dims;
  const wt = g.op('Transpose', [w], { output: e.name(`${p}/weight_t`), attrs: [intsAttr('perm', [1, 0])], type: f([inp, out]) });
  const type = f([...lead, out]);
  const y = g.op('MatMul', [x, wt], { output: e.name(`${p}/MatMul`), type });
  return b === null ? y : g.op('Add', [y, b], { output: e.name(`${p}/Add`), type });
}

/** `x·Wᵀ + b` for a Linear whose state-dict prefix is `p`, on `x` of dims `[...lead, in]`. */
export function linearNodes(e: Emit, p: string, lin: Linear, x: string, lead: readonly Dim[]): string {
  const b = lin.bias ? e.weight(at(p, 'bias'), lin.bias) : null;
  return projectNodes(e, p, e.weight(at(p, 'weight'), lin.weight), b, x, lead, [lin.outFeatures, lin.inFeatures]);
}

/** `<p>.<name>`, or `name` at the root. */
export const at = (p: string, name: string): string => (p === '' ? name : `${p}.${name}`);

/** The attention's inputs, batch first: a self-attention input, or a query, key and value. */
export type AttentionInputs = { self: string } | { query: string; key: string; value: string };

/** Which attention weights to return: none, averaged over the heads `[N, L, S]`, or per head `[N, H, L, S]`. */
export type WeightsOutput = 'none' | 'mean' | 'heads';

/** Output and (optionally) weights of {@link attentionNodes}. */
export interface AttentionNodes {
  output: string;
  weights: string | null;
}

/** The query, key and value projections `[B, T, E]` of `m` (prefix `p`). */
function projections(e: Emit, p: string, m: MultiheadAttention, x: AttentionInputs, b: Dim, l: Dim, s: Dim): [string, string, string] {
  const { g } = e;
  const stem = p === '' ? 'attention' : p;
  const E = m.embedDim;
  const bias = m.inProjBias === null ? null : e.weight(at(p, 'in_proj_bias'), m.inProjBias);
  if ('self' in x) {
    const w = e.weight(at(p, 'in_proj_weight'), m.inProjWeight!);
    const qkv = projectNodes(e, at(p, 'in_proj'), w, bias, x.self, [b, l], [3 * E, E]);
    const sizes = g.constInts(e.name(`${stem}/split`), [3], [E, E, E]);
    return g.node('Split', [qkv, sizes], { outputs: [`${stem}/q`, `${stem}/k`, `${stem}/v`], attrs: [intAttr('axis', -1)], type: f([b, l, E]) }) as [string, string, string];
  }
  // The split sizes only when something is split (the stacked bias or weight): separate
  // projections without a bias would leave the constant unused.
  let sizes: string | null = null;
  const split = (): string => (sizes ??= g.constInts(e.name(`${stem}/split`), [3], [E, E, E]));
  const biases = bias === null ? [null, null, null] : g.node('Split', [bias, split()], { outputs: [`${stem}/q_bias`, `${stem}/k_bias`, `${stem}/v_bias`], attrs: [intAttr('axis', 0)], type: f([E]) });
  let ws: string[];
  if (m.inProjWeight !== null) {
    const w = e.weight(at(p, 'in_proj_weight'), m.inProjWeight);
    ws = g.node('Split', [w, split()], { outputs: [`${stem}/q_weight`, `${stem}/k_weight`, `${stem}/v_weight`], attrs: [intAttr('axis', 0)], type: f([E, E]) });
  } else {
    ws = [e.weight(at(p, 'q_proj_weight'), m.qProjWeight!), e.weight(at(p, 'k_proj_weight'), m.kProjWeight!), e.weight(at(p, 'v_proj_weight'), m.vProjWeight!)];
  }
  const q = projectNodes(e, at(p, 'q_proj'), ws[0]!, biases[0]!, x.query, [b, l], [E, E]);
  const k = projectNodes(e, at(p, 'k_proj'), ws[1]!, biases[1]!, x.key, [b, s], [E, m.kdim]);
  const v = projectNodes(e, at(p, 'v_proj'), ws[2]!, biases[2]!, x.value, [b, s], [E, m.vdim]);
  return [q, k, v];
}

/**
 * The attention of projected, batch-first `q` `[b, l, H·hd]` and `k`, `v` `[b, s, H·hd]`
 * split into `H` heads of `hd`: `softmax(q·kᵀ/√hd + mask)` per head, the weighted values,
 * and the heads joined again (`joined`, `[b, l, H·hd]`; `weights` `[b, H, l, s]`). A row
 * that `mask` forbids entirely gets zero weights when `emptyRows` (Cortex's rule; a plain
 * Softmax gives NaN). Node names start with `stem`.
 */
export function multiHeadNodes(
  e: Emit,
  stem: string,
  qkv: readonly [string, string, string],
  dims: { b: Dim; l: Dim; s: Dim; heads: number; headDim: number },
  mask: string | null,
  emptyRows: boolean,
): { joined: string; weights: string } {
  const { g } = e;
  const { b, l, s, heads: H, headDim: hd } = dims;
  const [q, k, v] = qkv;
  const headShape = g.constInts(e.name(`${stem}/head_shape`), [4], [0, 0, H, hd]);
  const heads = (z: string, t: Dim, perm: number[], what: string): string => {
    const r = g.op('Reshape', [z, headShape], { output: e.name(`${stem}/${what}_heads`), type: f([b, t, H, hd]) });
    const ds: Dim[] = [b, t, H, hd];
    return g.op('Transpose', [r], { output: e.name(`${stem}/${what}_t`), attrs: [intsAttr('perm', perm)], type: f(perm.map((i) => ds[i]!)) });
  };
  const qh = heads(q, l, [0, 2, 1, 3], 'q');
  const kh = heads(k, s, [0, 2, 3, 1], 'k');
  const vh = heads(v, s, [0, 2, 1, 3], 'v');
  const scoreType = f([b, H, l, s]);
  const raw = g.op('MatMul', [qh, kh], { output: e.name(`${stem}/scores`), type: scoreType });
  let scores = g.op('Mul', [raw, g.constFloats(e.name(`${stem}/scale`), [], [1 / Math.sqrt(hd)])], { output: e.name(`${stem}/scaled`), type: scoreType });
  if (mask !== null) scores = g.op('Add', [scores, mask], { output: e.name(`${stem}/masked`), type: scoreType });
  let weights = g.op('Softmax', [scores], { output: e.name(`${stem}/weights`), attrs: [intAttr('axis', -1)], type: scoreType });
  if (mask !== null && emptyRows) {
    // A row whose largest score is −∞ attends to nothing: zero weights instead of NaN.
    const rowMax = g.op('ReduceMax', [scores], { output: e.name(`${stem}/row_max`), attrs: [intsAttr('axes', [-1]), intAttr('keepdims', 1)], type: f([b, H, l, 1]) });
    const empty = g.op('IsInf', [rowMax], { output: e.name(`${stem}/empty_row`), attrs: [intAttr('detect_positive', 0)], type: { elem: 'bool', dims: [b, H, l, 1] } });
    const zero = g.constFloats(e.name(`${stem}/zero`), [], [0]);
    weights = g.op('Where', [empty, zero, weights], { output: e.name(`${stem}/weights_or_zero`), type: scoreType });
  }
  const o = g.op('MatMul', [weights, vh], { output: e.name(`${stem}/attend`), type: f([b, H, l, hd]) });
  const ot = g.op('Transpose', [o], { output: e.name(`${stem}/attend_t`), attrs: [intsAttr('perm', [0, 2, 1, 3])], type: f([b, l, H, hd]) });
  const joinShape = g.constInts(e.name(`${stem}/join_shape`), [3], [0, 0, H * hd]);
  const joined = g.op('Reshape', [ot, joinShape], { output: e.name(`${stem}/joined`), type: f([b, l, H * hd]) });
  return { joined, weights };
}

/**
 * Multi-head attention of `m` (state-dict prefix `p`) on batch-first inputs, query `[b, l,
 * E]` and key/value `[b, s, ·]`: projections, heads, `softmax(q·kᵀ/√d + mask)`, the
 * weighted values, the heads joined and the output projection. A row that `mask` forbids
 * entirely gets zero weights when `emptyRows` (Cortex's rule; a plain Softmax gives NaN).
 */
export function attentionNodes(
  e: Emit,
  p: string,
  m: MultiheadAttention,
  x: AttentionInputs,
  dims: { b: Dim; l: Dim; s: Dim },
  mask: string | null,
  emptyRows: boolean,
  weightsOut: WeightsOutput,
): AttentionNodes {
  const { g } = e;
  const stem = p === '' ? 'attention' : p;
  const { b, l, s } = dims;
  const qkv = projections(e, p, m, x, b, l, s);
  const { joined, weights } = multiHeadNodes(e, stem, qkv, { b, l, s, heads: m.numHeads, headDim: m.headDim }, mask, emptyRows);
  const output = linearNodes(e, at(p, 'out_proj'), m.outProj, joined, [b, l]);
  if (weightsOut === 'none') return { output, weights: null };
  if (weightsOut === 'heads') return { output, weights };
  const mean = g.op('ReduceMean', [weights], { output: e.name(`${stem}/weights_mean`), attrs: [intsAttr('axes', [1]), intAttr('keepdims', 0)], type: f([b, l, s]) });
  return { output, weights: mean };
}
