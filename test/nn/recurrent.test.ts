/**
 * The recurrent layers beyond the PyTorch fixtures: gradcheck of the cell steps in float64,
 * typed errors naming the expected layout, lengths as a tensor, unbatched input, seeded
 * dropout between layers, PyTorch's parameter names and initialisation bounds.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  GRU,
  GRUCell,
  Generator,
  LSTM,
  LSTMCell,
  RNN,
  RNNCell,
  ShapeError,
  gradcheck,
  linear,
  randn,
  tensor,
} from '../../src/index.js';
import { gruStep, lstmStep, rnnStep } from '../../src/nn/rnn-cells.js';

const g = (seed: number) => new Generator(seed);
const r64 = (shape: number[], seed: number) => randn(shape, { generator: g(seed), dtype: 'float64' }).mul(0.5);

describe('recurrent cell steps: gradcheck in float64', () => {
  const B = 2;
  const I = 3;
  const H = 2;
  const x = r64([B, I], 1);
  const h = r64([B, H], 2);
  const c = r64([B, H], 3);
  for (const [name, gates] of [['rnn tanh', 1], ['rnn relu', 1], ['lstm', 4], ['gru', 3]] as const) {
    it(`${name}: every input, state and weight`, () => {
      const wih = r64([gates * H, I], 4);
      const whh = r64([gates * H, H], 5);
      const bih = r64([gates * H], 6);
      const bhh = r64([gates * H], 7);
      const fn = (...a: ReturnType<typeof r64>[]) => {
        const [xx, hh, cc, wi, wh, bi, bh] = a as [typeof x, typeof x, typeof x, typeof x, typeof x, typeof x, typeof x];
        const gi = linear(xx, wi, bi);
        const w = { whh: wh, bhh: bh };
        if (name === 'lstm') {
          const [h2, c2] = lstmStep(gi, hh, cc, w);
          return h2.mul(2).add(c2);
        }
        if (name === 'gru') return gruStep(gi, hh, w).add(cc.mul(0));
        return rnnStep(gi, hh, w, name === 'rnn relu' ? 'relu' : 'tanh').add(cc.mul(0));
      };
      expect(gradcheck(fn, [x, h, c, wih, whh, bih, bhh]).ok).toBe(true);
    });
  }

  it('lstm with projection', () => {
    const fn = (xx: typeof x, hh: typeof x, cc: typeof x, wi: typeof x, wh: typeof x, wr: typeof x) => {
      const [h2, c2] = lstmStep(linear(xx, wi), hh, cc, { whh: wh, bhh: null, whr: wr });
      return h2.sum().add(c2.sum().mul(0.5));
    };
    const hp = r64([B, 1], 8);
    expect(gradcheck(fn, [x, hp, c, r64([4 * H, I], 9), r64([4 * H, 1], 10), r64([1, H], 11)]).ok).toBe(true);
  });
});

describe('recurrent layers: shapes, options and errors', () => {
  it('uses PyTorch parameter names, shapes and U(−1/√H, 1/√H) initialisation', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true, generator: g(1) });
    const names = lstm.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);
    expect(names).toEqual([
      'weight_ih_l0:16x3',
      'weight_hh_l0:16x4',
      'bias_ih_l0:16',
      'bias_hh_l0:16',
      'weight_ih_l0_reverse:16x3',
      'weight_hh_l0_reverse:16x4',
      'bias_ih_l0_reverse:16',
      'bias_hh_l0_reverse:16',
      'weight_ih_l1:16x8',
      'weight_hh_l1:16x4',
      'bias_ih_l1:16',
      'bias_hh_l1:16',
      'weight_ih_l1_reverse:16x8',
      'weight_hh_l1_reverse:16x4',
      'bias_ih_l1_reverse:16',
      'bias_hh_l1_reverse:16',
    ]);
    for (const [, p] of lstm.namedParameters()) for (const v of p.dataSync()) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    expect(new GRU(2, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(new LSTM(2, 5, { projSize: 3 }).namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0:20x2',
      'weight_hh_l0:20x3',
      'bias_ih_l0:20',
      'bias_hh_l0:20',
      'weight_hr_l0:3x5',
    ]);
    expect(new GRUCell(2, 3).namedParameters().map(([n]) => n)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  });

  it('returns output and final state in the documented layouts', () => {
    const x = randn([4, 7, 10], { generator: g(2) });
    const [out, [h, c]] = new LSTM(10, 20, { batchFirst: true, numLayers: 2 }).forward(x);
    expect([out.shape, h.shape, c.shape]).toEqual([
      [4, 7, 20],
      [2, 4, 20],
      [2, 4, 20],
    ]);
    const [o2, h2] = new GRU(10, 6, { bidirectional: true }).forward(x);
    expect([o2.shape, h2.shape]).toEqual([
      [4, 7, 12],
      [2, 7, 6],
    ]);
    const [o3, h3] = new RNN(10, 5).forward(randn([7, 10]));
    expect([o3.shape, h3.shape]).toEqual([
      [7, 5],
      [1, 5],
    ]);
    expect(new RNNCell(10, 5).forward(randn([10])).shape).toEqual([5]);
    expect(new LSTMCell(10, 5).forward(randn([3, 10]))[1].shape).toEqual([3, 5]);
  });

  it('names the expected layout on a wrong shape', () => {
    const lstm = new LSTM(10, 20, { batchFirst: true });
    expect(() => lstm.forward(randn([4, 7]))).toThrow(ShapeError);
    expect(() => lstm.forward(randn([4, 7]))).toThrow(
      'LSTM: expected input [batch, seq, 10] (batchFirst) or [seq, 10] (unbatched) but got [4, 7]',
    );
    expect(() => new GRU(3, 2).forward(randn([5, 2, 4]))).toThrow('GRU: expected input [seq, batch, 3]');
    expect(() => new RNN(3, 2, { numLayers: 2 }).forward(randn([5, 2, 3]), randn([1, 2, 2]))).toThrow(
      'RNN: expected h0 [numLayers·D=2, batch=2, 2] but got [1, 2, 2]',
    );
    expect(() => new LSTM(3, 2).forward(randn([5, 2, 3]), [randn([1, 2, 2]), randn([1, 2, 3])])).toThrow('expected c0');
    expect(() => new GRUCell(3, 2).forward(randn([2, 4]))).toThrow('GRUCell: expected input [batch, 3] or [3] (unbatched)');
    expect(() => new LSTM(3, 2).forward(randn([5, 2, 3]), null, [5, 6])).toThrow('every length must be an integer from 1');
    expect(() => new LSTM(3, 2).forward(randn([5, 2, 3]), null, [5])).toThrow('expected 2 lengths');
    expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow(ArgumentError);
    expect(() => new RNN(3, 4, { dropout: 1 })).toThrow(ArgumentError);
  });

  it('takes lengths as a tensor, zeroes padded outputs and keeps the state at the last valid step', () => {
    const gru = new GRU(3, 4, { batchFirst: true, generator: g(3) });
    const x = randn([2, 5, 3], { generator: g(4) });
    const [out, h] = gru.forward(x, null, tensor([5, 2], { dtype: 'int32' }));
    const [short, hs] = gru.forward(x.slice([1, 0, 0], [2, 2, 3]));
    const o = out.dataSync();
    for (let i = 2 * 4; i < 5 * 4; i++) expect(o[5 * 4 + i]).toBe(0);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 6);
    };
    close(h.dataSync().slice(4), hs.dataSync());
    close(o.slice(20, 28), short.dataSync());
  });

  it('applies seeded dropout between layers in training mode only', () => {
    const make = () => new LSTM(3, 4, { numLayers: 2, dropout: 0.5, generator: g(5) });
    const x = randn([6, 2, 3], { generator: g(6) });
    const [a] = make().forward(x);
    const [b] = make().forward(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const m = make();
    const [train] = m.forward(x);
    m.eval();
    const [ev] = m.forward(x);
    expect(Array.from(train.dataSync())).not.toEqual(Array.from(ev.dataSync()));
  });
});
