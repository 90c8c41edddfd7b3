// Model files from strangers: every corruption, hand edit or allocation bomb must end in a
// ModelFormatError (exit 2 from the CLI), or load a model whose predictions are finite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicable } from '../../src/cli/model-data.js';
import { crc32 } from '../../src/io/checksum.js';
import { ArgumentError, ModelFormatError } from '../../src/errors.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { decodeModelFile, deserializeModel, encodeSigned } from '../../src/io/model-file.js';
import { registerLayer } from '../../src/io/registry.js';
import { Identity } from '../../src/nn/index.js';
import { decodeSafetensors, encodeSafetensors, type TensorRecord } from '../../src/io/safetensors.js';
import { Generator } from '../../src/tensor/random.js';
import { cli, irisCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modelPath = join(dir, 'iris.cortex');
let good: Uint8Array;

beforeAll(async () => {
  const run = await cli(['train', irisCsv, '--target', 'species', '--epochs', '3', '--layers', '8', '--out', modelPath]);
  expect(run.code).toBe(0);
  good = new Uint8Array(readFileSync(modelPath));
}, 120_000);

type Doc = Record<string, unknown> & { architecture: { children: { type: string; config: Record<string, unknown> }[] } };


/** Applies `fn` to the model document and re-signs the file. */
function edit(fn: (doc: Doc) => void, tensors?: (t: Map<string, TensorRecord>) => void): Uint8Array {
  const f = decodeSafetensors(good);
  const doc = JSON.parse(f.metadata.cortex!) as Doc;
  fn(doc);
  const t = new Map<string, TensorRecord>(f.tensors);
  tensors?.(t);
  return encodeSigned(t, { ...f.metadata, cortex: JSON.stringify(doc) });
}

/** Loads as `cortex predict` does: the file, then its schema, preprocessing and a probe run. */
function loadForCli(bytes: Uint8Array): void {
  applicable(deserializeModel(bytes, 'm.cortex'), 'm.cortex');
}

function formatError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a ModelFormatError matching ${message}`).toBeInstanceOf(ModelFormatError);
  expect((caught as Error).message).toMatch(message);
}

describe('hostile model files', () => {
  it('the unedited file loads, and a version-1 file (data-only checksum) still does', () => {
    loadForCli(good);
    const f = decodeSafetensors(good);
    const doc = JSON.parse(f.metadata.cortex!) as Doc;
    expect(doc.formatVersion).toBe(2);
    doc.formatVersion = 1;
    const probe = encodeSafetensors([...f.tensors], {});
    const n = new DataView(probe.buffer).getUint32(0, true);
    const { crc32: _c, ...rest } = f.metadata;
    const v1 = encodeSafetensors([...f.tensors], { ...rest, cortex: JSON.stringify(doc), crc32: crc32(probe.subarray(8 + n)) });
    expect(deserializeModel(v1).formatVersion).toBe(1);
  });

  it('the checksum covers the header: a swapped activation, scaler value or column order is caught', () => {
    const f = decodeSafetensors(good);
    const flip = (from: string, to: string): Uint8Array => {
      const cortex = f.metadata.cortex!;
      expect(cortex).toContain(from);
      return encodeSafetensors([...f.tensors], { ...f.metadata, cortex: cortex.replace(from, to) });
    };
    formatError(() => deserializeModel(flip('"ReLU"', '"Tanh"'), 'm'), /the file is corrupted: its CRC-32 is [0-9a-f]{8} but the header records/);
    formatError(() => deserializeModel(flip('"species"', '"speciez"'), 'm'), /corrupted/);
    // One flipped bit in the tensor table (an offset) is caught as well.
    const bytes = good.slice();
    const at = Buffer.from(bytes).indexOf('"data_offsets":[0,');
    bytes[at + 20]! ^= 1; // the last digit of that tensor's end offset (128 -> 129): still a digit
    formatError(() => deserializeModel(bytes, 'm'), /corrupted|covers \d+ bytes|overlaps|gap/);
  });

  it('duplicate JSON keys are refused, in the header and in the model document', () => {
    const f = decodeSafetensors(good);
    const doc = f.metadata.cortex!;
    const twice = doc.replace('"kind":"model"', '"kind":"model","kind":"checkpoint"');
    formatError(() => deserializeModel(encodeSigned([...f.tensors], { ...f.metadata, cortex: twice }), 'm'), /names 'kind' twice/);
    const n = new DataView(good.buffer, good.byteOffset).getUint32(0, true);
    const header = Buffer.from(good.subarray(8, 8 + n)).toString('utf8').trimEnd();
    const entry = /"0\.bias":\{[^}]*\}/.exec(header)![0];
    const doubled = `{${entry},${header.slice(1)}`;
    const padded = doubled + ' '.repeat((8 - ((8 + Buffer.byteLength(doubled)) % 8)) % 8);
    const out = Buffer.concat([Buffer.alloc(8), Buffer.from(padded, 'utf8'), Buffer.from(good.subarray(8 + n))]);
    out.writeUInt32LE(Buffer.byteLength(padded), 0);
    formatError(() => deserializeModel(new Uint8Array(out), 'm'), /names '0\.bias' twice/);
  });

  it('allocation bombs are refused before any layer is built', () => {
    // A layer that records being built, placed just before the bomb: building in order would
    // reach it before the bomb, so it stays unbuilt only if the sizes are checked first.
    let built = 0;
    class BuildProbe extends Identity {}
    registerLayer('BuildProbe', {
      cls: BuildProbe,
      config: () => ({}),
      create: () => {
        built++;
        return new BuildProbe();
      },
      tensors: () => [],
    });
    for (const [layer, config] of [
      ['Linear', { inFeatures: 20000, outFeatures: 20000, bias: true }],
      ['Embedding', { numEmbeddings: 100_000_000, embeddingDim: 10 }],
      ['LayerNorm', { normalizedShape: [100000, 100000], eps: 1e-5, elementwiseAffine: true }],
      ['BatchNorm1d', { numFeatures: 1e9, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true }],
    ] as const) {
      const bomb = edit((d) => {
        d.architecture.children.push({ type: 'BuildProbe', config: {} }, { type: layer, config: { ...config } });
      });
      formatError(() => deserializeModel(bomb, 'm'), /is missing/);
      expect(built).toBe(0);
    }
    // The probe itself builds when the file is sound.
    deserializeModel(edit((d) => d.architecture.children.push({ type: 'BuildProbe', config: {} })), 'm');
    expect(built).toBe(1);
  });

  it('deep nesting is a ModelFormatError, not a stack overflow', () => {
    // Built as text: JSON.stringify itself recurses and could not write it.
    const f = decodeSafetensors(good);
    const doc = JSON.parse(f.metadata.cortex!) as Doc;
    doc.architecture.children.push({ type: 'DEEP', config: {} });
    const nested = `${'{"type":"Sequential","config":{},"children":['.repeat(5000)}{"type":"ReLU","config":{}}${']}'.repeat(5000)}`;
    const cortex = JSON.stringify(doc).replace('{"type":"DEEP","config":{}}', nested);
    const deep = encodeSigned([...f.tensors], { ...f.metadata, cortex });
    formatError(() => deserializeModel(deep, 'm'), /nested more than 64 containers deep/);
  });

  it('layer settings no trained model has are refused when the file is read', () => {
    const at = (i: number, type: string, config: Record<string, unknown>) =>
      edit((d) => {
        d.architecture.children[i] = { type, config };
      });
    formatError(() => loadForCli(at(1, 'LeakyReLU', { negativeSlope: 1e308 })), /'negativeSlope' must be a finite number from -1000 to 1000, got 1e\+308/);
    formatError(() => loadForCli(at(1, 'Softmax', { dim: 99 })), /'dim' must be an integer from -16 to 15, got 99/);
    formatError(() => loadForCli(at(1, 'Softmax', { dim: 5 })), /does not run on 4 input features/);
    formatError(() => loadForCli(at(1, 'Flatten', { startDim: 5, endDim: 9 })), /does not run on 4 input features/);
    formatError(() => loadForCli(at(1, 'Flatten', { startDim: 3, endDim: 1 })), /startDim 3 comes after endDim 1/);
    formatError(() => loadForCli(at(1, 'Dropout', { p: 7 })), /'p' must be a finite number from 0 to 1/);
    const huge = edit(
      () => {},
      (t) => {
        const w = Float32Array.from(t.get('0.weight')!.data).fill(3.4e38);
        t.set('0.weight', { data: w, shape: t.get('0.weight')!.shape });
      },
    );
    formatError(() => loadForCli(huge), /non-finite output \((-?Infinity|NaN)\) for an ordinary input row/);
  });

  it('a fitted scaler that would divide by zero, or has no columns, is refused', () => {
    const scaled = (fn: (s: Record<string, unknown>) => void) =>
      edit((d) => {
        const pipe = (d.preprocessing as { pipeline: { scaler: Record<string, unknown> } }).pipeline;
        fn(pipe.scaler);
      });
    formatError(() => loadForCli(scaled((s) => ((s.scale as number[])[0] = 0))), /scale\[0\] must be a number >= 1e-12, got 0/);
    formatError(() => loadForCli(scaled((s) => ((s.scale as number[])[2] = 1e-300))), /scale\[2\] must be a number >= 1e-12/);
    formatError(() => loadForCli(scaled((s) => (s.mean = []))), /scale must be as many values as .*mean \(0, at least one\)/);
    expect(() => TablePipeline.fromJSON({})).toThrow(ArgumentError);
  });

  it('a corrupted schema or metrics: a typed error, and `cortex info` exits 2 or shows them', async () => {
    const badSchema = edit((d) => ((d.schema as Record<string, unknown>).features = 'sepal_length'));
    formatError(() => decodeModelFile(badSchema, 'm'), /the schema has no 'features' list/);
    const path = join(dir, 'bad-schema.cortex');
    writeFileSync(path, badSchema);
    const info = await cli(['info', path]);
    expect(info.code).toBe(2);
    expect(info.stderr).toMatch(/the schema has no 'features' list/);
    const oddMetrics = edit((d) => {
      d.metrics = { train: { rows: 'many', accuracy: 'high' }, test: { rows: 3, accuracy: 1, precision: 1, recall: 1, f1: 1, confusion: 'x' }, loss: 0.5 };
    });
    const mpath = join(dir, 'odd-metrics.cortex');
    writeFileSync(mpath, oddMetrics);
    const shown = await cli(['info', mpath]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('"rows":"many"');
    expect(shown.stdout).toContain('loss');
  }, 60_000);

  it('fuzz: 300 seeded mutants, each a ModelFormatError or a model with finite predictions', () => {
    const g = new Generator(2026);
    const f = decodeSafetensors(good);
    const base = JSON.parse(f.metadata.cortex!) as Record<string, unknown>;
    const strange: unknown[] = [0, -1, 1e308, -1e308, 3.4e38, 1e-300, 0.5, 99, 'x', '', null, true, [], {}, [1e308], [0]];
    let errors = 0;
    let loaded = 0;
    for (let trial = 0; trial < 300; trial++) {
      let bytes: Uint8Array;
      if (trial % 3 === 0) {
        // Raw corruption: a flipped bit, a truncation or a random byte anywhere.
        bytes = good.slice(0, trial % 9 === 0 ? g.nextInt(0, good.length) : good.length);
        if (bytes.length > 0) bytes[g.nextInt(0, bytes.length)]! ^= 1 << g.nextInt(0, 8);
      } else {
        // A re-signed edit of one value anywhere in the document.
        const doc = structuredClone(base);
        const paths: [Record<string, unknown> | unknown[], string | number][] = [];
        const walk = (v: unknown): void => {
          if (Array.isArray(v)) {
            v.forEach((x, i) => {
              paths.push([v, i]);
              walk(x);
            });
          } else if (v !== null && typeof v === 'object') {
            for (const [k, x] of Object.entries(v)) {
              paths.push([v as Record<string, unknown>, k]);
              walk(x);
            }
          }
        };
        walk(doc);
        const [holder, key] = paths[g.nextInt(0, paths.length)]!;
        (holder as Record<string | number, unknown>)[key] = strange[g.nextInt(0, strange.length)];
        bytes = encodeSigned([...f.tensors], { ...f.metadata, cortex: JSON.stringify(doc) });
      }
      try {
        loadForCli(bytes);
        loaded++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw new Error(`mutant ${trial} threw ${String(e)} instead of a ModelFormatError`);
        errors++;
      }
    }
    expect(errors + loaded).toBe(300);
    expect(errors).toBeGreaterThan(150);
  });
});
