/**
 * ONNX export of the recurrent layers through RecurrentOutput: each model runs in
 * onnxruntime within 1e-5 (relative to the largest output) of Cortex, at the sample's size
 * and another (batch for batch-first models, sequence length for time-major ones), and
 * reads back through importOnnx with the same outputs (the importer has no ReLU RNN).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxError } from '../../src/errors.js';
import { exportOnnx, importOnnx } from '../../src/io/onnx/index.js';
import { GRU, Linear, LSTM, RecurrentOutput, RNN, Sequential } from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import { noGrad, randn } from '../../src/index.js';
import { Generator } from '../../src/tensor/random.js';
import { floatTensor, REL_TOL, relError, runOrt } from './export-helpers.js';

const g = () => new Generator(11);
interface Case {
  name: string;
  model: () => Module;
  /** Input shapes: the sample's, then another size. */
  shapes: [number[], number[]];
  importable?: boolean;
}

const head = (n: number) => new Linear(n, 3, { generator: g() });
const CASES: Case[] = [
  { name: 'LSTM batchFirst last', model: () => new Sequential(new RecurrentOutput(new LSTM(2, 5, { batchFirst: true, generator: g() })), head(5)), shapes: [[2, 6, 2], [5, 6, 2]] },
  { name: 'GRU batchFirst last', model: () => new Sequential(new RecurrentOutput(new GRU(2, 5, { batchFirst: true, generator: g() })), head(5)), shapes: [[2, 6, 2], [5, 6, 2]] },
  { name: 'RNN tanh time-major last', model: () => new RecurrentOutput(new RNN(3, 4, { generator: g() })), shapes: [[6, 2, 3], [9, 2, 3]] },
  { name: 'RNN relu, 2 layers, all', model: () => new RecurrentOutput(new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, batchFirst: true, generator: g() }), 'all'), shapes: [[2, 5, 3], [4, 5, 3]], importable: false },
  { name: 'LSTM 2 layers bidirectional all (time-major)', model: () => new RecurrentOutput(new LSTM(3, 4, { numLayers: 2, bidirectional: true, dropout: 0.3, generator: g() }), 'all'), shapes: [[6, 2, 3], [8, 2, 3]] },
  { name: 'GRU 3 layers bidirectional batchFirst last', model: () => new Sequential(new RecurrentOutput(new GRU(2, 4, { numLayers: 3, bidirectional: true, batchFirst: true, generator: g() })), head(8)), shapes: [[2, 7, 2], [3, 7, 2]] },
  { name: 'LSTM without bias, unbatched', model: () => new RecurrentOutput(new LSTM(3, 4, { bias: false, generator: g() })), shapes: [[6, 3], [6, 3]] },
];

const measured: Record<string, number> = {};

describe('ONNX export of recurrent layers', () => {
  afterAll(() => {
    const worst = Math.max(...Object.values(measured));
    console.log(`ONNX RNN export: largest relative error ${worst.toExponential(2)} over ${Object.keys(measured).length} checks`);
  });

  for (const c of CASES) {
    it(`${c.name}: onnxruntime and importOnnx agree with Cortex`, async () => {
      const model = c.model();
      model.eval();
      const bytes = exportOnnx(model, { sampleInput: randn(c.shapes[0], { generator: g() }) });
      for (const [i, shape] of c.shapes.entries()) {
        const x = randn(shape, { generator: new Generator(20 + i) });
        const want = noGrad(() => model.forward(x));
        const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), x.shape) });
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

  it('refuses an LSTM with projSize', () => {
    const m = new RecurrentOutput(new LSTM(2, 4, { projSize: 2 }));
    expect(() => exportOnnx(m, { sampleInput: randn([3, 1, 2]) })).toThrow(OnnxError);
  });
});
