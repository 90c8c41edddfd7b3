/**
 * `cortex export` of sequence models saved from the API: the sample input is laid out as
 * the model reads it (a time-major LSTM takes `[seq, batch, features]`, a sequence-first
 * transformer encoder too), on the example shape the file records or, with
 * `--dynamic-sequence`, on a symbolic `seq_len`. Each exported file declares those input
 * dimensions, has no initializer that no node reads, and runs in onnxruntime within 1e-5
 * (relative to the largest output) of Cortex at other batch sizes (and lengths).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, Linear, LSTM, type Module, noGrad, RecurrentOutput, randn, Sequential, TransformerEncoder, TransformerEncoderLayer } from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { decodeModelProto } from '../../src/io/onnx/index.js';
import { expectNoUnusedInitializers, floatTensor, REL_TOL, relError, runOrt } from '../onnx/export-helpers.js';
import { cli, cliJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-export-seq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

/** A time-major LSTM classifier: `[seq, batch, 3]` in, `[batch, 2]` out. */
const timeMajorLstm = () => new Sequential(new RecurrentOutput(new LSTM(3, 4, { generator: new Generator(1) })), new Linear(4, 2, { generator: new Generator(2) }));

type Dims = (number | string)[];

/** Exports `file` with `args`, checks the listed and declared input dims, and compares onnxruntime with Cortex on inputs of `shapes`. */
async function exportAndRun(model: Module, file: string, args: string[], dims: Dims, shapes: number[][]): Promise<void> {
  const { run, json } = await cliJson<{ out: string; inputs: { name: string; shape: Dims }[] }>(['export', p(file), ...args]);
  expect(run.code, run.stderr).toBe(0);
  expect(json.inputs).toEqual([{ name: 'input', type: 'float', shape: dims }]);
  const bytes = new Uint8Array(readFileSync(json.out));
  const declared = decodeModelProto(bytes).graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
  expect(declared).toEqual(dims);
  expectNoUnusedInitializers(bytes, file);
  model.eval();
  for (const [i, shape] of shapes.entries()) {
    const x = randn(shape, { generator: new Generator(10 + i) });
    const want = noGrad(() => model.forward(x));
    const { output } = await runOrt(bytes, { input: floatTensor(x.dataSync(), shape) });
    expect(output!.dims).toEqual(want.shape);
    expect(relError(output!.data as Float32Array, want.dataSync()), `${file} ${shape.join('x')}`).toBeLessThanOrEqual(REL_TOL);
  }
}

describe('cortex export of sequence models', () => {
  it('a time-major LSTM takes [seq, batch, features] at its recorded length', async () => {
    const model = timeMajorLstm();
    await save(model, p('lstm-tm.cortex'), { training: { inputShape: [5, 3] } });
    await exportAndRun(model, 'lstm-tm.cortex', [], [5, 'batch', 3], [[5, 1, 3], [5, 4, 3]]);
  });

  it('with --dynamic-sequence it takes any length, also when the file records none', async () => {
    const model = timeMajorLstm();
    await save(model, p('lstm-any.cortex'));
    const refused = await cli(['export', p('lstm-any.cortex')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/time-major sequence model .*records no example shape.*--dynamic-sequence/);
    expect(existsSync(p('lstm-any.onnx'))).toBe(false);
    await exportAndRun(model, 'lstm-any.cortex', ['--dynamic-sequence'], ['seq_len', 'batch', 3], [[5, 2, 3], [9, 3, 3], [1, 1, 3]]);
  });

  it('a sequence-first transformer encoder takes [seq, batch, dModel]', async () => {
    const model = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, generator: new Generator(3) }), 1);
    await save(model, p('encoder.cortex'), { training: { inputShape: [6, 8] } });
    await exportAndRun(model, 'encoder.cortex', ['-o', p('encoder-any.onnx'), '--dynamic-sequence'], ['seq_len', 'batch', 8], [[6, 2, 8], [3, 5, 8]]);
  });

  it('refuses --dynamic-sequence for a model that reads no sequence (exit 1), writing nothing', async () => {
    await save(new Sequential(new Linear(3, 2, { generator: new Generator(4) })), p('mlp.cortex'));
    const run = await cli(['export', p('mlp.cortex'), '--dynamic-sequence']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--dynamic-sequence: .*does not read sequences/);
    expect(existsSync(p('mlp.onnx'))).toBe(false);
  });
});
