import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { twoSpirals } from '../../src/data/generators.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/random.js';
import { accuracy, fit, predict } from '../../src/train/index.js';

// XOR, the 3-class spiral and the noisy sine are learned in test/examples.test.ts,
// which runs the examples themselves.

describe('two spirals (Lang & Witbrock, 1988)', () => {
  it('reaches 100% training accuracy on the 194 points', () => {
    const data = twoSpirals();
    expect(data.n).toBe(194);
    // Scale the coordinates (radius up to 6.5) into [-1, 1].
    const x = new Tensor(data.x.map((v) => v / 6.5), [data.n, 2]);
    const y = new Tensor(data.y, [data.n]);
    const g = new Generator(1);
    const h = 32;
    const model = new Sequential(
      new Linear(2, h, { generator: g }),
      new Tanh(),
      new Linear(h, h, { generator: g }),
      new Tanh(),
      new Linear(h, h, { generator: g }),
      new Tanh(),
      new Linear(h, 2, { generator: g }),
    );
    const history = fit(
      model,
      { x, y },
      {
        epochs: 1500,
        batchSize: Number.POSITIVE_INFINITY,
        loss: 'crossEntropy',
        optimizer: new Adam(model.parameters(), { lr: 0.01 }),
        metrics: ['accuracy'],
        callbacks: [
          {
            // Stop once every point is classified correctly.
            onEpochEnd: (info, ctx) => {
              if (info.logs.accuracy === 1) ctx.stopTraining = true;
            },
          },
        ],
      },
    );
    expect(accuracy(predict(model, x), y)).toBe(1);
    expect(history.epochs.length).toBeLessThan(1500);
  });
});
