/**
 * ONNX export of the GPT language model (`GPT`, and its parts on their own): small random
 * GPTs, with and without biases, run in onnxruntime and through `importOnnx` within 1e-5
 * (relative to the largest logit, see export-helpers.ts) of Cortex's logits, at the
 * sample's size, another batch size and, with `dynamicSequence`, other lengths up to the
 * block size. The token ids are an int64 input `[batch, seq]`; the head's weight is the
 * token embedding's, stored once under its state-dict name; no initializer is unused; every
 * exported file passes ONNX's full checker and declares the shapes ONNX infers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModelProto, exportOnnx, importOnnx } from '../../src/io/onnx/index.js';
import { GPT, type GPTConfig, Generator, init, noGrad, randint, randn, type Tensor } from '../../src/index.js';
import { expectInferredShapes, expectNoUnusedInitializers, floatTensor, HAS_PYTHON_ONNX, int64Tensor, REL_TOL, relError, runOrt } from './export-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-onnx-gpt-'));
const written: string[] = [];
/** Relative and absolute errors by check, printed at the end. */
const measured: Record<string, number> = {};
const absolute: Record<string, number> = {};
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  console.log('GPT export, max relative error by check:', measured);
  console.log('GPT export, max absolute error by check:', absolute);
});

const SMALL: GPTConfig = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 };

/**
 * A GPT whose parameters (LayerNorm scales and biases too) are drawn from N(0, 0.3), so
 * attention is far from uniform and a wrong mask or head split shows in the logits.
 */
function gpt(config: GPTConfig, seed: number): GPT {
  const g = new Generator(seed);
  const model = new GPT(config, { generator: g });
  for (const p of model.parameters()) init.normal(p, 0, 0.3, g);
  return model.eval();
}

function absError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
}

function keep(bytes: Uint8Array, name: string): Uint8Array {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  written.push(path);
  return bytes;
}

/** The declared dims of the graph's first input and its element type (7 = int64). */
function declaredInput(bytes: Uint8Array): { elem: number; dims: (number | string)[] } {
  const t = decodeModelProto(bytes).graph!.input![0]!.type!.tensorType!;
  return { elem: t.elemType ?? 0, dims: t.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)) };
}

/** Runs `bytes` in onnxruntime and `importOnnx(bytes)` on token ids of each shape, against Cortex's logits. */
async function compare(model: GPT, bytes: Uint8Array, shapes: number[][], what: string): Promise<void> {
  const imported = importOnnx(bytes);
  for (const [i, shape] of shapes.entries()) {
    const ids = randint(0, model.config.vocabSize, shape, { generator: new Generator(100 + i) });
    const want = noGrad(() => model.forward(ids));
    const { output } = await runOrt(bytes, { input: int64Tensor(ids.dataSync(), shape) });
    expect(output!.dims).toEqual([...shape, model.config.vocabSize]);
    const key = `${what} ${shape.join('x')}`;
    const got = output!.data as Float32Array;
    measured[`ort ${key}`] = relError(got, want.dataSync());
    absolute[`ort ${key}`] = absError(got, want.dataSync());
    expect(measured[`ort ${key}`], `onnxruntime ${key}`).toBeLessThanOrEqual(REL_TOL);
    const back: Tensor = noGrad(() => imported.forward(ids));
    expect(back.shape).toEqual(want.shape);
    measured[`import ${key}`] = relError(back.dataSync(), want.dataSync());
    absolute[`import ${key}`] = absError(back.dataSync(), want.dataSync());
    expect(measured[`import ${key}`], `importOnnx ${key}`).toBeLessThanOrEqual(REL_TOL);
  }
}

describe('exportOnnx of a GPT', () => {
  for (const bias of [false, true]) {
    const config = { ...SMALL, bias };
    const label = bias ? 'with biases' : 'without biases';

    it(`${label}: int64 ids [batch, 8] → logits [batch, 8, 11] at the sample's batch and another`, async () => {
      const model = gpt(config, bias ? 2 : 1);
      const bytes = keep(exportOnnx(model, { sampleInput: randint(0, 11, [1, 8], { generator: new Generator(5) }) }), `gpt-fixed-${bias}`);
      expect(declaredInput(bytes)).toEqual({ elem: 7, dims: ['batch', 8] });
      expectNoUnusedInitializers(bytes, label);
      await compare(model, bytes, [[1, 8], [3, 8]], `fixed ${label}`);
    });

    it(`${label}: dynamicSequence gives ids [batch, seq_len], run at shorter lengths too`, async () => {
      const model = gpt(config, bias ? 4 : 3);
      // A sample at the full block size: the tracer cannot grow it (the GPT refuses 9 tokens) and shrinks it instead.
      const bytes = keep(exportOnnx(model, { sampleInput: randint(0, 11, [2, 8], { generator: new Generator(6) }), dynamicSequence: true }), `gpt-dynamic-${bias}`);
      expect(declaredInput(bytes)).toEqual({ elem: 7, dims: ['batch', 'seq_len'] });
      const out = decodeModelProto(bytes).graph!.output![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
      expect(out).toEqual(['batch', 'seq_len', 11]);
      expectNoUnusedInitializers(bytes, label);
      await compare(model, bytes, [[2, 8], [3, 5], [1, 1]], `dynamic ${label}`);
    });
  }

  it('stores every parameter once under its state-dict name: the head reads the token embedding (weight tying)', () => {
    const model = gpt({ ...SMALL, bias: true }, 7);
    const graph = decodeModelProto(exportOnnx(model, { sampleInput: randint(0, 11, [1, 4]) })).graph!;
    const names = (graph.initializer ?? []).map((t) => t.name ?? '');
    for (const key of Object.keys(model.stateDict())) expect(names.filter((n) => n === key), key).toHaveLength(1);
    expect(names.some((n) => n.startsWith('lm_head'))).toBe(false);
    const readers = (graph.node ?? []).filter((n) => n.input?.includes('transformer.wte.weight')).map((n) => n.opType);
    expect(readers.sort()).toEqual(['Gather', 'Transpose']);
  });

  it('exports a GPT block on its own (float [batch, seq, nEmbd]), with a dynamic sequence', async () => {
    const model = gpt({ ...SMALL, nLayer: 1 }, 8);
    const block = model.transformer.h.at(0);
    const bytes = keep(exportOnnx(block, { sampleInput: randn([2, 5, 16]), dynamicSequence: true }), 'gpt-block');
    expect(declaredInput(bytes)).toEqual({ elem: 1, dims: ['batch', 'seq_len', 16] });
    expectNoUnusedInitializers(bytes, 'block');
    for (const shape of [[2, 5, 16], [1, 7, 16]]) {
      const x = randn(shape, { generator: new Generator(9) });
      const want = noGrad(() => block.forward(x) as Tensor);
      const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), shape) });
      measured[`ort block ${shape.join('x')}`] = relError(output!.data as Float32Array, want.dataSync());
      expect(measured[`ort block ${shape.join('x')}`]).toBeLessThanOrEqual(REL_TOL);
    }
  });
});

// Every value_info and output shape the exporter wrote must agree with what ONNX infers from
// the input's declared shape (symbols included; ONNX loses some symbols through Reshape and
// runtime shapes, and those dimensions are not compared), and each file passes the full checker.
describe('ONNX checker', () => {
  it.skipIf(!HAS_PYTHON_ONNX)('passes onnx.checker.check_model(full_check=True) and declares the inferred shapes', () => {
    expect(written.length).toBe(5);
    expectInferredShapes(written, { lenient: true });
  });
});
