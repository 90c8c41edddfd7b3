import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSigned } from '../../src/io/model-file.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { cli, cliJson, irisCsv, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-err-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'iris.cortex');
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  const run = await cli(['train', irisCsv, '--target', 'species', '--epochs', '10', '--out', model]);
  expect(run.code, run.stderr).toBe(0);
});

/** One clear line on stderr, no stack trace. */
function oneLineError(run: Run, code: number, text: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n').filter((l) => l.startsWith('cortex: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack frames
}

describe('bad input gets the right exit code and a one-line message', () => {
  it('a missing data file (2)', async () => {
    oneLineError(await cli(['train', p('nope.csv'), '--target', 'y']), 2, /nope\.csv: the file does not exist/);
    oneLineError(await cli(['predict', model, p('nope.csv')]), 2, /nope\.csv: the file does not exist/);
  });

  it('a wrong target name (2), listing the real columns', async () => {
    oneLineError(
      await cli(['train', irisCsv, '--target', 'specie']),
      2,
      /iris\.csv, row 1, column "specie": there is no target column "specie"; the columns are: sepal_length, sepal_width, petal_length, petal_width, species/,
    );
  });

  it('a malformed CSV (2), naming the row and the column', async () => {
    writeFileSync(p('short.csv'), 'a,b,c\n1,2,x\n3,4\n5,6,y\n');
    oneLineError(await cli(['train', p('short.csv'), '--target', 'c']), 2, /short\.csv, row 3, column "c": the row has 2 fields but the header has 3/);
    writeFileSync(p('text.csv'), 'a,b,c\n1,2,x\n3,oops,y\n5,6,x\n7,8,y\n');
    oneLineError(await cli(['train', p('text.csv'), '--target', 'c']), 2, /text\.csv, row 3, column "b": value "oops" is not a number/);
    writeFileSync(p('quote.csv'), 'a,b,c\n1,2,"x\n3,4,y\n');
    oneLineError(await cli(['train', p('quote.csv'), '--target', 'c']), 2, /quote\.csv, row \d+(, column "[^"]+")?: the CSV cannot be parsed.*pass the file's --delimiter/);
    writeFileSync(p('missing.csv'), 'a,b,c\n1,2,x\n3,,y\n5,6,x\n7,8,y\n');
    oneLineError(await cli(['train', p('missing.csv'), '--target', 'c', '--val-split', '0', '--impute', 'error']), 2, /missing\.csv, row 3, column "b": the value is missing \(--impute error\)\. .*--impute mean/);
  });

  it('a corrupt model (2): flipped weight byte, garbage, wrong version', async () => {
    const bytes = readFileSync(model);
    bytes[bytes.length - 7]! ^= 0x01;
    writeFileSync(p('flipped.cortex'), bytes);
    oneLineError(await cli(['info', p('flipped.cortex')]), 2, /flipped\.cortex: the file is corrupted: its CRC-32 is/);
    oneLineError(await cli(['predict', p('flipped.cortex'), irisCsv]), 2, /the file is corrupted/);
    writeFileSync(p('garbage.cortex'), 'hello, I am not a model');
    oneLineError(await cli(['evaluate', p('garbage.cortex'), irisCsv]), 2, /garbage\.cortex: the header length field .* is not plausible/);
    const text = readFileSync(model).toString('latin1').replace('\\"formatVersion\\":2', '\\"formatVersion\\":9');
    writeFileSync(p('future.cortex'), Buffer.from(text, 'latin1'));
    oneLineError(await cli(['info', p('future.cortex')]), 2, /future\.cortex: the file has format version 9 .* upgrade cortex-nn/);
    oneLineError(await cli(['info', p('absent.cortex')]), 2, /absent\.cortex: cannot open the model file: the file does not exist/);
  });

  it('a hand-edited model whose preprocessing or schema no longer fits the network (2)', async () => {
    const edit = (name: string, fn: (doc: { preprocessing: { pipeline: { numeric: string[]; scaler: { mean: number[]; scale: number[] } } }; schema: { target: { classes: string[] } } }) => void) => {
      const f = decodeSafetensors(new Uint8Array(readFileSync(model)));
      const doc = JSON.parse(f.metadata.cortex!);
      fn(doc);
      // Re-signed, as a careful hand edit would be (an unsigned edit fails the checksum).
      writeFileSync(p(name), encodeSigned(f.tensors, { ...f.metadata, cortex: JSON.stringify(doc) }));
      return p(name);
    };
    const narrower = edit('narrow.cortex', (d) => {
      const pl = d.preprocessing.pipeline;
      pl.numeric.pop();
      pl.scaler.mean.pop();
      pl.scaler.scale.pop();
    });
    oneLineError(await cli(['predict', narrower, irisCsv]), 2, /narrow\.cortex: the preprocessing produces 3 features but the model's first layer takes 4/);
    const renamed = edit('classes.cortex', (d) => {
      d.schema.target.classes = ['a', 'b', 'c', 'd'];
    });
    oneLineError(await cli(['evaluate', renamed, irisCsv]), 2, /classes\.cortex: the model has 3 outputs but the schema needs 4/);
  });

  it('a truncated model (2)', async () => {
    writeFileSync(p('cut.cortex'), readFileSync(model).subarray(0, 4000));
    oneLineError(await cli(['predict', p('cut.cortex'), irisCsv]), 2, /cut\.cortex: the file is truncated/);
  });

  it('a CSV whose columns do not match the model (2), naming all missing columns', async () => {
    writeFileSync(p('other.csv'), 'sepal_length,petal_length,colour\n1,2,red\n');
    oneLineError(
      await cli(['predict', model, p('other.csv')]),
      2,
      /other\.csv, row 1, column "sepal_width": the model needs the input columns sepal_width, petal_width, which are not in the header \(the file has: sepal_length, petal_length, colour\)/,
    );
    oneLineError(await cli(['evaluate', model, p('other.csv')]), 2, /the model needs the columns sepal_width, petal_width, species/);
    writeFileSync(p('badtype.csv'), 'sepal_length,sepal_width,petal_length,petal_width\n1,2,big,4\n');
    oneLineError(await cli(['predict', model, p('badtype.csv')]), 2, /badtype\.csv, row 2, column "petal_length": value "big" is not a number/);
  });

  it('usage errors (1): unknown command, missing option, bad values', async () => {
    oneLineError(await cli(['frobnicate']), 1, /unknown command 'frobnicate'/);
    oneLineError(await cli(['train', irisCsv]), 1, /required option '--target <column>' not specified/);
    oneLineError(await cli(['train', irisCsv, '--target', 'species', '--epochs', 'ten']), 1, /--epochs must be a positive integer, got "ten"/);
    oneLineError(await cli(['train', irisCsv, '--target', 'species', '--layers', '64,x']), 1, /--layers \(each size\) must be a positive integer, got "x"/);
    oneLineError(await cli(['train', irisCsv, '--target', 'species', '--optimizer', 'lbfgs']), 1, /--optimizer.*lbfgs.*Allowed choices are adam, sgd, adamw, rmsprop, adagrad/);
    oneLineError(await cli(['train', irisCsv, '--target', 'species', '--val-split', '1.5']), 1, /--val-split must be a fraction in \[0, 1\)/);
    oneLineError(await cli(['demo', 'mnist']), 1, /unknown demo "mnist"/);
  });

  it('divergence (3), and no model file is written', async () => {
    const out = p('diverged.cortex');
    const run = await cli(['train', irisCsv, '--target', 'species', '--optimizer', 'sgd', '--lr', '1e6', '--out', out]);
    oneLineError(run, 3, /training diverged at epoch 1, batch \d+: the loss is (NaN|Infinity)\. Try a lower --lr \(it is 1000000\) or --clip-grad-norm 1/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('an output folder that does not exist (2)', async () => {
    oneLineError(await cli(['predict', model, irisCsv, '--out', p('no/such/preds.csv')]), 2, /cannot write .*no\/such\/preds\.csv: the folder .*no\/such does not exist/);
  });

  it('--verbose adds the stack trace', async () => {
    const run = await cli(['train', p('nope.csv'), '--target', 'y', '--verbose']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('--json reports errors as JSON on stdout, with the location', async () => {
    const { run, json } = await cliJson<{ ok: boolean; error: { type: string; file: string; row: number; column: string; exitCode: number } }>([
      'train',
      irisCsv,
      '--target',
      'specie',
    ]);
    expect(run.code).toBe(2);
    expect(json.ok).toBe(false);
    expect(json.error).toMatchObject({ type: 'DataError', row: 1, column: 'specie', exitCode: 2 });
    expect(json.error.file).toBe(irisCsv);
    const usage = await cliJson<{ error: { type: string; exitCode: number } }>(['train', irisCsv]);
    expect(usage.run.code).toBe(1);
    expect(usage.json.error).toMatchObject({ type: 'UsageError', exitCode: 1 });
  });

  it('a copied model still loads (sanity check for the corruption tests)', async () => {
    copyFileSync(model, p('copy.cortex'));
    expect((await cli(['info', p('copy.cortex')])).code).toBe(0);
  });
});
