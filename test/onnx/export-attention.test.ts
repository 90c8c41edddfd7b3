/**
 * ONNX export of the transformer layers, run in onnxruntime: encoder layers (post-
 * and pre-norm, relu and gelu, batch first or not), a stack with a final norm, and the
 * positional embeddings, at the sample batch size and another (and, with dynamicSequence,
 * at other sequence lengths); the batch and sequence axes are named where they are.
 */
import { describe, expect, it } from 'vitest';
import { decodeModelProto, exportOnnx } from '../../src/io/onnx/index.js';
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
import { expectNoUnusedInitializers, floatTensor, REL_TOL, relError, runOrt } from './export-helpers.js';

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
      // The batch is symbolic on its own axis: dimension 0 batch first, 1 sequence first.
      const bytes = exportOnnx(model, { sampleInput: input(shape, 2, 1) });
      expectNoUnusedInitializers(bytes, name);
      const declared = decodeModelProto(bytes).graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
      expect(declared).toEqual(shape.map((d) => (d === 0 ? 'batch' : d)));
      model.eval();
      for (const batch of [2, 5]) {
        const x = input(shape, batch, 1);
        const want = noGrad(() => model.forward(x));
        const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), x.shape) });
        expect(output!.dims).toEqual(want.shape);
        expect(relError(output!.data as Float32Array, want.dataSync()), `${name} batch ${batch}`).toBeLessThanOrEqual(REL_TOL);
      }
    });
  }
});

describe('ONNX export of transformer layers with dynamicSequence', () => {
  const stack = (batchFirst: boolean) => new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst, generator: g }), 2);
  const DYNAMIC: [string, () => Module, number[], (n: number, t: number) => number[], (string | number)[]][] = [
    // The positional tables are sliced to the runtime length (Shape of the input).
    [
      'positions and a stack, batch first',
      () => new Sequential(new Linear(3, 8, { generator: g }), new PositionalEmbedding(10, 8, { generator: g }), new SinusoidalPositionalEncoding(8, 10), stack(true)),
      [2, 7, 3],
      (n, t) => [n, t, 3],
      ['batch', 'seq_len', 3],
    ],
    ['a stack, sequence first', () => stack(false), [7, 2, 8], (n, t) => [t, n, 8], ['seq_len', 'batch', 8]],
  ];
  for (const [name, make, sample, shapeOf, dims] of DYNAMIC) {
    it(`${name}: runs at other batch sizes and lengths`, async () => {
      const model = make();
      const bytes = exportOnnx(model, { sampleInput: randn(sample, { generator: new Generator(3) }), dynamicSequence: true });
      expectNoUnusedInitializers(bytes, name);
      const graph = decodeModelProto(bytes).graph!;
      const named = (i: 'input' | 'output') => graph[i]![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
      expect(named('input')).toEqual(dims);
      expect(named('output')).toEqual(dims.map((d) => (d === 3 ? 8 : d)));
      model.eval();
      for (const [n, t] of [[2, 7], [5, 4], [1, 10]] as const) {
        const x = randn(shapeOf(n, t), { generator: new Generator(n + t) });
        const want = noGrad(() => model.forward(x));
        const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), x.shape) });
        expect(output!.dims).toEqual(want.shape);
        expect(relError(output!.data as Float32Array, want.dataSync()), `${name} ${n}x${t}`).toBeLessThanOrEqual(REL_TOL);
      }
    });
  }
});
