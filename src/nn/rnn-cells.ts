/**
 * The recurrent cells `RNNCell`, `LSTMCell` and `GRUCell`, and the one-step functions
 * they share with the multi-step layers of `recurrent.ts`. Gate layouts and parameter
 * names are PyTorch's, so state dicts load one to one.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { linear, split, unsqueeze, zeros } from '../ops/index.js';
import type { Generator } from '../tensor/random.js';
import { uniform } from './init.js';
import { Module, Parameter } from './module.js';

/** The nonlinearity of a plain (Elman) recurrent layer. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** Options of the recurrent cells. */
export interface CellOptions {
  /** Whether the cell has the biases `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: the global one). */
  generator?: Generator;
}

/** The recurrent weights of one step: `W_hh`, `b_hh` and, for a projected LSTM, `W_hr`. */
export interface StepWeights {
  readonly whh: Tensor;
  readonly bhh: Tensor | null;
  readonly whr?: Tensor | null;
}

/** One step of an Elman RNN: `act(gi + h·W_hhᵀ + b_hh)`, `gi` the input projection `x·W_ihᵀ + b_ih`. */
export function rnnStep(gi: Tensor, h: Tensor, w: StepWeights, nonlinearity: RNNNonlinearity): Tensor {
  const pre = linear(h, w.whh, w.bhh ?? undefined).add(gi);
  return nonlinearity === 'tanh' ? pre.tanh() : pre.relu();
}

/**
 * One LSTM step from the input projection `gi` (`[batch, 4·hidden]`, gates in PyTorch's
 * order i, f, g, o): `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')`, then `h' = h'·W_hrᵀ` when projected.
 */
export function lstmStep(gi: Tensor, h: Tensor, c: Tensor, w: StepWeights): [Tensor, Tensor] {
  const gates = linear(h, w.whh, w.bhh ?? undefined).add(gi);
  const hidden = c.shape[c.ndim - 1]!;
  const [i, f, g, o] = split(gates, hidden, -1) as [Tensor, Tensor, Tensor, Tensor];
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  const h2 = o.sigmoid().mul(c2.tanh());
  return [w.whr ? linear(h2, w.whr) : h2, c2];
}

/**
 * One GRU step from the input projection `gi` (gates r, z, n): `r = σ(gi_r + gh_r)`,
 * `z = σ(gi_z + gh_z)`, `n = tanh(gi_n + r⊙gh_n)`, `h' = (1−z)⊙n + z⊙h`, with
 * `gh = h·W_hhᵀ + b_hh` (so `b_hn` sits inside the reset gate, as in PyTorch).
 */
export function gruStep(gi: Tensor, h: Tensor, w: StepWeights): Tensor {
  const gh = linear(h, w.whh, w.bhh ?? undefined);
  const hidden = h.shape[h.ndim - 1]!;
  const [ir, iz, inn] = split(gi, hidden, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = split(gh, hidden, -1) as [Tensor, Tensor, Tensor];
  const r = ir.add(hr).sigmoid();
  const z = iz.add(hz).sigmoid();
  const n = inn.add(r.mul(hn)).tanh();
  return n.add(z.mul(h.sub(n)));
}

/** Checks a positive integer size option. */
export function checkSize(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${layer}: ${name} must be a positive integer, got ${v}`);
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Shared parts of the three cells: the four parameters, their initialisation and the input checks. */
abstract class CellBase<In extends readonly unknown[], Out> extends Module<In, Out> {
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;

  constructor(
    private readonly kind: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: CellOptions,
  ) {
    super();
    checkSize(kind, 'inputSize', inputSize);
    checkSize(kind, 'hiddenSize', hiddenSize);
    const g = gates * hiddenSize;
    this.weight_ih = this.param('weight_ih', new Parameter(new Float32Array(g * inputSize), [g, inputSize]));
    this.weight_hh = this.param('weight_hh', new Parameter(new Float32Array(g * hiddenSize), [g, hiddenSize]));
    const bias = options.bias !== false;
    this.bias_ih = this.param('bias_ih', bias ? new Parameter(new Float32Array(g), [g]) : null);
    this.bias_hh = this.param('bias_hh', bias ? new Parameter(new Float32Array(g), [g]) : null);
    this.resetParameters(options.generator);
  }

  /** Re-draws every parameter from U(−1/√hidden, 1/√hidden), PyTorch's default. */
  resetParameters(generator?: Generator): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of [this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh]) if (p) uniform(p, -k, k, generator);
  }

  /** The recurrent weights, for the step functions. */
  protected get step(): StepWeights {
    return { whh: this.weight_hh, bhh: this.bias_hh };
  }

  /** The input projection of `x` (`[batch, inputSize]` or `[inputSize]`), and whether `x` was unbatched. */
  protected project(x: Tensor): { gi: Tensor; unbatched: boolean } {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(
        `${this.kind}: expected input [batch, ${this.inputSize}] or [${this.inputSize}] (unbatched) but got ${fmt(x.shape)}`,
      );
    }
    const unbatched = x.ndim === 1;
    const xb = unbatched ? unsqueeze(x, 0) : x;
    return { gi: linear(xb, this.weight_ih, this.bias_ih ?? undefined), unbatched };
  }

  /** A state tensor given by the caller, checked against the input's batch (batched form). */
  protected state(name: string, s: Tensor | undefined, batch: number, unbatched: boolean): Tensor | undefined {
    if (s === undefined) return undefined;
    const want = unbatched ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (s.ndim !== want.length || s.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(`${this.kind}: expected ${name} ${fmt(want)} but got ${fmt(s.shape)}`);
    }
    return unbatched ? unsqueeze(s, 0) : s;
  }

  /** Zeros of `[batch, hiddenSize]` in the dtype of `like`. */
  protected zeros(like: Tensor): Tensor {
    return zeros([like.shape[0]!, this.hiddenSize], { dtype: like.dtype });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih === null ? ', bias=false' : ''}`;
  }
}

/**
 * One step of an Elman RNN: `h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)` (or ReLU).
 * Input `[batch, inputSize]` (or unbatched `[inputSize]`), state `[batch, hiddenSize]`
 * (zeros when left out); returns the new state.
 *
 * @example
 * ```ts
 * const cell = new RNNCell(10, 20);
 * let h = cell.forward(x0);
 * h = cell.forward(x1, h);
 * ```
 */
export class RNNCell extends CellBase<[x: Tensor, h?: Tensor], Tensor> {
  readonly nonlinearity: RNNNonlinearity;
  constructor(inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: RNNNonlinearity } = {}) {
    super('RNNCell', 1, inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') {
      throw new ArgumentError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${String(this.nonlinearity)}'`);
    }
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    const { gi, unbatched } = this.project(x);
    const h0 = this.state('h', h, gi.shape[0]!, unbatched) ?? this.zeros(gi);
    const out = rnnStep(gi, h0, this.step, this.nonlinearity);
    return unbatched ? out.squeeze(0) : out;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : ''}`;
  }
}

/**
 * One LSTM step. Input `[batch, inputSize]` (or `[inputSize]`), state `[h, c]` each
 * `[batch, hiddenSize]` (zeros when left out); returns `[h', c']`. Weights stack the
 * gates in PyTorch's order i, f, g, o: `weight_ih` is `[4·hiddenSize, inputSize]`.
 *
 * @example
 * ```ts
 * const cell = new LSTMCell(10, 20);
 * let [h, c] = cell.forward(x0);
 * [h, c] = cell.forward(x1, [h, c]);
 * ```
 */
export class LSTMCell extends CellBase<[x: Tensor, state?: readonly [Tensor, Tensor]], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, state?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    const { gi, unbatched } = this.project(x);
    const b = gi.shape[0]!;
    const h0 = this.state('h', state?.[0], b, unbatched) ?? this.zeros(gi);
    const c0 = this.state('c', state?.[1], b, unbatched) ?? this.zeros(gi);
    const [h, c] = lstmStep(gi, h0, c0, this.step);
    return unbatched ? [h.squeeze(0), c.squeeze(0)] : [h, c];
  }
}

/**
 * One GRU step. Input `[batch, inputSize]` (or `[inputSize]`), state `[batch, hiddenSize]`
 * (zeros when left out); returns the new state. Gates in PyTorch's order r, z, n.
 *
 * @example
 * ```ts
 * const cell = new GRUCell(10, 20);
 * const h = cell.forward(x0);
 * ```
 */
export class GRUCell extends CellBase<[x: Tensor, h?: Tensor], Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    const { gi, unbatched } = this.project(x);
    const h0 = this.state('h', h, gi.shape[0]!, unbatched) ?? this.zeros(gi);
    const out = gruStep(gi, h0, this.step);
    return unbatched ? out.squeeze(0) : out;
  }
}
