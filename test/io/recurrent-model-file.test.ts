/**
 * The recurrent layers in model files: each saves and loads with the same outputs, the
 * file declares PyTorch's tensor names, a corrupt config is a ModelFormatError, and
 * `cortex info` prints the layer with its output shapes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { buildModel, deserializeModel, describeModel, serializeModel } from '../../src/io/index.js';
import { save } from '../../src/io/node/files.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '../../src/nn/index.js';
import type { AnyModule } from '../../src/nn/module.js';
import { randn } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-rnn-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('cortex info prints an LSTM with its output shapes', async () => {
    const path = join(dir, 'lstm.cortex');
    await save(new LSTM(3, 6, { batchFirst: true, numLayers: 2, generator: g() }), path, { training: { inputShape: [7, 3] } });
    const run = await cli(['info', path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('LSTM');
    expect(run.stdout).toContain('[1, 7, 6], [2, 1, 6], [2, 1, 6]');
  });
});
