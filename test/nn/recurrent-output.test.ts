/**
 * RecurrentOutput: a recurrent layer as a one-tensor module in a Sequential. 'last' is the
 * final time step (batch-first or not, per-sample with lengths), 'all' every step; the
 * model saves and loads bit-identically and prints its shapes in summary; bad input is a
 * typed error.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, ModelFormatError } from '../../src/errors.js';
import { buildModel, deserializeModel, describeModel, serializeModel } from '../../src/io/index.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { GRU, Linear, LSTM, RecurrentOutput, RNN, Sequential, summary } from '../../src/nn/index.js';
import { lastStep } from '../../src/nn/recurrent-output.js';
import { randn } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

const g = () => new Generator(5);

describe('RecurrentOutput', () => {
  it("'last' is out[:, -1] with batchFirst and out[-1] without", () => {
    const x = randn([3, 6, 2], { generator: g() });
    const bf = new LSTM(2, 4, { batchFirst: true, generator: g() });
    const [out] = bf.forward(x);
    const last = new RecurrentOutput(bf, 'last').forward(x);
    expect(last.shape).toEqual([3, 4]);
    expect(Array.from(last.dataSync())).toEqual(Array.from(out.narrow(1, 5, 1).squeeze(1).contiguous().dataSync()));
    const tm = new GRU(2, 4, { generator: g() });
    const [out2] = tm.forward(x);
    const last2 = new RecurrentOutput(tm).forward(x);
    expect(last2.shape).toEqual([6, 4]);
    expect(Array.from(last2.dataSync())).toEqual(Array.from(out2.narrow(0, 2, 1).squeeze(0).contiguous().dataSync()));
    expect(new RecurrentOutput(tm, 'all').forward(x).shape).toEqual([3, 6, 4]);
    expect(new RecurrentOutput(tm).forward(randn([5, 2], { generator: g() })).shape).toEqual([4]);
  });

  it("'last' with lengths is each sample's final state (unidirectional)", () => {
    const lstm = new LSTM(2, 3, { batchFirst: true, numLayers: 2, generator: g() });
    const x = randn([4, 5, 2], { generator: g() });
    const lengths = [5, 1, 3, 2];
    const [, [h]] = lstm.forward(x, null, lengths);
    const last = new RecurrentOutput(lstm).forward(x, lengths);
    expect(Array.from(last.dataSync())).toEqual(Array.from(h.narrow(0, 1, 1).squeeze(0).contiguous().dataSync()));
  });

  it('gradients flow through the selected step', () => {
    const rnn = new RNN(2, 3, { batchFirst: true, generator: g() });
    new RecurrentOutput(rnn).forward(randn([2, 4, 2], { generator: g() }), [4, 2]).sum().backward();
    expect(rnn.parameters().every((p) => p.grad !== null && Array.from(p.grad.dataSync()).some((v) => v !== 0))).toBe(true);
  });

  it('a Sequential classifier saves, loads bit-identically and prints its shapes', () => {
    const model = new Sequential(new RecurrentOutput(new LSTM(1, 16, { batchFirst: true, bidirectional: true, generator: g() }), 'last'), new Linear(32, 2, { generator: g() }));
    model.eval();
    const loaded = deserializeModel(serializeModel(model)).model;
    expect(describeModel(loaded)).toEqual(describeModel(model));
    expect(loaded.namedParameters().map(([n]) => n)).toEqual(model.namedParameters().map(([n]) => n));
    expect(model.namedParameters()[0]![0]).toBe('0.0.weight_ih_l0');
    const x = randn([3, 7, 1], { generator: g() });
    expect(Array.from(loaded.forward(x).dataSync())).toEqual(Array.from(model.forward(x).dataSync()));
    const table = summary(model, [2, 7, 1]);
    expect(table).toContain('RecurrentOutput');
    expect(table).toContain('[2, 32]');
    expect(table).toContain('[2, 2]');
  });

  it('lastStep passes gradcheck in float64 (batch-first, time-major, lengths, unbatched)', () => {
    const x = randn([3, 4, 2], { generator: g(), dtype: 'float64' });
    expect(gradcheck((t) => lastStep(t, true), [x]).ok).toBe(true);
    expect(gradcheck((t) => lastStep(t, false), [x]).ok).toBe(true);
    expect(gradcheck((t) => lastStep(t, true, [4, 1, 2]), [x]).ok).toBe(true);
    expect(gradcheck((t) => lastStep(t, false), [randn([4, 2], { generator: g(), dtype: 'float64' })]).ok).toBe(true);
  });

  it('refuses bad arguments and corrupt files with typed errors', () => {
    expect(() => new RecurrentOutput(new Linear(2, 2) as unknown as LSTM)).toThrow(ArgumentError);
    expect(() => new RecurrentOutput(new GRU(2, 2), 'first' as 'last')).toThrow(/select must be 'last' or 'all'/);
    const spec = describeModel(new RecurrentOutput(new GRU(2, 3), 'all'));
    expect(() => buildModel({ ...spec, config: { select: 'mean' } })).toThrow(ModelFormatError);
    expect(() => buildModel({ ...spec, children: [] })).toThrow(ModelFormatError);
    expect(() => buildModel({ ...spec, children: [describeModel(new Linear(2, 3))] })).toThrow(ModelFormatError);
  });
});
