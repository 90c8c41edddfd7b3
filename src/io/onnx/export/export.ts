/**
 * `exportOnnx`: a Cortex model to the bytes of an `.onnx` file. The model runs once, in
 * evaluation mode, on a sample input to record every layer's input and output shapes;
 * then the module tree is walked (nothing is traced) and each layer is mapped by its
 * visitor (`./layers.ts`) to ONNX nodes, with the parameters as float32 initializers
 * named as in `stateDict()`.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import { MultiheadAttention } from '../../../nn/attention.js';
import type { AnyModule, Module } from '../../../nn/module.js';
import { TransformerEncoderLayer } from '../../../nn/transformer.js';
import { encodeModelProto, type ModelProto } from '../proto.js';
import { AttentionMaskInputs, checkMasks, type OnnxAttentionMasks } from './attention-nodes.js';
import { BATCH_DIM, type DynamicAxes, type Seen, type Trace, traceAxes, typed } from './axes.js';
import { type ElemType, GraphBuilder, ONNX_EXPORT_OPSET, type ValueType } from './graph.js';
import { describeLayer, type LayerContext, layerLocation, visitorFor } from './layers.js';
import './layers-conv.js'; // convolution: registers the Conv and ConvTranspose mappings
// pooling and normalisation: registers its visitors with the table of ./layers.js
import './layers-pool.js';
// attention and transformers: registers the encoder and positional-embedding visitors
import './layers-attention.js';
// rnn-seq: registers the RecurrentOutput mapping (ONNX RNN, LSTM and GRU nodes)
import './layers-rnn.js';
// gpt-onnx: registers the GPT mappings (GPT, its trunk, blocks, causal attention and MLP)
import './layers-gpt.js';

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /**
   * An input the model accepts, e.g. `zeros([1, 4])`: the model runs on it once (in
   * evaluation mode) to record shapes, and its dtype sets the graph input's type
   * (float32 → `tensor(float)`; int32 indices of an `Embedding`, or a GPT's token ids
   * `[batch, seq]`, → `tensor(int64)`).
   */
  sampleInput: Tensor;
  /** The ONNX operator set; only 17 is supported (the default). */
  opset?: number;
  /** The name of the graph input, as a one-element list (default `['input']`). */
  inputNames?: readonly string[];
  /** The name of the graph output, as a one-element list (default `['output']`). */
  outputNames?: readonly string[];
  /**
   * Make the batch axis a symbolic `batch` dimension (default true); false fixes the
   * sample's batch size. The batch is dimension 0, or dimension 1 of a model whose first
   * recurrent layer (`RecurrentOutput`) or transformer encoder is time-major (sequence
   * first, `[seq, batch, features]`); an unbatched sequence has none. Every value after it
   * has `batch` on the axis that carries the batch (none once a `Flatten` merges it away).
   */
  dynamicBatch?: boolean;
  /**
   * Make the sequence axis a symbolic `seq_len` dimension (default false: the sample's
   * length), for a model whose input is a sequence read by a `RecurrentOutput`, a
   * transformer encoder or GPT blocks: dimension 1 of a batch-first input, 0 of a time-major
   * or unbatched one. A GPT's sample may be at its block size (the length at run time must
   * not exceed it). The model must run at any length (no `Flatten` of the sequence into a
   * `Linear`, for one); the `masks` option needs a fixed length.
   */
  dynamicSequence?: boolean;
  /** `producer_name` of the model (default `cortex-nn`). */
  producerName?: string;
  /** `producer_version` of the model (default the library version). */
  producerVersion?: string;
  /** The model's `doc_string`. */
  docString?: string;
  /**
   * Attention masks as extra graph inputs, for a model with `TransformerEncoderLayer`s
   * (or a `TransformerEncoder`): `src_key_padding_mask` `[N, S]` (`keyPaddingMask`),
   * `src_mask` `[S, S]` or `[N·nhead, S, S]` (`attnMask`, `attnMaskPerHead`), and a
   * constant causal triangle (`isCausal`). Every encoder layer of the model uses them, as
   * `forward(x, { srcKeyPaddingMask, srcMask, isCausal })` does. A `'float'` mask is added
   * to the scores; a `'bool'` or `'int64'` one is true (nonzero) where attention is NOT
   * allowed, as Cortex's int32 masks of these layers. The sequence length is fixed (the
   * sample's); the batch is symbolic with `dynamicBatch`, batch first or not.
   */
  masks?: OnnxAttentionMasks;
}

/** The graph element type of a sample input. */
function elemOf(sample: Tensor): ElemType {
  if (sample.dtype === 'float32') return 'float';
  if (sample.dtype === 'int32') return 'int64';
  throw new OnnxError(`ONNX export: sampleInput is ${sample.dtype}; Cortex models take float32 features (or int32 indices for an Embedding)`);
}

/** The result of {@link emitModule}: the output value and its type. */
export interface Emitted {
  output: string;
  type: ValueType;
}

/**
 * Adds the nodes of `model` to `g`, reading the value `input` of the sample's type, and
 * returns the output value. `sample` runs through the model to record shapes (once, and
 * once more per dynamic axis: see {@link traceAxes}). `dynamic` says which axes are
 * symbolic: `true` (or `{ batch: true }`) the batch, `{ sequence: true }` the sequence too.
 * @throws {OnnxError} for a layer with no ONNX mapping, naming its path and class.
 */
export function emitModule(g: GraphBuilder, model: Module, input: string, sample: Tensor, dynamic: boolean | DynamicAxes, masks?: OnnxAttentionMasks): Emitted {
  const axes = typeof dynamic === 'boolean' ? { batch: dynamic } : dynamic;
  return emitTraced(g, model, input, sample, traceAxes(model, sample, axes), masks);
}

/** {@link emitModule} with the model already traced. */
function emitTraced(g: GraphBuilder, model: Module, input: string, sample: Tensor, trace: Trace, masks?: OnnxAttentionMasks): Emitted {
  const { seen } = trace;
  const attentionMasks = masks === undefined ? undefined : encoderMasks(g, model, seen, masks);
  const types = new Map<string, ValueType>([[input, typed(elemOf(sample), sample.shape, trace.input)]]);
  const visit = (m: AnyModule, path: string, x: string, xType?: ValueType): string => {
    const entry = visitorFor(m, path);
    const shapes = seen.get(m);
    if (xType !== undefined && !types.has(x)) types.set(x, xType);
    const inType = types.get(x);
    if (shapes === undefined || inType === undefined) {
      throw new OnnxError(`ONNX export: ${describeLayer(path, m)} did not run on the sample input, so its shapes are unknown`, layerLocation(path, m));
    }
    const outType = shapes.type;
    const stem = path === '' ? 'model' : path;
    const ctx: LayerContext = {
      g,
      module: m,
      path,
      input: x,
      inType,
      outType,
      inShape: shapes.input,
      visit,
      weight: (name, t) => g.floats(path === '' ? name : `${path}.${name}`, t.shape, t.dataSync()),
      name: (what) => g.fresh(`${stem}/${what}`),
      attentionMasks,
    };
    const y = entry.visit(ctx);
    if (!types.has(y)) types.set(y, outType);
    return y;
  };
  const output = visit(model, '', input);
  return { output, type: types.get(output)! };
}

/**
 * Declares the encoder mask inputs of `masks` (`src_key_padding_mask`, `src_mask`) from
 * the shapes the model's encoder layers saw, or returns undefined when no mask is asked for.
 * @throws {OnnxError} without encoder layers, for layers that disagree on batchFirst or
 * nhead, or with a dynamic sequence (the masks fix its length).
 */
function encoderMasks(g: GraphBuilder, model: Module, seen: Map<AnyModule, Seen>, masks: OnnxAttentionMasks): AttentionMaskInputs | undefined {
  checkMasks(masks, model.constructor.name);
  if (masks.keyPaddingMask === undefined && masks.attnMask === undefined && masks.isCausal !== true) return undefined;
  const layers = model.namedModules().flatMap(([, m]) => (m instanceof TransformerEncoderLayer ? [m] : []));
  const first = layers[0];
  if (first === undefined) {
    throw new OnnxError(`ONNX export: the masks option applies to TransformerEncoderLayers, and ${model.constructor.name} has none; export a MultiheadAttention with exportAttentionOnnx`);
  }
  if (layers.some((l) => l.batchFirst !== first.batchFirst || l.nhead !== first.nhead)) {
    throw new OnnxError('ONNX export: the masks option needs every TransformerEncoderLayer of the model to share batchFirst and nhead');
  }
  const info = seen.get(first);
  const shape = info?.input;
  if (info === undefined || shape === undefined || shape.length !== 3) {
    throw new OnnxError(`ONNX export: the masks option needs batched encoder inputs ([N, S, E] or [S, N, E]), got ${shape === undefined ? 'none' : `[${shape.join(', ')}]`}`);
  }
  if (info.axes.seq !== null) {
    throw new OnnxError('ONNX export: the masks option needs a fixed sequence length (the masks are built for the sample\'s); export with dynamicSequence: false');
  }
  const [n, s] = first.batchFirst ? [shape[0]!, shape[1]!] : [shape[1]!, shape[0]!];
  // An encoder layer's output is laid out as its input, so its batch axis is the input's.
  return new AttentionMaskInputs(g, masks, ['src_key_padding_mask', 'src_mask'], info.axes.batch === null ? n : BATCH_DIM, s, s, first.nhead);
}

/**
 * Builds the ONNX model of `model` (see {@link exportOnnx}) as a `ModelProto` object,
 * for callers that want to inspect or extend it before encoding.
 */
export function exportOnnxModel(model: Module, options: OnnxExportOptions): ModelProto {
  const opset = options.opset ?? ONNX_EXPORT_OPSET;
  if (opset !== ONNX_EXPORT_OPSET) throw new OnnxError(`ONNX export: opset ${opset} is not supported; Cortex writes opset ${ONNX_EXPORT_OPSET}`);
  if (model instanceof MultiheadAttention) {
    throw new OnnxError('ONNX export: a MultiheadAttention takes a query, key and value and returns [output, weights]; export it with exportAttentionOnnx', { layer: 'MultiheadAttention' });
  }
  const g = new GraphBuilder();
  const sample = options.sampleInput;
  for (const [what, names] of [['inputNames', options.inputNames], ['outputNames', options.outputNames]] as const) {
    if (names !== undefined && (names.length !== 1 || names[0] === '')) {
      throw new OnnxError(`ONNX export: ${what} must hold one non-empty name (the model has one ${what === 'inputNames' ? 'input' : 'output'}), got [${names.join(', ')}]`);
    }
  }
  const inputName = options.inputNames?.[0] ?? 'input';
  const trace = traceAxes(model, sample, { batch: options.dynamicBatch ?? true, sequence: options.dynamicSequence ?? false });
  g.input(inputName, typed(elemOf(sample), sample.shape, trace.input));
  const { output, type } = emitTraced(g, model, inputName, sample, trace, options.masks);
  const outName = g.rename(output, options.outputNames?.[0] ?? 'output');
  g.output(outName, type);
  return g.toModel({
    graphName: model.constructor.name,
    producerName: options.producerName,
    producerVersion: options.producerVersion,
    docString: options.docString,
  });
}

/**
 * Exports a model to ONNX (IR version 8, opset 17) and returns the bytes of the `.onnx`
 * file. The module tree is walked layer by layer: `Sequential` (nested too), `Linear`,
 * `Embedding`, `Flatten`, `LayerNorm`, `BatchNorm1d` (evaluation mode, running statistics),
 * `Dropout` (the identity in evaluation), every activation, convolutions and pooling,
 * `RecurrentOutput` (RNN/LSTM/GRU), `TransformerEncoderLayer`/`TransformerEncoder` (with
 * attention masks as extra graph inputs through `masks`), the positional embeddings and
 * `GPT` (int64 token ids `[batch, seq]` → logits, the head tied to the token embedding)
 * with its parts `GPTBlock`, `CausalSelfAttention` and `GPTMLP`.
 * A standalone `MultiheadAttention` exports with `exportAttentionOnnx`. Weights become
 * float32 initializers named as in `model.stateDict()`. The batch axis is a symbolic
 * `batch` (dimension 1 of a time-major recurrent or sequence-first encoder input), the
 * sequence axis a symbolic `seq_len` with `dynamicSequence`, on the input, the output and
 * every value between. Pure: no file access, runs in browsers.
 *
 * @throws {OnnxError} for a layer with no ONNX mapping (its `layer` field names the path
 * and class), a sample input the model does not accept, or a dynamic axis the model does
 * not run at another size of (e.g. `dynamicSequence` with the sequence flattened into a `Linear`).
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
 * const bytes = exportOnnx(model, { sampleInput: zeros([1, 4]) });
 * ```
 */
export function exportOnnx(model: Module, options: OnnxExportOptions): Uint8Array {
  return encodeModelProto(exportOnnxModel(model, options));
}
