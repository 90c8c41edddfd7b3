import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { runEpochs } from '../../src/cli/epochs.js';
import type { Output } from '../../src/cli/style.js';
import { TrainingDivergedError } from '../../src/errors.js';
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { Generator } from '../../src/tensor/random.js';

const id = (s: string) => s;
const silent: Output = {
  json: false,
  verbose: false,
  tty: false,
  line: () => {},
  note: () => {},
  warn: () => {},
  result: () => {},
  c: { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id },
};

describe('cortex train epoch loop', () => {
  it('re-throws divergence with typed epoch, batch and loss fields, and builds its message from them', async () => {
    const g = new Generator(0);
    const model = new Sequential(new Linear(2, 16, { generator: g }), new ReLU(), new Linear(16, 1, { generator: g }));
    const x = new Tensor(Float32Array.from({ length: 64 }, () => g.nextNormal()), [32, 2]);
    const y = new Tensor(Float32Array.from({ length: 32 }, (_, i) => i * 100), [32, 1]);
    const plan = { epochs: 3, batchSize: 8, lr: 1e6, optimizer: 'sgd' as const, seed: 0, earlyStopping: null, clipGradNorm: null };
    let err: unknown;
    try {
      await runEpochs(model, { x, y }, undefined, plan, 'regression', silent, null, null);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const e = err as TrainingDivergedError;
    expect(e.epoch).toBe(1);
    expect(e.batch).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(e.loss)).toBe(false);
    expect(e.gradNorm).toBeUndefined();
    expect(e.message).toBe(
      `training diverged at epoch 1, batch ${e.batch}: the loss is ${e.loss}. Try a lower --lr (it is 1000000) or --clip-grad-norm 1`,
    );
  });
});
