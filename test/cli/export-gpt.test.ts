/**
 * `cortex export` and `cortex info` of models that take token ids, saved from the API (no
 * training here): a GPT exports with an int64 input `[batch, blockSize]` (or `[batch,
 * seq_len]` with `--dynamic-sequence`), a model whose first layer is an Embedding with the
 * length its file records; each file runs in onnxruntime within 1e-5 (relative to the
 * largest output) of Cortex. `cortex info` runs them on int32 ids and says so.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Embedding, Generator, GPT, Linear, LSTM, type Module, noGrad, RecurrentOutput, randint, Sequential, type Tensor } from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { expectNoUnusedInitializers, int64Tensor, REL_TOL, relError, runOrt } from '../onnx/export-helpers.js';
import { cli, cliJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-export-gpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

const tinyGpt = (): GPT => new GPT({ vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 }, { generator: new Generator(1) });

type Dims = (number | string)[];

/** Exports `file` with `args`, checks the listed input, and compares onnxruntime with Cortex on token ids of each shape. */
async function exportAndRun(model: Module<[Tensor], Tensor>, file: string, args: string[], dims: Dims, shapes: number[][], vocab: number): Promise<void> {
  const { run, json } = await cliJson<{ out: string; inputs: { name: string; type: string; shape: Dims }[] }>(['export', p(file), ...args]);
  expect(run.code, run.stderr).toBe(0);
  expect(json.inputs).toEqual([{ name: 'input', type: 'int64', shape: dims }]);
  const bytes = new Uint8Array(readFileSync(json.out));
  expectNoUnusedInitializers(bytes, file);
  model.eval();
  for (const [i, shape] of shapes.entries()) {
    const ids = randint(0, vocab, shape, { generator: new Generator(20 + i) });
    const want = noGrad(() => model.forward(ids));
    const { output } = await runOrt(bytes, { input: int64Tensor(ids.dataSync(), shape) });
    expect(output!.dims).toEqual(want.shape);
    expect(relError(output!.data as Float32Array, want.dataSync()), `${file} ${shape.join('x')}`).toBeLessThanOrEqual(REL_TOL);
  }
}

describe('cortex export of token-id models', () => {
  it('a GPT (as char-gpt.cortex is saved) takes int64 ids [batch, blockSize], or [batch, seq_len] with --dynamic-sequence', async () => {
    const model = tinyGpt();
    await save(model, p('gpt.cortex'), { training: { seed: 1, tokenizer: { type: 'CharTokenizer', version: 1, chars: [...'abcdefghijk'], unknownToken: null } } });
    await exportAndRun(model, 'gpt.cortex', [], ['batch', 8], [[1, 8], [3, 8]], 11);
    await exportAndRun(model, 'gpt.cortex', ['-o', p('gpt-any.onnx'), '--dynamic-sequence'], ['batch', 'seq_len'], [[2, 8], [3, 5], [1, 1]], 11);
  });

  it('a model whose first layer is an Embedding takes ids of the length its file records', async () => {
    const model = new Sequential(new Embedding(11, 4, { generator: new Generator(2) }), new RecurrentOutput(new LSTM(4, 5, { batchFirst: true, generator: new Generator(3) }), 'last'), new Linear(5, 3, { generator: new Generator(4) }));
    await save(model, p('embed.cortex'), { training: { inputShape: [6] } });
    await exportAndRun(model, 'embed.cortex', [], ['batch', 6], [[1, 6], [4, 6]], 11);
  });

  it('refuses an Embedding model whose file records no length, unless --dynamic-sequence', async () => {
    const model = new Sequential(new Embedding(11, 4, { generator: new Generator(2) }), new RecurrentOutput(new LSTM(4, 5, { batchFirst: true, generator: new Generator(3) }), 'last'));
    await save(model, p('embed-any.cortex'));
    const refused = await cli(['export', p('embed-any.cortex')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/takes token ids .*records no example length.*--dynamic-sequence/);
    expect(existsSync(p('embed-any.onnx'))).toBe(false);
    await exportAndRun(model, 'embed-any.cortex', ['--dynamic-sequence'], ['batch', 'seq_len'], [[2, 3], [1, 7]], 11);
  });
});

describe('cortex info of a GPT', () => {
  it('names the input as int32 token ids and runs the summary on [1, blockSize]', async () => {
    await save(tinyGpt(), p('gpt-info.cortex'), { training: { tokenizer: { type: 'CharTokenizer', version: 1, chars: [...'abcdefghijk'], unknownToken: null } } });
    const run = await cli(['info', p('gpt-info.cortex')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('int32 token ids [batch, seq], seq ≤ 8 (the block size)');
    expect(run.stdout).toMatch(/transformer\.ln_f \(LayerNorm\)\s+\[1, 8, 16\]/);
    expect(run.stdout).toMatch(/tokenizer\s+CharTokenizer, 11 characters/);
    const { json } = await cliJson<{ inputWidth: number | null; input: unknown }>(['info', p('gpt-info.cortex')]);
    expect(json.inputWidth).toBeNull();
    expect(json.input).toEqual({ shape: [1, 8], dtype: 'int32', tokenIds: true });
  });
});
