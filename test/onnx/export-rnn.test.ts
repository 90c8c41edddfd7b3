/**
 * ONNX export of the recurrent layers through RecurrentOutput, standalone and inside a
 * Sequential, batch first and time-major (and unbatched): each model runs in onnxruntime
 * within 1e-5 (relative to the largest output) of Cortex, at the sample's size and others
 * (another batch; another sequence length too with `dynamicSequence`), and reads back
 * through importOnnx with the same outputs (the importer has no ReLU RNN). The graph's
 * input and output name their axes `batch` and `seq_len` where those are (dimension 1 is
 * the batch of a time-major input), and every shape the exporter declares agrees with
 * what ONNX's own shape inference derives from the input's. No graph carries an
 * initializer that no node reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxError } from '../../src/errors.js';
import { batchedShape, decodeModelProto, exportOnnx, importOnnx, type OnnxExportOptions, sequenceLayout } from '../../src/io/onnx/index.js';
import type { ValueInfoProto } from '../../src/io/onnx/proto.js';
import { Conv1d, Embedding, Flatten, GRU, Linear, LSTM, RecurrentOutput, RNN, Sequential, TransformerEncoder, TransformerEncoderLayer, Unflatten } from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import { noGrad, randint, randn, type Tensor } from '../../src/index.js';
import { Generator } from '../../src/tensor/random.js';
import { expectInferredShapes, expectNoUnusedInitializers, floatTensor, HAS_PYTHON_ONNX, int64Tensor, REL_TOL, relError, runOrt } from './export-helpers.js';

const g = () => new Generator(11);
type Dim = number | string;
interface Case {
  name: string;
  model: () => Module;
  /** Input shapes: the sample's, then others. */
  shapes: number[][];
  /** The declared dims of the graph's input and output. */
  dims: [Dim[], Dim[]];
  dynamicSequence?: boolean;
  /** Int32 token indices (an Embedding first) instead of float features. */
  tokens?: boolean;
  importable?: boolean;
}

const head = (n: number) => new Linear(n, 3, { generator: g() });
const CASES: Case[] = [
  {
    name: 'LSTM batchFirst last, in a Sequential',
    model: () => new Sequential(new RecurrentOutput(new LSTM(2, 5, { batchFirst: true, generator: g() })), head(5)),
    shapes: [[2, 6, 2], [5, 6, 2]],
    dims: [['batch', 6, 2], ['batch', 3]],
  },
  {
    name: 'GRU batchFirst last, in a Sequential, dynamic sequence',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 5, { batchFirst: true, generator: g() })), head(5)),
    shapes: [[2, 6, 2], [5, 9, 2], [1, 3, 2]],
    dims: [['batch', 'seq_len', 2], ['batch', 3]],
    dynamicSequence: true,
  },
  {
    name: 'RNN tanh time-major last',
    model: () => new RecurrentOutput(new RNN(3, 4, { generator: g() })),
    shapes: [[6, 2, 3], [6, 5, 3]],
    dims: [[6, 'batch', 3], ['batch', 4]],
  },
  {
    name: 'RNN tanh time-major last, dynamic sequence',
    model: () => new RecurrentOutput(new RNN(3, 4, { generator: g() })),
    shapes: [[6, 2, 3], [9, 5, 3], [2, 1, 3]],
    dims: [['seq_len', 'batch', 3], ['batch', 4]],
    dynamicSequence: true,
  },
  {
    name: 'RNN relu, 2 layers, batchFirst all',
    model: () => new RecurrentOutput(new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, batchFirst: true, generator: g() }), 'all'),
    shapes: [[2, 5, 3], [4, 5, 3]],
    dims: [['batch', 5, 3], ['batch', 5, 4]],
    importable: false,
  },
  {
    name: 'LSTM 2 layers bidirectional time-major all, dynamic sequence',
    model: () => new RecurrentOutput(new LSTM(3, 4, { numLayers: 2, bidirectional: true, dropout: 0.3, generator: g() }), 'all'),
    shapes: [[6, 2, 3], [8, 3, 3], [6, 1, 3]],
    dims: [['seq_len', 'batch', 3], ['seq_len', 'batch', 8]],
    dynamicSequence: true,
  },
  {
    name: 'GRU time-major all + Linear, in a Sequential',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 4, { generator: g() }), 'all'), head(4)),
    shapes: [[6, 2, 2], [6, 5, 2]],
    dims: [[6, 'batch', 2], [6, 'batch', 3]],
  },
  {
    name: 'Linear + LSTM time-major last + Linear, in a Sequential, dynamic sequence',
    model: () => new Sequential(new Linear(2, 3, { generator: g() }), new RecurrentOutput(new LSTM(3, 4, { generator: g() })), head(4)),
    shapes: [[7, 3, 2], [4, 6, 2], [11, 1, 2]],
    dims: [['seq_len', 'batch', 2], ['batch', 3]],
    dynamicSequence: true,
  },
  {
    name: 'Embedding + GRU time-major last, dynamic sequence',
    model: () => new Sequential(new Embedding(10, 3, { generator: g() }), new RecurrentOutput(new GRU(3, 4, { generator: g() })), head(4)),
    shapes: [[5, 2], [7, 4]],
    dims: [['seq_len', 'batch'], ['batch', 3]],
    dynamicSequence: true,
    tokens: true,
  },
  {
    name: 'GRU time-major all, flattened (the batch merged away)',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 3, { generator: g() }), 'all'), new Flatten(0)),
    shapes: [[4, 2, 2], [4, 3, 2]],
    dims: [[4, 'batch', 2], ['']],
  },
  {
    // Flatten(0, 0) keeps [seq, batch, H]: the batch after the merged range comes from the input's shape.
    name: 'GRU time-major all, Flatten(0, 0), dynamic sequence',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 3, { generator: g() }), 'all'), new Flatten(0, 0)),
    shapes: [[4, 2, 2], [5, 3, 2]],
    dims: [['seq_len', 'batch', 2], ['seq_len', 'batch', 3]],
    dynamicSequence: true,
  },
  {
    // Unflatten after a time-major 'all' copies [seq, batch] with 0s rather than the sample's sizes.
    name: 'GRU time-major all, Unflatten(2, [2, 2])',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 4, { generator: g() }), 'all'), new Unflatten(2, [2, 2])),
    shapes: [[4, 2, 2], [4, 3, 2]],
    dims: [[4, 'batch', 2], [4, 'batch', 2, 2]],
  },
  {
    name: 'GRU 3 layers bidirectional batchFirst last, in a Sequential',
    model: () => new Sequential(new RecurrentOutput(new GRU(2, 4, { numLayers: 3, bidirectional: true, batchFirst: true, generator: g() })), head(8)),
    shapes: [[2, 7, 2], [3, 7, 2]],
    dims: [['batch', 7, 2], ['batch', 3]],
  },
  {
    name: 'LSTM without bias, unbatched (no batch axis), dynamic sequence',
    model: () => new RecurrentOutput(new LSTM(3, 4, { bias: false, generator: g() })),
    shapes: [[6, 3], [9, 3]],
    dims: [['seq_len', 3], [4]],
    dynamicSequence: true,
  },
];

/** A dimension as declared: its size, its symbol, or '' when unknown. */
const dimsOf = (v: ValueInfoProto): Dim[] => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue ?? 0) || '');

const dir = mkdtempSync(join(tmpdir(), 'cortex-onnx-rnn-'));
const written: string[] = [];
const measured: Record<string, number> = {};

describe('ONNX export of recurrent layers', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const worst = Math.max(...Object.values(measured));
    console.log(`ONNX RNN export: largest relative error ${worst.toExponential(2)} over ${Object.keys(measured).length} checks`);
  });

  const input = (c: Case, shape: number[], seed: number): Tensor =>
    c.tokens ? randint(0, 10, shape, { generator: new Generator(seed) }) : randn(shape, { generator: new Generator(seed) });

  for (const c of CASES) {
    it(`${c.name}: names its axes, and onnxruntime and importOnnx agree with Cortex`, async () => {
      const model = c.model();
      model.eval();
      const options: OnnxExportOptions = { sampleInput: input(c, c.shapes[0]!, 1), dynamicSequence: c.dynamicSequence };
      const bytes = exportOnnx(model, options);
      expectNoUnusedInitializers(bytes, c.name);
      written.push(join(dir, `rnn-${written.length}.onnx`));
      writeFileSync(written.at(-1)!, bytes);
      const graph = decodeModelProto(bytes).graph!;
      expect([dimsOf(graph.input![0]!), dimsOf(graph.output![0]!)]).toEqual(c.dims);
      for (const [i, shape] of c.shapes.entries()) {
        const x = input(c, shape, 20 + i);
        const want = noGrad(() => model.forward(x));
        const feed = c.tokens ? int64Tensor(x.dataSync(), x.shape) : floatTensor(x.dataSync(), x.shape);
        const { output } = await runOrt(bytes, { input: feed });
        expect(output!.dims).toEqual(want.shape);
        const err = relError(output!.data as Float32Array, want.dataSync());
        measured[`${c.name} ort ${shape.join('x')}`] = err;
        expect(err).toBeLessThanOrEqual(REL_TOL);
        if (c.importable === false) continue;
        const got = noGrad(() => importOnnx(bytes).forward(x));
        expect(got.shape).toEqual(want.shape);
        const back = relError(got.dataSync(), want.dataSync());
        measured[`${c.name} import ${shape.join('x')}`] = back;
        expect(back).toBeLessThanOrEqual(REL_TOL);
      }
    });
  }

  it('without dynamicBatch fixes every axis at the sample sizes', () => {
    const model = new Sequential(new RecurrentOutput(new GRU(2, 4, { generator: g() }), 'all'), head(4));
    const graph = decodeModelProto(exportOnnx(model, { sampleInput: randn([6, 2, 2]), dynamicBatch: false })).graph!;
    expect([dimsOf(graph.input![0]!), dimsOf(graph.output![0]!)]).toEqual([[6, 2, 2], [6, 2, 3]]);
    const seqOnly = decodeModelProto(exportOnnx(model, { sampleInput: randn([6, 2, 2]), dynamicBatch: false, dynamicSequence: true })).graph!;
    expect([dimsOf(seqOnly.input![0]!), dimsOf(seqOnly.output![0]!)]).toEqual([['seq_len', 2, 2], ['seq_len', 2, 3]]);
  });

  it('refuses dynamicSequence for a model that fixes the length or reads no sequence', () => {
    // 'all' flattened into a Linear: the Linear's width is the sample's length times H.
    const fixed = new Sequential(new RecurrentOutput(new GRU(2, 3, { batchFirst: true }), 'all'), new Flatten(), new Linear(12, 2));
    expect(() => exportOnnx(fixed, { sampleInput: randn([2, 4, 2]), dynamicSequence: true })).toThrow(/dynamicSequence needs a model that runs at any sequence size/);
    expect(exportOnnx(fixed, { sampleInput: randn([2, 4, 2]) }).length).toBeGreaterThan(0);
    expect(() => exportOnnx(new Linear(3, 2), { sampleInput: randn([2, 3]), dynamicSequence: true })).toThrow(OnnxError);
  });

  it('sequenceLayout and batchedShape place the batch where the model reads it', () => {
    const encoder = (batchFirst: boolean) => new TransformerEncoder(new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst }), 1);
    const layouts: [Module, 'batch-first' | 'time-major' | null, number[]][] = [
      [new Sequential(new RecurrentOutput(new LSTM(2, 4, { batchFirst: true })), head(4)), 'batch-first', [3, 6, 2]],
      [new Sequential(new RecurrentOutput(new LSTM(2, 4)), head(4)), 'time-major', [6, 3, 2]],
      [new Sequential(new Linear(2, 4), encoder(false)), 'time-major', [6, 3, 2]],
      [new Sequential(new Linear(2, 4), encoder(true)), 'batch-first', [3, 6, 2]],
      [new Sequential(new Linear(2, 4), head(4)), null, [3, 6, 2]],
      // A convolution first: the input is not what the recurrent layer reads.
      [new Sequential(new Conv1d(6, 2, 1), new RecurrentOutput(new LSTM(2, 4))), null, [3, 6, 2]],
    ];
    for (const [model, layout, shape] of layouts) {
      expect(sequenceLayout(model)).toBe(layout);
      expect(batchedShape(model, [6, 2], 3)).toEqual(shape);
      // traceAxes agrees: the exported input's batch is where batchedShape put it.
      if (layout !== null) expect(dimsOf(decodeModelProto(exportOnnx(model, { sampleInput: randn(batchedShape(model, [6, 2])) })).graph!.input![0]!)).toEqual(shape.map((d) => (d === 3 ? 'batch' : d)));
    }
  });

  it('refuses an LSTM with projSize', () => {
    const m = new RecurrentOutput(new LSTM(2, 4, { projSize: 2 }));
    expect(() => exportOnnx(m, { sampleInput: randn([3, 1, 2]) })).toThrow(OnnxError);
  });

  // Every value_info and output shape the exporter wrote must be what ONNX infers from the
  // input's declared shape (symbols included), once the declared ones are removed.
  it.skipIf(!HAS_PYTHON_ONNX)('declares the shapes ONNX shape inference derives, and passes the full checker', () => {
    expectInferredShapes(written);
    expect(written.length).toBe(CASES.length);
  });
});
