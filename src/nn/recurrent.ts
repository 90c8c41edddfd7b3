/**
 * The multi-step recurrent layers `RNN`, `LSTM` and `GRU`, with PyTorch's options
 * (`numLayers`, `bias`, `batchFirst`, `dropout`, `bidirectional`, and `projSize` for the
 * LSTM), initialisation and parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`, …), so
 * PyTorch state dicts load one to one. Padded batches take per-sample `lengths`, which
 * does what `pack_padded_sequence` does in PyTorch.
 *
 * Each layer and direction computes the input projection of every time step in one
 * matrix product; only the recurrent product runs per step.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { concat, linear, split, stack, where, zeros } from '../ops/index.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { uniform } from './init.js';
import { Module, Parameter } from './module.js';
import { checkSize, gruStep, lstmStep, type RNNNonlinearity, rnnStep, type StepWeights } from './rnn-cells.js';

/**
 * Per-sample sequence lengths of a padded batch: a list of integers or a 1-D tensor,
 * one per sample, each from 1 to the padded length.
 */
export type SequenceLengths = readonly number[] | Tensor;

/** Options of {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions {
  /** Stacked layers (default 1); each after the first reads the previous one's output. */
  numLayers?: number;
  /** Whether the layers have the biases `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Also run each layer backwards in time and concatenate both outputs (default false). */
  bidirectional?: boolean;
  /** Generator for the initial weights and the dropout masks (default: the global one). */
  generator?: Generator;
}

/** The recurrent state of one layer and direction while stepping. */
interface StepState {
  h: Tensor;
  c: Tensor | null;
}

/** The parameters of one layer and direction. */
interface Direction extends StepWeights {
  wih: Tensor;
  bih: Tensor | null;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Per-step `[batch, g]` slices of a time-major `[seq, batch, g]` tensor. The slices are
 * taken through √seq chunks, so the backward pass (which pads each slice's gradient to
 * its parent's size) costs O(seq^1.5) rather than O(seq²) element writes.
 */
function steps(x: Tensor): Tensor[] {
  const T = x.shape[0]!;
  const chunk = Math.max(1, Math.ceil(Math.sqrt(T)));
  const out: Tensor[] = [];
  for (const part of T > 16 ? split(x, chunk, 0) : [x]) for (const s of split(part, 1, 0)) out.push(s.squeeze(0));
  return out;
}

/**
 * Shared machinery of the recurrent layers: the parameters, the input and state checks,
 * and the loop over layers, directions and time steps. `S` is the state a caller passes
 * and gets back: one tensor (RNN, GRU) or `[h, c]` (LSTM).
 */
export abstract class RecurrentBase<S> extends Module<[x: Tensor, hx?: S | null, lengths?: SequenceLengths], [Tensor, S]> {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  private readonly generator: Generator | undefined;
  private readonly dirs: Direction[] = [];

  constructor(
    /** The class name, for messages. */
    protected readonly kind: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RecurrentOptions,
    /** Size of the state `h` a step outputs (hiddenSize, or an LSTM's projSize). */
    protected readonly outSize = hiddenSize,
  ) {
    super();
    checkSize(kind, 'inputSize', inputSize);
    checkSize(kind, 'hiddenSize', hiddenSize);
    this.numLayers = options.numLayers ?? 1;
    checkSize(kind, 'numLayers', this.numLayers);
    this.bias = options.bias !== false;
    this.batchFirst = options.batchFirst === true;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new ArgumentError(`${kind}: dropout must be in [0, 1), got ${this.dropout}`);
    this.bidirectional = options.bidirectional === true;
    this.generator = options.generator;
    const D = this.bidirectional ? 2 : 1;
    const g = gates * hiddenSize;
    const make = (name: string, shape: number[]): Parameter =>
      this.param(name, new Parameter(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : D * outSize;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const wih = make(`weight_ih${sfx}`, [g, inSize]);
        const whh = make(`weight_hh${sfx}`, [g, outSize]);
        const bih = this.bias ? make(`bias_ih${sfx}`, [g]) : null;
        const bhh = this.bias ? make(`bias_hh${sfx}`, [g]) : null;
        const whr = outSize !== hiddenSize ? make(`weight_hr${sfx}`, [outSize, hiddenSize]) : null;
        this.dirs.push({ wih, whh, bih, bhh, whr });
      }
    }
    this.resetParameters(options.generator);
  }

  /** Re-draws every parameter from U(−1/√hiddenSize, 1/√hiddenSize), PyTorch's default. */
  resetParameters(generator?: Generator): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const [, p] of this.namedParameters()) uniform(p, -k, k, generator);
  }

  /** One time step of one direction. */
  protected abstract step(gi: Tensor, s: StepState, w: StepWeights): StepState;
  /** The caller's state as `[h0, c0]` tensors (c0 null unless LSTM). */
  protected abstract unpack(hx: S): [Tensor, Tensor | null];
  /** The final `[hN, cN]` as the caller's state type. */
  protected abstract pack(h: Tensor, c: Tensor | null): S;

  /**
   * Runs the layer over a sequence. `x` is `[seq, batch, inputSize]` (`[batch, seq,
   * inputSize]` with `batchFirst`) or unbatched `[seq, inputSize]`. `hx` is the initial
   * state, `[numLayers·D, batch, H]` (`[numLayers·D, H]` unbatched; D = 2 if
   * bidirectional), zeros when left out. Returns the output `[seq, batch, D·H]` (batch
   * first with `batchFirst`) and the final state in the layout of `hx`.
   *
   * `lengths` (one per sample) marks a padded batch, as `pack_padded_sequence` does in
   * PyTorch: outputs past a sample's length are zero, its final state is the one at its
   * last valid step, and the backward direction starts from that step.
   */
  forward(x: Tensor, hx?: S | null, lengths?: SequenceLengths): [Tensor, S] {
    const L = this.numLayers;
    const D = this.bidirectional ? 2 : 1;
    const unbatched = x.ndim === 2 && x.shape[1] === this.inputSize;
    if (!unbatched && (x.ndim !== 3 || x.shape[2] !== this.inputSize)) {
      const layout = this.batchFirst ? `[batch, seq, ${this.inputSize}] (batchFirst)` : `[seq, batch, ${this.inputSize}]`;
      throw new ShapeError(`${this.kind}: expected input ${layout} or [seq, ${this.inputSize}] (unbatched) but got ${fmt(x.shape)}`);
    }
    // Time-major [T, B, I] from here on.
    let seq = unbatched ? x.unsqueeze(1) : this.batchFirst ? x.transpose(0, 1) : x;
    const T = seq.shape[0]!;
    const B = seq.shape[1]!;
    if (T === 0) throw new ShapeError(`${this.kind}: the input has no time steps (shape ${fmt(x.shape)})`);
    const masks = lengths === undefined ? null : this.masks(lengths, T, B, unbatched);
    const [h0, c0] = hx === undefined || hx === null ? [null, null] : this.unpack(hx);
    const h0s = this.initial('h0', h0, [L * D, B, this.outSize], unbatched);
    const c0s = c0 === null ? null : this.initial('c0', c0, [L * D, B, this.hiddenSize], unbatched);
    const lstm = this.gatesPerStep() === 4;
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const w = this.dirs[k]!;
        const flat = seq.reshape([T * B, seq.shape[2]!]);
        const gis = steps(linear(flat, w.wih, w.bih ?? undefined).reshape([T, B, w.wih.shape[0]!]));
        let s: StepState = {
          h: h0s?.[k] ?? zeros([B, this.outSize], { dtype: x.dtype }),
          c: lstm ? (c0s?.[k] ?? zeros([B, this.hiddenSize], { dtype: x.dtype })) : null,
        };
        const ys: Tensor[] = new Array<Tensor>(T);
        for (let i = 0; i < T; i++) {
          const t = d === 1 ? T - 1 - i : i;
          const next = this.step(gis[t]!, s, w);
          const m = masks?.[t];
          if (m === undefined || m === null) {
            s = next;
            ys[t] = next.h;
          } else {
            s = { h: where(m, next.h, s.h), c: next.c === null || s.c === null ? null : where(m, next.c, s.c) };
            ys[t] = where(m, next.h, 0);
          }
        }
        outs.push(stack(ys, 0));
        hN.push(s.h);
        if (s.c !== null) cN.push(s.c);
      }
      seq = D === 1 ? outs[0]! : concat(outs, 2);
      if (l < L - 1) seq = this.dropLayer(seq);
    }
    const out = unbatched ? seq.squeeze(1) : this.batchFirst ? seq.transpose(0, 1).contiguous() : seq;
    let h = stack(hN, 0);
    let c = cN.length > 0 ? stack(cN, 0) : null;
    if (unbatched) {
      h = h.squeeze(1);
      c = c?.squeeze(1) ?? null;
    }
    return [out, this.pack(h, c)];
  }

  /** The number of gate blocks per step (1 RNN, 3 GRU, 4 LSTM). */
  private gatesPerStep(): number {
    return this.dirs[0]!.whh.shape[0]! / this.hiddenSize;
  }

  /** Dropout between layers, in training mode. */
  private dropLayer(x: Tensor): Tensor {
    if (!this.training || this.dropout === 0) return x;
    const g = this.generator ?? getDefaultGenerator();
    const keep = 1 - this.dropout;
    const mask = x.dtype === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = g.nextFloat() < keep ? 1 / keep : 0;
    return x.mul(new Tensor(mask, [...x.shape]));
  }

  /** An initial state checked against `[L·D, B, H]` (`[L·D, H]` unbatched), split per layer and direction. */
  private initial(name: string, s: Tensor | null, want: number[], unbatched: boolean): Tensor[] | null {
    if (s === null) return null;
    const shape = unbatched ? [want[0]!, want[2]!] : want;
    if (s.ndim !== shape.length || s.shape.some((d, i) => d !== shape[i])) {
      const what = unbatched ? `[numLayers·D=${want[0]}, ${want[2]}]` : `[numLayers·D=${want[0]}, batch=${want[1]}, ${want[2]}]`;
      throw new ShapeError(`${this.kind}: expected ${name} ${what} but got ${fmt(s.shape)}`);
    }
    return split(unbatched ? s.unsqueeze(1) : s, 1, 0).map((p) => p.squeeze(0));
  }

  /** Per-step `[B, 1]` masks of the valid samples (null at steps where all are valid). */
  private masks(lengths: SequenceLengths, T: number, B: number, unbatched: boolean): (Tensor | null)[] {
    const list = lengths instanceof Tensor ? Array.from(lengths.dataSync(), Number) : [...lengths];
    if (unbatched) throw new ShapeError(`${this.kind}: lengths need a batched input, got an unbatched one`);
    if ((lengths instanceof Tensor && lengths.ndim !== 1) || list.length !== B) {
      throw new ShapeError(`${this.kind}: expected ${B} lengths (one per sample) but got ${lengths instanceof Tensor ? `shape ${fmt(lengths.shape)}` : list.length}`);
    }
    for (const n of list) {
      if (!Number.isInteger(n) || n < 1 || n > T) {
        throw new ArgumentError(`${this.kind}: every length must be an integer from 1 to the sequence length ${T}, got ${n}`);
      }
    }
    const out: (Tensor | null)[] = [];
    for (let t = 0; t < T; t++) {
      if (list.every((n) => t < n)) {
        out.push(null);
        continue;
      }
      const m = new Float32Array(B);
      for (let b = 0; b < B; b++) m[b] = t < list[b]! ? 1 : 0;
      out.push(new Tensor(m, [B, 1]));
    }
    return out;
  }

  override extraRepr(): string {
    const opts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) opts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) opts.push('bias=false');
    if (this.batchFirst) opts.push('batchFirst=true');
    if (this.dropout !== 0) opts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) opts.push('bidirectional=true');
    return opts.join(', ');
  }
}

/**
 * A multi-layer Elman RNN: `h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)` (or ReLU).
 * `forward(x, h0?, lengths?)` returns `[output, hN]`; see {@link RecurrentBase.forward}.
 *
 * @example
 * ```ts
 * const rnn = new RNN(10, 20, { numLayers: 2, batchFirst: true });
 * const [out, hN] = rnn.forward(randn([4, 7, 10])); // out [4, 7, 20], hN [2, 4, 20]
 * ```
 */
export class RNN extends RecurrentBase<Tensor> {
  readonly nonlinearity: RNNNonlinearity;
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions & { nonlinearity?: RNNNonlinearity } = {}) {
    super('RNN', 1, inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') {
      throw new ArgumentError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(this.nonlinearity)}'`);
    }
  }
  protected step(gi: Tensor, s: StepState, w: StepWeights): StepState {
    return { h: rnnStep(gi, s.h, w, this.nonlinearity), c: null };
  }
  protected unpack(hx: Tensor): [Tensor, null] {
    return [hx, null];
  }
  protected pack(h: Tensor): Tensor {
    return h;
  }
  override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : ''}`;
  }
}

/**
 * A multi-layer LSTM (gates i, f, g, o as in PyTorch). `forward(x, [h0, c0]?, lengths?)`
 * returns `[output, [hN, cN]]`; see {@link RecurrentBase.forward}. With `projSize`, each
 * step's `h` is projected to `projSize` by `weight_hr_l*` (PyTorch's LSTMP): `h` and the
 * output then have `projSize` features, `c` keeps `hiddenSize`.
 *
 * @example
 * ```ts
 * const lstm = new LSTM(10, 20, { batchFirst: true });
 * const [out, [hN, cN]] = lstm.forward(randn([4, 7, 10])); // out [4, 7, 20], hN [1, 4, 20]
 * ```
 */
export class LSTM extends RecurrentBase<[Tensor, Tensor]> {
  /** Size of the projected state (0: no projection). */
  readonly projSize: number;
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions & { projSize?: number } = {}) {
    const proj = options.projSize ?? 0;
    if (!Number.isInteger(proj) || proj < 0 || (proj > 0 && proj >= hiddenSize)) {
      throw new ArgumentError(`LSTM: projSize must be an integer from 0 (none) to hiddenSize − 1 = ${hiddenSize - 1}, got ${proj}`);
    }
    super('LSTM', 4, inputSize, hiddenSize, options, proj > 0 ? proj : hiddenSize);
    this.projSize = proj;
  }
  protected step(gi: Tensor, s: StepState, w: StepWeights): StepState {
    const [h, c] = lstmStep(gi, s.h, s.c!, w);
    return { h, c };
  }
  protected unpack(hx: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    if (!Array.isArray(hx) || hx.length !== 2) throw new ArgumentError('LSTM: the initial state must be a pair [h0, c0]');
    return [hx[0], hx[1]];
  }
  protected pack(h: Tensor, c: Tensor | null): [Tensor, Tensor] {
    return [h, c!];
  }
  override extraRepr(): string {
    return `${super.extraRepr()}${this.projSize > 0 ? `, projSize=${this.projSize}` : ''}`;
  }
}

/**
 * A multi-layer GRU (gates r, z, n as in PyTorch). `forward(x, h0?, lengths?)` returns
 * `[output, hN]`; see {@link RecurrentBase.forward}.
 *
 * @example
 * ```ts
 * const gru = new GRU(10, 20, { bidirectional: true });
 * const [out, hN] = gru.forward(randn([7, 4, 10])); // out [7, 4, 40], hN [2, 4, 20]
 * ```
 */
export class GRU extends RecurrentBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 3, inputSize, hiddenSize, options);
  }
  protected step(gi: Tensor, s: StepState, w: StepWeights): StepState {
    return { h: gruStep(gi, s.h, w), c: null };
  }
  protected unpack(hx: Tensor): [Tensor, null] {
    return [hx, null];
  }
  protected pack(h: Tensor): Tensor {
    return h;
  }
}
