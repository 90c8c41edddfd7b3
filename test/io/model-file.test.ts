import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { ModelFormatError } from '../../src/errors.js';
import { deserializeModel, encodeSigned, modelFromBlob, modelToBlob, serializeModel } from '../../src/io/model-file.js';
import { load, save } from '../../src/io/node/files.js';
import { registerLayer } from '../../src/io/registry.js';
import { decodeSafetensors, encodeSafetensors, type TensorRecord } from '../../src/io/safetensors.js';
import { FORMAT_VERSION } from '../../src/io/version.js';
import {
  BatchNorm1d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from '../../src/nn/index.js';
import { randn } from '../../src/ops/index.js';
import { Generator, getDefaultGenerator } from '../../src/tensor/random.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bigModel(): Sequential {
  const g = new Generator(3);
  const bn = new BatchNorm1d(8, { momentum: 0.2 });
  const model = new Sequential(
    new Flatten(),
    new Linear(6, 8, { generator: g }),
    bn,
    new LeakyReLU(0.2),
    new LayerNorm(8, { eps: 1e-3 }),
    new ELU(0.5),
    new Dropout(0.25),
    new Linear(8, 8, { bias: false, generator: g }),
    new Sequential(new Tanh(), new GELU(), new Softplus(), new Sigmoid(), new ReLU(), new Identity()),
    new Linear(8, 3, { generator: g }),
    new LogSoftmax(-1),
  );
  // Give BatchNorm running statistics and a batch count.
  model.train();
  model.forward(randn([16, 2, 3], { generator: g }));
  expect(bn.numBatchesTracked!.dataSync()[0]).toBe(1);
  return model;
}

function sameOutputs(a: Module, b: Module, x: Tensor): void {
  a.eval();
  b.eval();
  expect(Array.from(b.forward(x).dataSync())).toEqual(Array.from(a.forward(x).dataSync()));
}

/** Runs `fn`, expects a ModelFormatError whose message matches. */
function expectFormatError(fn: () => unknown, text: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFormatError);
  expect((caught as Error).message).toMatch(text);
}

/** Rewrites the Cortex JSON document inside a model file (a "hand edit"). */
function editDocument(bytes: Uint8Array, fn: (doc: Record<string, unknown>) => void): Uint8Array {
  const f = decodeSafetensors(bytes);
  const doc = JSON.parse(f.metadata.cortex!);
  fn(doc);
  return encodeSigned(f.tensors, { ...f.metadata, cortex: JSON.stringify(doc) });
}


describe('model files', () => {
  it('round-trips every built-in layer with bit-identical outputs', () => {
    const model = bigModel();
    const bytes = serializeModel(model, { metrics: { accuracy: 0.5 }, training: { seed: 3, epochs: 1 } });
    const saved = deserializeModel(bytes);
    expect(saved.model.toString()).toBe(model.toString());
    expect(saved.model.training).toBe(false);
    expect(saved.metrics).toEqual({ accuracy: 0.5 });
    expect(saved.training).toEqual({ seed: 3, epochs: 1 });
    expect(saved.formatVersion).toBe(FORMAT_VERSION);
    expect(saved.library.name).toBe('cortex-nn');
    sameOutputs(model, saved.model, randn([5, 2, 3], { generator: new Generator(9) }));
    const sd = saved.model.stateDict();
    expect(Array.from(sd['2.numBatchesTracked']!.dataSync())).toEqual([1]);
    expect(Array.from(sd['2.runningVar']!.dataSync())).toEqual(Array.from(model.stateDict()['2.runningVar']!.dataSync()));
  });

  it('stores weights as plain safetensors with state-dict names', () => {
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const f = decodeSafetensors(serializeModel(model));
    expect([...f.tensors.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(f.tensors.get('0.weight')!.dtype).toBe('F32');
    expect(f.tensors.get('0.weight')!.shape).toEqual([3, 2]);
    expect(Array.from(f.tensors.get('2.bias')!.data)).toEqual(Array.from(model.stateDict()['2.bias']!.dataSync()));
  });

  it('handles Embedding models and does not touch the global generator when loading', () => {
    const model = new Sequential(new Embedding(10, 4), new Flatten(), new Linear(8, 2), new Softmax(1));
    const bytes = serializeModel(model);
    const before = getDefaultGenerator().getState();
    const again = deserializeModel(bytes).model;
    expect(getDefaultGenerator().getState()).toEqual(before);
    sameOutputs(model, again, new Tensor(Int32Array.from([1, 2, 9, 0]), [2, 2]));
  });

  it('saves and loads through files, and through Blobs', async () => {
    const model = bigModel();
    const path = join(dir, 'm.cortex');
    await save(model, path, { schema: { task: 'regression', features: [{ name: 'a', type: 'numeric' }], target: { name: 'y', type: 'numeric' } } });
    const saved = await load(path);
    expect(saved.schema?.target.name).toBe('y');
    sameOutputs(model, saved.model, randn([3, 6], { generator: new Generator(1) }));
    const blob = modelToBlob(model);
    sameOutputs(model, (await modelFromBlob(blob)).model, randn([3, 6], { generator: new Generator(2) }));
  });

  it('refuses to save non-finite weights or unregistered layers', () => {
    const model = new Sequential(new Linear(2, 2));
    (model.at(0) as Linear).weight.dataSync()[3] = Number.NaN;
    expectFormatError(() => serializeModel(model), /cannot save the model: tensor '0.weight' holds a non-finite value \(NaN\) at flat index 3/);
    class Mystery extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expectFormatError(() => serializeModel(new Sequential(new ReLU(), new Mystery())), /layer '1' \(Mystery\): its class is not in the layer registry/);
  });

  it('loads registered custom layers by name', () => {
    class Scale extends Module {
      constructor(readonly k: number) {
        super();
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.k);
      }
    }
    registerLayer('Scale', { cls: Scale, config: (m) => ({ k: m.k }), create: (c) => new Scale(c.num('k')) });
    const back = deserializeModel(serializeModel(new Sequential(new Scale(2.5)))).model;
    expect((back as Sequential).at(0)).toBeInstanceOf(Scale);
    expect(((back as Sequential).at(0) as Scale).k).toBe(2.5);
  });
});

describe('loading validates everything', () => {
  const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
  const good = serializeModel(model);

  it('a truncated file', () => {
    expectFormatError(() => deserializeModel(good.subarray(0, good.length - 10), 'm.cortex'), /^m\.cortex: the file is truncated/);
    expectFormatError(() => deserializeModel(good.subarray(0, 100), 'm.cortex'), /^m\.cortex: the file is truncated: the header needs/);
    expectFormatError(() => deserializeModel(new Uint8Array(0), 'm.cortex'), /0 bytes long/);
  });

  it('a corrupted weight byte (checksum)', () => {
    const bad = good.slice();
    bad[bad.length - 5]! ^= 0x10;
    expectFormatError(() => deserializeModel(bad, 'm.cortex'), /the file is corrupted: its CRC-32 is [0-9a-f]{8} but the header records [0-9a-f]{8} \(the checksum covers/);
  });

  it('a wrong or future format version', () => {
    const future = editDocument(good, (d) => (d.formatVersion = FORMAT_VERSION + 1));
    expectFormatError(() => deserializeModel(future, 'm'), new RegExp(`format version ${FORMAT_VERSION + 1} .*reads version ${FORMAT_VERSION}; upgrade cortex-nn`));
    const old = editDocument(good, (d) => (d.formatVersion = 0));
    expectFormatError(() => deserializeModel(old, 'm'), /format version 0, which this Cortex .* does not read/);
    const missing = editDocument(good, (d) => delete d.formatVersion);
    expectFormatError(() => deserializeModel(missing, 'm'), /format version undefined is not an integer/);
  });

  it('a hand-edited architecture: unknown layer type, changed size, bad config', () => {
    type Arch = { children: { type: string; config: Record<string, unknown> }[] };
    const unknown = editDocument(good, (d) => ((d.architecture as Arch).children[1]!.type = 'Exec'));
    expectFormatError(() => deserializeModel(unknown, 'm'), /architecture layer '1' has unknown layer type 'Exec'; the known types are .*Linear/);
    const wider = editDocument(good, (d) => ((d.architecture as Arch).children[2]!.config.outFeatures = 5));
    expectFormatError(() => deserializeModel(wider, 'm'), /weight '2.weight' has shape \[2, 3\] but the architecture needs \[5, 3\]; weight '2.bias' has shape \[2\] but the architecture needs \[5\]/);
    const neg = editDocument(good, (d) => ((d.architecture as Arch).children[0]!.config.inFeatures = -4));
    expectFormatError(() => deserializeModel(neg, 'm'), /layer '0' \(Linear\): config field 'inFeatures' must be an integer >= 1, got -4/);
    const code = editDocument(good, (d) => ((d.architecture as Arch).children[0]!.config.inFeatures = 'process.exit(1)'));
    expectFormatError(() => deserializeModel(code, 'm'), /config field 'inFeatures' must be an integer >= 1, got "process.exit\(1\)"/);
    const nobias = editDocument(good, (d) => ((d.architecture as Arch).children[0]!.config.bias = false));
    expectFormatError(() => deserializeModel(nobias, 'm'), /tensor '0.bias' does not belong to any layer/);
  });

  it('hand-edited tensors: missing weight, wrong shape, non-finite value', () => {
    const f = decodeSafetensors(good);
    const without = new Map(f.tensors);
    without.delete('0.bias');
    const meta = (tensors: Map<string, TensorRecord>) => encodeSigned(tensors, f.metadata);
    expectFormatError(() => deserializeModel(meta(without), 'm'), /weight '0.bias' \(shape \[3\]\) is missing/);
    const reshaped = new Map(f.tensors);
    reshaped.set('0.weight', { dtype: 'F32', data: new Float32Array(12), shape: [4, 3] });
    expectFormatError(() => deserializeModel(meta(reshaped), 'm'), /weight '0.weight' has shape \[4, 3\] but the architecture needs \[3, 4\]/);
    const inf = new Map(f.tensors);
    const w = Float32Array.from(f.tensors.get('2.weight')!.data);
    w[4] = Number.POSITIVE_INFINITY;
    inf.set('2.weight', { dtype: 'F32', data: w, shape: [2, 3] });
    expectFormatError(() => deserializeModel(meta(inf), 'm'), /tensor '2.weight' holds a non-finite value \(Infinity\) at flat index 4/);
  });

  it('a safetensors file without Cortex metadata, and a file that is not a model at all', async () => {
    const plain = encodeSafetensors([['w', { data: new Float32Array(2), shape: [2] }]]);
    expectFormatError(() => deserializeModel(plain, 'x.safetensors'), /not a Cortex model/);
    const path = join(dir, 'notes.cortex');
    writeFileSync(path, 'just some text, not a model\n');
    await expect(load(path)).rejects.toThrow(/notes\.cortex: the header length field .* is not plausible/);
    await expect(load(join(dir, 'nope.cortex'))).rejects.toThrow(/nope\.cortex: cannot open the model file: the file does not exist/);
    expect(readFileSync(path, 'utf8')).toContain('just some text');
  });
});
