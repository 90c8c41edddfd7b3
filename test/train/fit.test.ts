import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { TrainingDivergedError } from '../../src/errors.js';
import { Dropout, Linear, ReLU, Sequential, Tanh } from '../../src/nn/index.js';
import { SGD, StepLR } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/random.js';
import {
  type BatchDataset,
  type BatchInfo,
  EarlyStopping,
  evaluate,
  fit,
  History,
  predict,
  SchedulerStep,
  type TrainContext,
} from '../../src/train/index.js';
import { DataLoader, TensorDataset } from '../../src/data/dataset.js';
import { tensorRows } from '../../src/train/data.js';

/** Two Gaussian-ish blobs in 2-D with labels 0/1, deterministic. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = (c ? 1 : -1) + 0.5 * g.nextNormal();
    x[2 * i + 1] = (c ? -1 : 1) + 0.5 * g.nextNormal();
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

function mlp(seed: number, dropout = 0): Sequential {
  const g = new Generator(seed);
  return new Sequential(
    new Linear(2, 16, { generator: g }),
    new ReLU(),
    new Dropout(dropout, { generator: new Generator(seed + 1) }),
    new Linear(16, 2, { generator: g }),
  );
}

describe('fit', () => {
  it('is deterministic: the same seeds give an identical History and identical weights', () => {
    const runOnce = () => {
      const model = mlp(3, 0.2);
      const history = fit(model, blobs(120, 1), {
        epochs: 5,
        batchSize: 16,
        seed: 9,
        loss: 'crossEntropy',
        optimizer: 'adam',
        learningRate: 0.01,
        metrics: ['accuracy', 'f1'],
        validationSplit: 0.25,
      });
      return { history: JSON.stringify(history), weights: model.parameters().map((p) => Array.from(p.dataSync())) };
    };
    const a = runOnce();
    const b = runOnce();
    expect(b.history).toBe(a.history);
    expect(b.weights).toEqual(a.weights);
    // A different shuffling seed gives a different run.
    const model = mlp(3, 0.2);
    const other = fit(model, blobs(120, 1), { epochs: 5, batchSize: 16, seed: 10, loss: 'crossEntropy', learningRate: 0.01, validationSplit: 0.25 });
    expect(JSON.stringify(other.loss)).not.toBe(JSON.stringify(JSON.parse(a.history).loss));
  });

  it('resumes from model and optimizer state exactly (checkpoint round trip)', async () => {
    const { Adam } = await import('../../src/optim/index.js');
    const data = blobs(40, 6);
    const opts = { batchSize: 10, loss: 'crossEntropy', shuffle: false } as const;
    const straight = mlp(8);
    fit(straight, data, { ...opts, epochs: 5, optimizer: new Adam(straight.parameters(), { lr: 0.01 }) });

    const first = mlp(8);
    const opt1 = new Adam(first.parameters(), { lr: 0.01 });
    fit(first, data, { ...opts, epochs: 3, optimizer: opt1 });
    const saved = JSON.parse(JSON.stringify(opt1.stateDict()));
    const resumed = mlp(99);
    resumed.loadStateDict(first.stateDict());
    const opt2 = new Adam(resumed.parameters(), { lr: 0.5 });
    opt2.loadStateDict(saved);
    expect(opt2.paramGroups[0]!.lr).toBe(0.01);
    fit(resumed, data, { ...opts, epochs: 2, optimizer: opt2 });
    expect(resumed.parameters().map((p) => Array.from(p.dataSync()))).toEqual(straight.parameters().map((p) => Array.from(p.dataSync())));
  });

  it('records training and validation loss and metrics per epoch', () => {
    const model = mlp(1);
    const h = fit(model, blobs(100, 2), {
      epochs: 4,
      batchSize: 10,
      loss: 'crossEntropy',
      learningRate: 0.05,
      metrics: ['accuracy', 'precision', 'recall'],
      validationSplit: 0.2,
    });
    expect(h).toBeInstanceOf(History);
    expect(h.epochs).toEqual([1, 2, 3, 4]);
    expect(h.loss).toHaveLength(4);
    expect(h.valLoss).toHaveLength(4);
    expect(Object.keys(h.metrics)).toEqual(['accuracy', 'precision', 'recall']);
    expect(h.valMetrics.accuracy).toHaveLength(4);
    expect(h.get('valAccuracy')).toBe(h.valMetrics.accuracy);
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]!);
    expect(h.valMetrics.accuracy!.at(-1)!).toBeGreaterThan(0.9);
  });

  it('accepts a dataset with getBatch and gives the same result as tensors', () => {
    const data = blobs(64, 3);
    const ds: BatchDataset = {
      length: 64,
      getBatch: (idx) => ({ x: tensorRows(data.x, idx), y: tensorRows(data.y, idx) }),
    };
    const opts = { epochs: 3, batchSize: 8, loss: 'crossEntropy', learningRate: 0.01, seed: 4 } as const;
    const a = mlp(5);
    const b = mlp(5);
    expect(JSON.stringify(fit(a, ds, opts))).toBe(JSON.stringify(fit(b, data, opts)));
  });

  it('accepts the data module: a TensorDataset, and a DataLoader that batches for it', () => {
    const data = blobs(48, 3);
    const opts = { epochs: 3, batchSize: 8, loss: 'crossEntropy', learningRate: 0.01, seed: 4, shuffle: false } as const;
    const viaTensors = JSON.stringify(fit(mlp(5), data, opts));
    expect(JSON.stringify(fit(mlp(5), new TensorDataset(data.x, data.y), opts))).toBe(viaTensors);
    const loader = new DataLoader(new TensorDataset(data.x, data.y), { batchSize: 8 });
    const infos: BatchInfo[] = [];
    const h = fit(mlp(5), loader, { ...opts, validationData: loader, callbacks: [{ onBatchEnd: (i) => infos.push(i) }] });
    expect(JSON.stringify(h.loss)).toBe(JSON.stringify(JSON.parse(viaTensors).loss));
    expect(h.valLoss).toHaveLength(3);
    expect(infos).toHaveLength(18);
    expect(infos.at(-1)!.progress).toBe(1);
    expect(() => fit(mlp(5), loader, { validationSplit: 0.2 })).toThrow(/with a loader, pass validationData/);
    expect(evaluate(mlp(5), loader, { loss: 'crossEntropy' }).loss).toBeGreaterThan(0);
  });

  it('reports batches with progress and ETA, and epochs with logs', () => {
    const infos: BatchInfo[] = [];
    const epochs: number[] = [];
    let began = 0;
    let ended: History | null = null;
    fit(mlp(1), blobs(50, 1), {
      epochs: 3,
      batchSize: 16,
      loss: 'crossEntropy',
      callbacks: [
        {
          onTrainBegin: () => began++,
          onBatchEnd: (i) => infos.push(i),
          onEpochEnd: (e) => epochs.push(e.epoch),
          onTrainEnd: (h) => {
            ended = h;
          },
        },
      ],
    });
    expect(began).toBe(1);
    expect(infos).toHaveLength(12); // 4 batches (16, 16, 16, 2) × 3 epochs
    expect(infos.map((i) => i.size).slice(0, 4)).toEqual([16, 16, 16, 2]);
    expect(infos[5]).toMatchObject({ epoch: 2, epochs: 3, batch: 2, batches: 4 });
    expect(infos.at(-1)!.progress).toBe(1);
    expect(infos.at(-1)!.etaMs).toBe(0);
    expect(infos.every((i) => Number.isFinite(i.etaMs) && i.elapsedMs >= 0 && Number.isFinite(i.epochLoss))).toBe(true);
    expect(epochs).toEqual([1, 2, 3]);
    expect(ended).not.toBeNull();
  });

  it('steps a scheduler every epoch and records the learning rate', () => {
    const model = mlp(1);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const h = fit(model, blobs(40, 1), {
      epochs: 5,
      batchSize: 40,
      loss: 'crossEntropy',
      optimizer: opt,
      callbacks: [new SchedulerStep(new StepLR(opt, { stepSize: 2, gamma: 0.5 }))],
    });
    expect(h.lr).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('takes the loss as a name, a function or a loss module, and rejects unreduced losses', async () => {
    const { CrossEntropyLoss, crossEntropy } = await import('../../src/nn/index.js');
    const data = blobs(32, 2);
    const opts = { epochs: 2, batchSize: 8, learningRate: 0.01 } as const;
    const a = JSON.stringify(fit(mlp(2), data, { ...opts, loss: 'crossEntropy' }));
    expect(JSON.stringify(fit(mlp(2), data, { ...opts, loss: (o, t) => crossEntropy(o, t) }))).toBe(a);
    expect(JSON.stringify(fit(mlp(2), data, { ...opts, loss: new CrossEntropyLoss() }))).toBe(a);
    expect(() => fit(mlp(2), data, { ...opts, loss: new CrossEntropyLoss({ reduction: 'none' }) })).toThrow(
      /the loss must be a single number, got shape \[8\]/,
    );
  });

  it('clips the gradient norm before each step', () => {
    const model = mlp(1);
    const before = model.parameters().map((p) => Float32Array.from(p.dataSync()));
    fit(model, blobs(32, 1), {
      epochs: 1,
      batchSize: 32,
      loss: 'crossEntropy',
      optimizer: new SGD(model.parameters(), { lr: 1 }),
      clipGradNorm: 1e-3,
    });
    let sq = 0;
    model.parameters().forEach((p, i) => {
      p.dataSync().forEach((v, j) => {
        sq += (v - before[i]![j]!) ** 2;
      });
    });
    expect(Math.sqrt(sq)).toBeLessThanOrEqual(1.0001e-3);
  });

  it('throws TrainingDivergedError naming the epoch and batch when the loss blows up', () => {
    const g = new Generator(0);
    const model = new Sequential(new Linear(2, 32, { generator: g }), new ReLU(), new Linear(32, 1, { generator: g }));
    const { x } = blobs(64, 1);
    const y = new Tensor(Float32Array.from({ length: 64 }, (_, i) => i * 100), [64, 1]);
    let err: unknown;
    try {
      fit(model, { x, y }, { epochs: 50, batchSize: 16, loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 1e6 }) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const e = err as TrainingDivergedError;
    expect(e.epoch).toBeGreaterThanOrEqual(1);
    expect(e.batch).toBeGreaterThanOrEqual(1);
    expect(e.message).toContain(`epoch ${e.epoch}, batch ${e.batch}`);
    expect(Number.isFinite(e.loss)).toBe(false);
    expect(e.gradNorm).toBeUndefined();
    expect(e.message).toContain(`the loss is ${e.loss}.`);
    expect(e.message).toMatch(/lower learning rate/);
    expect(e.message).toMatch(/scale the inputs/);
  });

  it('names a non-finite gradient norm (with a finite loss) in its own field when clipping', () => {
    const model = new Sequential(new Linear(2, 1, { generator: new Generator(3) }));
    const { x, y } = blobs(16, 2);
    // sqrt at 0: the loss is 0, its gradient is infinite, and 0 * Infinity makes the weights' gradients NaN.
    const loss = (out: Tensor) => out.mul(0).sqrt().mean();
    let err: unknown;
    try {
      fit(model, { x, y }, { epochs: 1, batchSize: 8, loss, clipGradNorm: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const e = err as TrainingDivergedError;
    expect([e.epoch, e.batch, e.loss]).toEqual([1, 1, 0]);
    expect(Number.isNaN(e.gradNorm)).toBe(true);
    expect(e.message).toContain('batch 1: the gradient norm is NaN (the loss was 0).');
  });

    it('rejects bad arguments with clear messages', () => {
    const { x, y } = blobs(10, 1);
    expect(() => fit(mlp(1), { x, y: tensorRows(y, [0, 1, 2]) })).toThrow(/x has 10 samples but y has 3/);
    expect(() => fit(mlp(1), { x, y }, { epochs: -1 })).toThrow(/epochs must be a non-negative integer/);
    expect(() => fit(mlp(1), { x, y }, { metrics: ['auc' as never] })).toThrow(/unknown metric 'auc'/);
    expect(() => fit(mlp(1), { x, y }, { validationSplit: 1 })).toThrow(/validationSplit must be in \[0, 1\)/);
    expect(() => fit(mlp(1), { x, y }, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => fit(mlp(1), { x, y }, { optimizer: 'lbfgs' as never })).toThrow(/unknown optimizer 'lbfgs'/);
  });
});

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', () => {
    const model = new Sequential(new Linear(1, 1));
    const ctx: TrainContext = { model, stopTraining: false, optimizer: { paramGroups: [{ lr: 1 }] } };
    const es = new EarlyStopping({ monitor: 'valLoss', patience: 1, restoreBestWeights: true });
    es.onTrainBegin();
    const losses = [1, 0.5, 0.7, 0.6];
    losses.forEach((l, i) => {
      if (ctx.stopTraining) return;
      model.parameters()[0]!.dataSync()[0] = 10 + i; // the "weights" of epoch i + 1
      es.onEpochEnd({ epoch: i + 1, epochs: 4, logs: { loss: l, valLoss: l }, lr: 1, elapsedMs: 0 }, ctx);
    });
    expect(ctx.stopTraining).toBe(true);
    expect(es.stoppedEpoch).toBe(4);
    expect(es.bestEpoch).toBe(2);
    es.onTrainEnd(new History(), ctx);
    expect(model.parameters()[0]!.dataSync()[0]).toBe(11);
  });

  it('ends fit early, falls back to the training loss without validation, and handles max mode', () => {
    const es = new EarlyStopping({ patience: 0, minDelta: 10 });
    const h = fit(mlp(1), blobs(40, 1), { epochs: 20, batchSize: 40, loss: 'crossEntropy', callbacks: [es] });
    expect(h.epochs).toEqual([1, 2]);
    const acc = new EarlyStopping({ monitor: 'valAccuracy', patience: 2 });
    const h2 = fit(mlp(1), blobs(60, 1), {
      epochs: 50,
      batchSize: 60,
      loss: 'crossEntropy',
      learningRate: 0.05,
      metrics: ['accuracy'],
      validationSplit: 0.5,
      callbacks: [acc],
    });
    expect(h2.epochs.length).toBeLessThan(50);
    expect(acc.best).toBe(Math.max(...h2.valMetrics.accuracy!));
  });
});

describe('evaluate and predict', () => {
  it('run in eval mode without gradients, batch correctly, and restore the mode', () => {
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Dropout(0.5), new Linear(8, 2));
    const { x, y } = blobs(37, 4);
    const full = predict(model, x);
    const batched = predict(model, x, { batchSize: 5 });
    expect(batched.shape).toEqual([37, 2]);
    expect(Array.from(batched.dataSync())).toEqual(Array.from(full.dataSync()));
    expect(full.requiresGrad).toBe(false);
    expect(model.training).toBe(true);
    const ev = evaluate(model, { x, y }, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 8 });
    const ev2 = evaluate(model, { x, y }, { loss: 'crossEntropy', metrics: ['accuracy'] });
    expect(ev.loss).toBeCloseTo(ev2.loss, 5);
    expect(ev.metrics.accuracy).toBe(ev2.metrics.accuracy);
    expect(model.training).toBe(true);
  });
});
