import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { deserializeCheckpoint, restoreCheckpoint, serializeCheckpoint } from '../../src/io/checkpoint.js';
import { serializeModel } from '../../src/io/model-file.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/node/files.js';
import { crossEntropy, Dropout, Linear, type Module, ReLU, Sequential } from '../../src/nn/index.js';
import { randn, tensor } from '../../src/ops/index.js';
import { Adam, type Optimizer, ReduceLROnPlateau, SGD, StepLR } from '../../src/optim/index.js';
import type { Scheduler } from '../../src/optim/scheduler.js';
import { Generator, getDefaultGenerator, manualSeed } from '../../src/tensor/random.js';
import { SchedulerStep } from '../../src/train/callbacks.js';
import { fit } from '../../src/train/fit.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = (() => {
  const g = new Generator(11);
  const x = randn([64, 4], { generator: g });
  const labels = Array.from({ length: 64 }, (_, i) => (x.dataSync()[i * 4]! + x.dataSync()[i * 4 + 1]! > 0 ? 1 : 0) + (x.dataSync()[i * 4 + 2]! > 0.5 ? 1 : 0));
  return { x, y: tensor(labels, { dtype: 'int32' }) };
})();

function newModel(): Module {
  // Dropout draws its masks from the global generator, so the checkpoint must restore it.
  return new Sequential(new Linear(4, 16), new ReLU(), new Dropout(0.3), new Linear(16, 3));
}

/** Trains epochs `from+1..to` with shuffling and dropout from the global generator. */
function trainEpochs(model: Module, opt: Optimizer, sched: Scheduler, from: number, to: number): void {
  const g = getDefaultGenerator();
  for (let epoch = from + 1; epoch <= to; epoch++) {
    model.train();
    const order = g.permutation(64);
    let total = 0;
    for (let b = 0; b < 64; b += 16) {
      const idx = tensor(Array.from(order.subarray(b, b + 16)), { dtype: 'int32' });
      const loss = crossEntropy(model.forward(data.x.indexSelect(0, idx)), data.y.indexSelect(0, idx));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item();
    }
    sched.step(total);
  }
}

function weights(model: Module): number[][] {
  return model.parameters().map((p) => Array.from(p.dataSync()));
}

type Setup = (m: Module) => { opt: Optimizer; sched: Scheduler };
const setups: [string, Setup][] = [
  [
    'Adam + ReduceLROnPlateau',
    (m) => {
      const opt = new Adam(m.parameters(), { lr: 0.05 });
      return { opt, sched: new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 }) };
    },
  ],
  [
    'SGD with momentum + StepLR',
    (m) => {
      const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
      return { opt, sched: new StepLR(opt, { stepSize: 2, gamma: 0.5 }) };
    },
  ],
];

describe('checkpoints', () => {
  it.each(setups)('resuming (%s) ends with exactly the weights of uninterrupted training', async (name, setup) => {
    manualSeed(123);
    const straight = newModel();
    const s1 = setup(straight);
    trainEpochs(straight, s1.opt, s1.sched, 0, 8);

    manualSeed(123);
    const first = newModel();
    const s2 = setup(first);
    trainEpochs(first, s2.opt, s2.sched, 0, 3);
    const path = join(dir, `${name.replace(/\W+/g, '-')}.ckpt`);
    await saveCheckpoint(path, {
      model: first,
      optimizer: s2.opt,
      scheduler: s2.sched,
      generator: getDefaultGenerator(),
      epoch: 3,
      extra: { note: 'half-way', best: Number.POSITIVE_INFINITY },
    });

    // A new process would start from nothing: scramble the global generator first.
    manualSeed(999);
    const ckpt = await loadCheckpoint(path);
    expect(ckpt.epoch).toBe(3);
    expect(ckpt.extra).toEqual({ note: 'half-way', best: Number.POSITIVE_INFINITY });
    const resumed = ckpt.model;
    const s3 = setup(resumed);
    restoreCheckpoint(ckpt, { optimizer: s3.opt, scheduler: s3.sched, generator: getDefaultGenerator() });
    trainEpochs(resumed, s3.opt, s3.sched, ckpt.epoch, 8);

    expect(weights(resumed)).toEqual(weights(straight));
    expect(s3.opt.paramGroups[0]!.lr).toBe(s1.opt.paramGroups[0]!.lr);
  });

  it('keeps the optimizer buffers and the scheduler state exactly', () => {
    manualSeed(5);
    const model = newModel();
    const { opt, sched } = setups[0]![1](model);
    trainEpochs(model, opt, sched, 0, 2);
    const g = new Generator(77);
    g.nextNormal(); // leaves a cached spare deviate in the state
    const ckpt = deserializeCheckpoint(serializeCheckpoint({ model, optimizer: opt, scheduler: sched, generator: g, epoch: 2 }));
    expect(ckpt.optimizer).toEqual(opt.stateDict());
    expect(ckpt.scheduler).toEqual(sched.stateDict());
    expect(ckpt.generator).toEqual(g.getState());
    expect(ckpt.model.training).toBe(true);
  });

  it('rejects a model file where a checkpoint is expected, and a missing optimizer buffer', () => {
    const model = newModel();
    expect(() => deserializeCheckpoint(serializeModel(model), 'm.cortex')).toThrow(/m\.cortex: this is a model file, not a checkpoint/);
    const ckpt = deserializeCheckpoint(serializeCheckpoint({ model, epoch: 0 }));
    expect(() => restoreCheckpoint(ckpt, { optimizer: new SGD(model.parameters(), { lr: 0.1 }) })).toThrow(ModelFormatError);
    expect(() => serializeCheckpoint({ model, epoch: -1 })).toThrow(/epoch must be a non-negative integer/);
  });

  it('works with fit: one fit call per epoch (shuffle seed = seed + epoch), checkpoint half-way, resume', async () => {
    const run = (model: Module, opt: Optimizer, sched: Scheduler, from: number, to: number) => {
      for (let e = from + 1; e <= to; e++) {
        fit(model, data, { epochs: 1, batchSize: 16, seed: 1000 + e, loss: 'crossEntropy', optimizer: opt, callbacks: [new SchedulerStep(sched, { monitor: 'loss' })] });
      }
    };
    manualSeed(7);
    const straight = newModel();
    const a = setups[0]![1](straight);
    run(straight, a.opt, a.sched, 0, 6);

    manualSeed(7);
    const first = newModel();
    const b = setups[0]![1](first);
    run(first, b.opt, b.sched, 0, 3);
    const bytes = serializeCheckpoint({ model: first, optimizer: b.opt, scheduler: b.sched, generator: getDefaultGenerator(), epoch: 3 });

    manualSeed(12345);
    const ckpt = deserializeCheckpoint(bytes);
    const c = setups[0]![1](ckpt.model);
    restoreCheckpoint(ckpt, { optimizer: c.opt, scheduler: c.sched, generator: getDefaultGenerator() });
    run(ckpt.model, c.opt, c.sched, ckpt.epoch, 6);
    expect(weights(ckpt.model)).toEqual(weights(straight));
  });
});
