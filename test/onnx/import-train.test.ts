import { describe, expect, it } from 'vitest';
import { Adam, importOnnx, manualSeed, nllLoss, randn, tensor } from '../../src/index.js';
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
