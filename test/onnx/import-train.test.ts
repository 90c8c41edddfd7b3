import { describe, expect, it } from 'vitest';
import { Adam, fit, importOnnx, manualSeed, nllLoss, randn, tensor } from '../../src/index.js';
import { loadFixture } from './helpers.js';

describe('fine-tuning an imported ONNX model', () => {
  it('trains the PyTorch MLP with Adam: the loss falls and every parameter gets a gradient', () => {
    manualSeed(0);
    const model = importOnnx(loadFixture('mlp').bytes);
    model.train();
    // A small task: the class is which of the first three features is largest.
    const x = randn([64, 4]);
    const xs = x.dataSync();
    const labels = Array.from({ length: 64 }, (_, i) => {
      const row = [xs[i * 4]!, xs[i * 4 + 1]!, xs[i * 4 + 2]!];
      return row.indexOf(Math.max(...row));
    });
    const y = tensor(labels, { dtype: 'int32' });
    const before = model.stateDict();
    const opt = new Adam(model.parameters(), { lr: 0.02 });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      // The graph ends in LogSoftmax, so the loss is the negative log-likelihood.
      const loss = nllLoss(model.forward(x), y);
      loss.backward();
      if (step === 0) {
        for (const [name, p] of model.namedParameters()) expect(p.grad, name).not.toBeNull();
      }
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    const after = model.stateDict();
    for (const [name] of model.namedParameters()) {
      expect(Array.from(after[name]!.dataSync()), name).not.toEqual(Array.from(before[name]!.dataSync()));
    }
  });
});

describe('an imported CNN with fit()', () => {
  it('trains on a toy image task: the loss falls', () => {
    manualSeed(1);
    const model = importOnnx(loadFixture('cnn').bytes);
    // Class c of 5: a bright 2×2 square in one of five places of an 8×8 image, plus noise.
    const n = 40;
    const x = new Float32Array(n * 64);
    const labels = new Int32Array(n);
    const noise = randn([n * 64]).dataSync();
    for (let i = 0; i < n; i++) {
      const c = i % 5;
      labels[i] = c;
      for (let k = 0; k < 64; k++) x[i * 64 + k] = 0.3 * noise[i * 64 + k]!;
      const [r, col] = ([[0, 0], [0, 6], [6, 0], [6, 6], [3, 3]] as const)[c]!;
      for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const at = i * 64 + (r + dr) * 8 + col + dc;
        x[at] = x[at]! + 2;
      }
    }
    const history = fit(model, { x: tensor(x, { shape: [n, 1, 8, 8] }), y: tensor(labels) }, {
      epochs: 8,
      batchSize: 10,
      loss: 'crossEntropy',
      learningRate: 0.01,
      seed: 3,
    });
    expect(history.loss[history.loss.length - 1]!).toBeLessThan(history.loss[0]! * 0.5);
  });
});
