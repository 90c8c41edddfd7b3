/**
 * Model-file codecs of the recurrent layers: `RNN`, `LSTM`, `GRU`, `RNNCell`, `LSTMCell`
 * and `GRUCell`. `registry.ts` registers them with the built-in layers. The tensors keep
 * PyTorch's names (`weight_ih_l0`, `bias_hh_l1_reverse`, …).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentOptions } from '../nn/recurrent.js';
import { GRUCell, LSTMCell, RNNCell, type RNNNonlinearity } from '../nn/rnn-cells.js';
import { type RecurrentLayer, RecurrentOutput } from '../nn/recurrent-output.js';
import { scratch } from './registry-cnn.js';
import type { ConfigReader, JsonObject, registerLayer } from './registry.js';

/** Largest input or hidden size, layer count read from a file. */
const MAX_SIZE = 1 << 16;
const MAX_LAYERS = 256;

type AnyRecurrent = RecurrentBase<unknown>;

function nonlinearity(c: ConfigReader): RNNNonlinearity {
  const v = c.raw('nonlinearity');
  if (v === 'tanh' || v === 'relu') return v;
  // Let the reader word the error like every other bad field.
  c.bool('nonlinearity');
  return 'tanh';
}

/** The options shared by RNN, LSTM and GRU, validated. */
function recurrentFields(c: ConfigReader): { inputSize: number; hiddenSize: number; options: RecurrentOptions } {
  return {
    inputSize: c.int('inputSize', 1, MAX_SIZE),
    hiddenSize: c.int('hiddenSize', 1, MAX_SIZE),
    options: {
      numLayers: c.int('numLayers', 1, MAX_LAYERS),
      bias: c.bool('bias'),
      batchFirst: c.bool('batchFirst'),
      dropout: c.num('dropout', 0, 0.999999),
      bidirectional: c.bool('bidirectional'),
      ...scratch(),
    },
  };
}

/** The parameter names and shapes a recurrent layer of `gates` blocks declares. */
function recurrentTensors(c: ConfigReader, gates: number, projSize = 0): [string, number[]][] {
  const { inputSize, hiddenSize, options } = recurrentFields(c);
  const D = options.bidirectional ? 2 : 1;
  const out = projSize > 0 ? projSize : hiddenSize;
  const g = gates * hiddenSize;
  const list: [string, number[]][] = [];
  for (let l = 0; l < options.numLayers!; l++) {
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      list.push([`weight_ih${sfx}`, [g, l === 0 ? inputSize : D * out]], [`weight_hh${sfx}`, [g, out]]);
      if (options.bias) list.push([`bias_ih${sfx}`, [g]], [`bias_hh${sfx}`, [g]]);
      if (projSize > 0) list.push([`weight_hr${sfx}`, [out, hiddenSize]]);
    }
  }
  return list;
}

function recurrentConfig(m: AnyRecurrent): JsonObject {
  return {
    inputSize: m.inputSize,
    hiddenSize: m.hiddenSize,
    numLayers: m.numLayers,
    bias: m.bias,
    batchFirst: m.batchFirst,
    dropout: m.dropout,
    bidirectional: m.bidirectional,
  };
}

/** The tensors of a cell of `gates` blocks. */
function cellTensors(c: ConfigReader, gates: number): [string, number[]][] {
  const i = c.int('inputSize', 1, MAX_SIZE);
  const h = c.int('hiddenSize', 1, MAX_SIZE);
  const list: [string, number[]][] = [['weight_ih', [gates * h, i]], ['weight_hh', [gates * h, h]]];
  if (c.bool('bias')) list.push(['bias_ih', [gates * h]], ['bias_hh', [gates * h]]);
  return list;
}

const cellConfig = (m: RNNCell | LSTMCell | GRUCell): JsonObject => ({
  inputSize: m.inputSize,
  hiddenSize: m.hiddenSize,
  bias: m.bias_ih !== null,
});

const cellArgs = (c: ConfigReader): [number, number, { bias: boolean; generator: ReturnType<typeof scratch>['generator'] }] => [
  c.int('inputSize', 1, MAX_SIZE),
  c.int('hiddenSize', 1, MAX_SIZE),
  { bias: c.bool('bias'), ...scratch() },
];

/**
 * Registers the codecs through `register` (the registry's `registerLayer`). The layers take
 * and return tuples, so they are registered as modules of any signature: a model file stores
 * their configuration and tensors, whatever `forward` takes.
 */
export function registerRnnLayers(register: typeof registerLayer): void {
  register<RNN>('RNN', {
    cls: RNN,
    config: (m) => ({ ...recurrentConfig(m), nonlinearity: m.nonlinearity }),
    create: (c) => {
      const f = recurrentFields(c);
      return new RNN(f.inputSize, f.hiddenSize, { ...f.options, nonlinearity: nonlinearity(c) });
    },
    tensors: (c) => recurrentTensors(c, 1),
  });
  register<LSTM>('LSTM', {
    cls: LSTM,
    config: (m) => ({ ...recurrentConfig(m), projSize: m.projSize }),
    create: (c) => {
      const f = recurrentFields(c);
      return new LSTM(f.inputSize, f.hiddenSize, { ...f.options, projSize: c.int('projSize', 0, MAX_SIZE) });
    },
    tensors: (c) => recurrentTensors(c, 4, c.int('projSize', 0, MAX_SIZE)),
  });
  register<GRU>('GRU', {
    cls: GRU,
    config: recurrentConfig,
    create: (c) => {
      const f = recurrentFields(c);
      return new GRU(f.inputSize, f.hiddenSize, f.options);
    },
    tensors: (c) => recurrentTensors(c, 3),
  });
  register<RNNCell>('RNNCell', {
    cls: RNNCell,
    config: (m) => ({ ...cellConfig(m), nonlinearity: m.nonlinearity }),
    create: (c) => {
      const [i, h, o] = cellArgs(c);
      return new RNNCell(i, h, { ...o, nonlinearity: nonlinearity(c) });
    },
    tensors: (c) => cellTensors(c, 1),
  });
  register<LSTMCell>('LSTMCell', {
    cls: LSTMCell,
    config: cellConfig,
    create: (c) => new LSTMCell(...cellArgs(c)),
    tensors: (c) => cellTensors(c, 4),
  });
  register<GRUCell>('GRUCell', {
    cls: GRUCell,
    config: cellConfig,
    create: (c) => new GRUCell(...cellArgs(c)),
    tensors: (c) => cellTensors(c, 3),
  });
  // rnn-seq: RecurrentOutput, a container of one recurrent layer (its child 0).
  register('RecurrentOutput', {
    cls: RecurrentOutput,
    container: true,
    config: (m) => ({ select: m.select }),
    create: (c, children) => {
      const select = c.raw('select');
      if (select !== 'last' && select !== 'all') throw new ArgumentError(`select must be 'last' or 'all', got ${JSON.stringify(select ?? null)}`);
      if (children.length !== 1) throw new ArgumentError(`RecurrentOutput holds one recurrent layer, got ${children.length} children`);
      return new RecurrentOutput(children[0] as unknown as RecurrentLayer, select);
    },
    tensors: () => [],
  });
}
