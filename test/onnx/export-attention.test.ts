/**
 * ONNX export of the transformer layers, run in onnxruntime: encoder layers (post-
 * and pre-norm, relu and gelu, batch first or not), a stack with a final norm, and the
 * positional embeddings, at the sample batch size and another.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/io/onnx/index.js';
import {
  Generator,
  LayerNorm,
  Linear,
  type Module,
  noGrad,
  PositionalEmbedding,
  randn,
  Sequential,
  SinusoidalPositionalEncoding,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '../../src/index.js';
import { floatTensor, REL_TOL, relError, runOrt } from './export-helpers.js';

const g = new Generator(5);
const CASES: [string, () => Module, number[]][] = [
  ['post-norm relu, sequence first', () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, generator: g }), [6, 0, 8]],
  [
    'pre-norm gelu, batch first',
    () => new TransformerEncoderLayer(8, 4, { dimFeedforward: 12, activation: 'gelu', batchFirst: true, normFirst: true, generator: g }),
    [0, 5, 8],
  ],
  [
    'embedding, positions and a two-layer stack with a final norm',
    () =>
      new Sequential(
        new Linear(3, 8, { generator: g }),
        new PositionalEmbedding(10, 8, { generator: g }),
        new SinusoidalPositionalEncoding(8, 10),
        new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, generator: g }), 2, new LayerNorm(8)),
      ),
    [0, 7, 3],
  ],
];

/** An input with `batch` in the axis marked 0. */
const input = (shape: number[], batch: number, seed: number) =>
  randn(shape.map((d) => (d === 0 ? batch : d)), { generator: new Generator(seed + batch) });

describe('ONNX export of transformer layers matches Cortex in onnxruntime', () => {
  for (const [name, make, shape] of CASES) {
    it(name, async () => {
      const model = make();
      const batchFirst = shape[0] === 0;
      // The exporter's batch is dimension 0: a sequence-first model is exported with a fixed batch.
      const bytes = exportOnnx(model, { sampleInput: input(shape, 2, 1), dynamicBatch: batchFirst });
      model.eval();
      for (const batch of batchFirst ? [2, 5] : [2]) {
        const x = input(shape, batch, 1);
        const want = noGrad(() => model.forward(x));
        const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), x.shape) });
        expect(output!.dims).toEqual(want.shape);
        expect(relError(output!.data as Float32Array, want.dataSync()), `${name} batch ${batch}`).toBeLessThanOrEqual(REL_TOL);
      }
    });
  }
});
