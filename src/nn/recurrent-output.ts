/**
 * `RecurrentOutput`: a one-tensor view of a recurrent layer, so an `RNN`, `LSTM` or `GRU`
 * fits in a `Sequential` (which passes one tensor from layer to layer) and a sequence
 * classifier saves, loads, prints in `summary`/`cortex info` and exports to ONNX.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { indexSelect } from '../ops/index.js';
import { Module } from './module.js';
import { GRU, LSTM, type RecurrentBase, RNN, type SequenceLengths } from './recurrent.js';

/**
 * What {@link RecurrentOutput} keeps of the layer's output sequence: `'last'` the output at
 * the last time step (PyTorch's `out[:, -1]`, Keras's `return_sequences=False`), `'all'`
 * every step (Keras's `return_sequences=True`).
 */
export type SequenceSelect = 'last' | 'all';

/** A recurrent layer {@link RecurrentOutput} can wrap. */
export type RecurrentLayer = RNN | LSTM | GRU;

/**
 * Runs a recurrent layer from a zero initial state and returns one tensor: the outputs of
 * every time step (`'all'`: `[batch, seq, D·H]` with `batchFirst`, else `[seq, batch,
 * D·H]`), or those of the last step (`'last'`: `[batch, D·H]`; an unbatched `[seq,
 * features]` input gives `[D·H]`). The final states are dropped.
 *
 * `'last'` is the final time step of the input, which with `batchFirst` is axis 1. Called
 * directly, `forward(x, lengths)` takes the lengths of a padded batch: the layer then
 * skips the padding (see {@link RecurrentBase.forward}) and `'last'` picks each sample's
 * last valid step. Inside a `Sequential` no lengths reach it, so there `'last'` is the
 * last step of the padded input: train on padded batches by calling the adapter directly,
 * or pad at the front.
 *
 * For a bidirectional layer, `'last'` holds the forward direction's final state and the
 * backward direction's output at the last step (its first), as `out[:, -1]` does in
 * PyTorch.
 *
 * The wrapped layer is the adapter's sub-module `0`, so its weights are named
 * `0.weight_ih_l0`, … below the adapter.
 *
 * @example
 * ```ts
 * const model = new Sequential(new RecurrentOutput(new LSTM(1, 16, { batchFirst: true }), 'last'), new Linear(16, 2));
 * model.forward(randn([8, 50, 1])); // [8, 2]
 * ```
 */
export class RecurrentOutput extends Module<[x: Tensor, lengths?: SequenceLengths], Tensor> {
  /** The wrapped layer. */
  readonly layer: RecurrentLayer;
  /** Which time steps the output keeps. */
  readonly select: SequenceSelect;

  constructor(layer: RecurrentLayer, select: SequenceSelect = 'last') {
    super();
    if (!(layer instanceof RNN || layer instanceof LSTM || layer instanceof GRU)) {
      const got = typeof layer === 'object' && layer !== null ? (layer as object).constructor.name : typeof layer;
      throw new ArgumentError(`RecurrentOutput: expected an RNN, LSTM or GRU layer, got ${got}`);
    }
    if (select !== 'last' && select !== 'all') {
      throw new ArgumentError(`RecurrentOutput: select must be 'last' or 'all', got '${String(select)}'`);
    }
    this.layer = this.module('0', layer);
    this.select = select;
  }

  /** The layer's output on `x` (and the `lengths` of a padded batch), reduced as `select` says. */
  forward(x: Tensor, lengths?: SequenceLengths): Tensor {
    const [out] = (this.layer as RecurrentBase<unknown>).forward(x, null, lengths);
    return this.select === 'all' ? out : lastStep(out, this.layer.batchFirst, lengths);
  }

  override extraRepr(): string {
    return `select='${this.select}'`;
  }
}

/**
 * The last time step of a recurrent layer's output: `out[:, -1]` for a batch-first `[batch,
 * seq, F]`, `out[-1]` for a time-major `[seq, batch, F]` or an unbatched `[seq, F]`. With
 * `lengths`, each sample's step `length − 1` (a batched `out` only). Differentiable.
 */
export function lastStep(out: Tensor, batchFirst: boolean, lengths?: SequenceLengths): Tensor {
  if (out.ndim === 2) return indexSelect(out, 0, [out.shape[0]! - 1]).squeeze(0);
  // Batch-major [B, T, F], flattened so one index per sample picks its step.
  const bm = batchFirst ? out : out.transpose(0, 1);
  const [B, T, F] = bm.shape as [number, number, number];
  const lens = lengths === undefined ? null : Array.isArray(lengths) ? (lengths as readonly number[]) : Array.from((lengths as Tensor).dataSync(), Number);
  const rows = Array.from({ length: B }, (_, b) => b * T + (lens?.[b] ?? T) - 1);
  return indexSelect(bm.contiguous().reshape([B * T, F]), 0, rows);
}
