/**
 * The recurrent layers in model files: each saves and loads with the same outputs, the
 * file declares PyTorch's tensor names, and a corrupt config is a ModelFormatError
 * (`cortex info` on an LSTM: test/cli/info-rnn.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { buildModel, deserializeModel, describeModel, serializeModel } from '../../src/io/index.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '../../src/nn/index.js';
import type { AnyModule } from '../../src/nn/module.js';
import { randn } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';

const g = () => new Generator(3);
const layers: [string, AnyModule, number[]][] = [
  ['RNN', new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, batchFirst: true, generator: g() }), [2, 5, 3]],
  ['LSTM', new LSTM(3, 5, { projSize: 2, bidirectional: true, dropout: 0.2, numLayers: 2, generator: g() }), [5, 2, 3]],
  ['GRU', new GRU(3, 4, { bias: false, generator: g() }), [5, 2, 3]],
  ['RNNCell', new RNNCell(3, 4, { nonlinearity: 'relu', generator: g() }), [2, 3]],
  ['LSTMCell', new LSTMCell(3, 4, { bias: false, generator: g() }), [2, 3]],
  ['GRUCell', new GRUCell(3, 4, { generator: g() }), [2, 3]],
];

const flat = (y: unknown): number[] => (Array.isArray(y) ? y.flatMap(flat) : Array.from((y as { dataSync(): ArrayLike<number> }).dataSync()));

describe('recurrent layers in model files', () => {
  for (const [type, m, shape] of layers) {
    it(`${type}: round-trip with the same outputs and PyTorch's tensor names`, () => {
      m.eval();
      const loaded = deserializeModel(serializeModel(m)).model as unknown as AnyModule;
      expect(loaded.constructor).toBe(m.constructor);
      expect(loaded.namedParameters().map(([n]) => n)).toEqual(m.namedParameters().map(([n]) => n));
      expect(describeModel(loaded)).toEqual(describeModel(m));
      const x = randn(shape, { generator: new Generator(4) });
      loaded.eval();
      expect(flat((loaded as { forward(x: unknown): unknown }).forward(x))).toEqual(flat((m as { forward(x: unknown): unknown }).forward(x)));
    });
  }

  it('refuses a corrupt config with a ModelFormatError', () => {
    const spec = describeModel(layers[1]![1]);
    expect(() => buildModel({ ...spec, config: { ...spec.config, projSize: 9 } })).toThrow(ModelFormatError);
    expect(() => buildModel({ ...spec, config: { ...spec.config, numLayers: 0 } })).toThrow(ModelFormatError);
    const rnn = describeModel(layers[0]![1]);
    expect(() => buildModel({ ...rnn, config: { ...rnn.config, nonlinearity: 'gelu' } })).toThrow(ModelFormatError);
  });
});

describe('reading a model file as a given class', () => {
  it('types the model as the class asked for, and names both classes when the file holds another', () => {
    const lstm = new LSTM(3, 4, { batchFirst: true, generator: g() });
    const bytes = serializeModel(lstm);
    const { model } = deserializeModel(bytes, 'seq.cortex', { as: LSTM });
    // Typed as an LSTM: its forward gives [output, [h, c]] without a cast.
    const [out, [h, c]] = model.forward(randn([2, 5, 3], { generator: new Generator(5) }));
    expect(out.shape).toEqual([2, 5, 4]);
    expect(h.shape).toEqual([1, 2, 4]);
    expect(c.shape).toEqual([1, 2, 4]);
    expect(() => deserializeModel(bytes, 'seq.cortex', { as: GRU })).toThrow(ModelFormatError);
    expect(() => deserializeModel(bytes, 'seq.cortex', { as: GRU })).toThrow(/seq\.cortex: the model in the file is an instance of LSTM, not of GRU as asked/);
  });
});
