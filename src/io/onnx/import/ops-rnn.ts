/**
 * Recurrent ops of the ONNX importer (LSTM, GRU, RNN), unrolled over time with differentiable
 * Cortex ops, so an imported recurrent model trains by backpropagation through time.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { stack, zeros } from '../../../ops/index.js';
import type { OpContext, OpImpl } from './graph.js';
import { floatInput } from './ops-math.js';
import { floatValue, numbers, type Value } from './values.js';

/** What every recurrent op shares: its input as [seq, batch, features] and its directions. */
interface Recurrence {
  x: Tensor;
  hidden: number;
  directions: ('forward' | 'reverse')[];
  /** layout 1 means batch-first inputs and outputs. */
  batchFirst: boolean;
}

function recurrence(ctx: OpContext, gates: number, defaultActivations: readonly string[]): Recurrence {
  const x0 = floatInput(ctx, 0);
  if (x0.ndim !== 3) throw ctx.error(`X must be 3-d, got [${x0.shape}]`);
  const batchFirst = ctx.int('layout', 0) !== 0;
  const x = batchFirst ? x0.transpose(0, 1) : x0;
  const direction = ctx.string('direction', 'forward');
  const directions: ('forward' | 'reverse')[] =
    direction === 'bidirectional' ? ['forward', 'reverse'] : direction === 'reverse' ? ['reverse'] : ['forward'];
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw ctx.error(`direction "${direction}" is not supported`);
  const w = floatInput(ctx, 1);
  const hidden = ctx.int('hidden_size', w.shape[1]! / gates);
  if (w.shape[0] !== directions.length || w.shape[1] !== gates * hidden) {
    throw ctx.error(`W [${w.shape}] does not fit ${directions.length} direction(s) of ${gates} gates of hidden size ${hidden}`);
  }
  if (ctx.has('clip')) throw ctx.error('the clip attribute is not supported');
  const acts = ctx.strings('activations');
  const expected = [...defaultActivations, ...(directions.length === 2 ? defaultActivations : [])];
  if (acts?.some((a, i) => a.toLowerCase() !== expected[i]?.toLowerCase())) {
    throw ctx.error(`activations [${acts.join(', ')}] are not supported (only the default ${defaultActivations.join(', ')})`);
  }
  const lens = ctx.optional(4);
  if (lens !== undefined && numbers(lens).some((n) => n !== x.shape[0])) {
    throw ctx.error('sequence_lens shorter than the sequence are not supported; pad or trim the batch to one length');
  }
  return { x, hidden, directions, batchFirst };
}

/** The initial state of direction d: input `i` ([dirs, batch, hidden]) or zeros. */
function initial(ctx: OpContext, i: number, d: number, r: Recurrence): Tensor {
  const v = ctx.optional(i);
  const batch = r.x.shape[1]!;
  if (v === undefined) return zeros([batch, r.hidden], { dtype: r.x.dtype === 'float64' ? 'float64' : 'float32' });
  const t = r.batchFirst ? v.t.transpose(0, 1) : v.t;
  return t.narrow(0, d, 1).reshape([batch, r.hidden]);
}

/** Y ([seq, dirs, batch, hidden], or batch-first), Y_h and Y_c ([dirs, batch, hidden]) as values. */
function outputs(ctx: OpContext, r: Recurrence, ys: Tensor[][], finals: Tensor[][]): Value[] {
  const out: Value[] = [];
  // ys[d][t]: the hidden state of direction d at time t.
  let y = stack(
    ys.map((seq) => stack(seq, 0)),
    1,
  );
  if (r.batchFirst) y = y.permute([2, 0, 1, 3]);
  out.push(floatValue(y));
  for (const states of finals) {
    const s = stack(states, 0);
    out.push(floatValue(r.batchFirst ? s.transpose(0, 1) : s));
  }
  return out.slice(0, Math.max(ctx.outputCount, 1));
}

/** The time steps of a direction, in the order it reads them. */
function steps(n: number, dir: 'forward' | 'reverse'): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return dir === 'forward' ? order : order.reverse();
}

/**
 * LSTM with ONNX's gate order (input, output, forget, cell):
 * i, o, f = σ(x·Wᵀ + h·Rᵀ + b), c̃ = tanh(…), c' = f⊙c + i⊙c̃, h' = o⊙tanh(c').
 */
const lstm: OpImpl = (ctx) => {
  const r = recurrence(ctx, 4, ['Sigmoid', 'Tanh', 'Tanh']);
  if (ctx.optional(7) !== undefined) throw ctx.error('peephole weights (input P) are not supported');
  if (ctx.int('input_forget', 0) !== 0) throw ctx.error('input_forget is not supported');
  const H = r.hidden;
  const [seq, batch] = r.x.shape as [number, number];
  const ys: Tensor[][] = [];
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  r.directions.forEach((dir, d) => {
    const w = floatInput(ctx, 1).narrow(0, d, 1).reshape([4 * H, -1]);
    const rec = floatInput(ctx, 2).narrow(0, d, 1).reshape([4 * H, H]);
    const bias = ctx.optional(3)?.t.narrow(0, d, 1).reshape([2, 4 * H]);
    // The input projection of every time step at once: [seq, batch, 4H].
    let xw = r.x.reshape([seq * batch, -1]).matmul(w.transpose());
    if (bias !== undefined) xw = xw.add(bias.sum(0));
    const xs = xw.reshape([seq, batch, 4 * H]);
    let h = initial(ctx, 5, d, r);
    let c = initial(ctx, 6, d, r);
    const out: Tensor[] = new Array<Tensor>(seq);
    const recT = rec.transpose();
    for (const t of steps(seq, dir)) {
      const g = xs.narrow(0, t, 1).reshape([batch, 4 * H]).add(h.matmul(recT));
      const i = g.narrow(1, 0, H).sigmoid();
      const o = g.narrow(1, H, H).sigmoid();
      const f = g.narrow(1, 2 * H, H).sigmoid();
      const cand = g.narrow(1, 3 * H, H).tanh();
      c = f.mul(c).add(i.mul(cand));
      h = o.mul(c.tanh());
      out[t] = h;
    }
    ys.push(out);
    hs.push(h);
    cs.push(c);
  });
  return outputs(ctx, r, ys, [hs, cs]);
};

/**
 * GRU with ONNX's gate order (update, reset, hidden): z, r = σ(…),
 * h̃ = tanh(x·Whᵀ + (r⊙h)·Rhᵀ + b) (or r⊙(h·Rhᵀ + Rbh) with linear_before_reset), h' = (1−z)⊙h̃ + z⊙h.
 */
const gru: OpImpl = (ctx) => {
  const r = recurrence(ctx, 3, ['Sigmoid', 'Tanh']);
  const H = r.hidden;
  const before = ctx.int('linear_before_reset', 0) !== 0;
  const [seq, batch] = r.x.shape as [number, number];
  const ys: Tensor[][] = [];
  const hs: Tensor[] = [];
  r.directions.forEach((dir, d) => {
    const w = floatInput(ctx, 1).narrow(0, d, 1).reshape([3 * H, -1]);
    const rec = floatInput(ctx, 2).narrow(0, d, 1).reshape([3 * H, H]);
    const bias = ctx.optional(3)?.t.narrow(0, d, 1).reshape([2, 3 * H]);
    let xw = r.x.reshape([seq * batch, -1]).matmul(w.transpose());
    if (bias !== undefined) xw = xw.add(bias.narrow(0, 0, 1).reshape([3 * H]));
    const xs = xw.reshape([seq, batch, 3 * H]);
    const rb = bias?.narrow(0, 1, 1).reshape([3 * H]);
    const rzr = rec.narrow(0, 0, 2 * H).transpose();
    const rh = rec.narrow(0, 2 * H, H).transpose();
    let h = initial(ctx, 5, d, r);
    const out: Tensor[] = new Array<Tensor>(seq);
    for (const t of steps(seq, dir)) {
      const xt = xs.narrow(0, t, 1).reshape([batch, 3 * H]);
      let hz = h.matmul(rzr);
      if (rb !== undefined) hz = hz.add(rb.narrow(0, 0, 2 * H));
      const zr = xt.narrow(1, 0, 2 * H).add(hz).sigmoid();
      const z = zr.narrow(1, 0, H);
      const rr = zr.narrow(1, H, H);
      const rbh = rb?.narrow(0, 2 * H, H);
      let hh: Tensor;
      if (before) {
        const lin = h.matmul(rh);
        hh = rr.mul(rbh === undefined ? lin : lin.add(rbh));
      } else {
        const lin = rr.mul(h).matmul(rh);
        hh = rbh === undefined ? lin : lin.add(rbh);
      }
      const cand = xt.narrow(1, 2 * H, H).add(hh).tanh();
      h = z.neg().add(1).mul(cand).add(z.mul(h));
      out[t] = h;
    }
    ys.push(out);
    hs.push(h);
  });
  return outputs(ctx, r, ys, [hs]);
};

/** The simple RNN: h' = tanh(x·Wᵀ + h·Rᵀ + Wb + Rb). */
const rnn: OpImpl = (ctx) => {
  const r = recurrence(ctx, 1, ['Tanh']);
  const H = r.hidden;
  const [seq, batch] = r.x.shape as [number, number];
  const ys: Tensor[][] = [];
  const hs: Tensor[] = [];
  r.directions.forEach((dir, d) => {
    const w = floatInput(ctx, 1).narrow(0, d, 1).reshape([H, -1]);
    const recT = floatInput(ctx, 2).narrow(0, d, 1).reshape([H, H]).transpose();
    const bias = ctx.optional(3)?.t.narrow(0, d, 1).reshape([2, H]);
    let xw = r.x.reshape([seq * batch, -1]).matmul(w.transpose());
    if (bias !== undefined) xw = xw.add(bias.sum(0));
    const xs = xw.reshape([seq, batch, H]);
    let h = initial(ctx, 5, d, r);
    const out: Tensor[] = new Array<Tensor>(seq);
    for (const t of steps(seq, dir)) {
      h = xs.narrow(0, t, 1).reshape([batch, H]).add(h.matmul(recT)).tanh();
      out[t] = h;
    }
    ys.push(out);
    hs.push(h);
  });
  return outputs(ctx, r, ys, [hs]);
};

/** The recurrent ops, by ONNX op type. */
export const RNN_OPS: Record<string, OpImpl> = { LSTM: lstm, GRU: gru, RNN: rnn };
