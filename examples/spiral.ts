/**
 * A 3-class spiral (the CS231n toy problem): two ReLU hidden layers of 64 units, Adam,
 * cross-entropy on logits. Reaches at least 97% accuracy; a held-out quarter of the points
 * shows how well it generalises.
 *
 * Run: npx tsx examples/spiral.ts
 */
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/autograd/tensor.js';
import { spiral } from '../src/data/generators.js';
import { takeRows, trainTestSplit } from '../src/data/split.js';
import { Linear, ReLU, Sequential } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { Generator } from '../src/tensor/random.js';
import { accuracy, evaluate, fit, predict, ProgressCallback } from '../src/train/index.js';

/** What the example reports. */
export interface SpiralResult {
  trainAccuracy: number;
  testAccuracy: number;
  epochs: number;
}

/** Trains the spiral classifier. */
export function run(options: { epochs?: number; log?: (s: string) => void } = {}): SpiralResult {
  const log = options.log ?? (() => {});
  const data = spiral({ n: 600, classes: 3, seed: 1 });
  const { train, test } = trainTestSplit(data.n, { testSize: 0.25, seed: 1, stratify: data.y });
  const xTrain = new Tensor(takeRows(data.x, 2, train), [train.length, 2]);
  const yTrain = new Tensor(takeRows(data.y, 1, train), [train.length]);
  const xTest = new Tensor(takeRows(data.x, 2, test), [test.length, 2]);
  const yTest = new Tensor(takeRows(data.y, 1, test), [test.length]);

  const g = new Generator(0);
  const model = new Sequential(
    new Linear(2, 64, { generator: g }),
    new ReLU(),
    new Linear(64, 64, { generator: g }),
    new ReLU(),
    new Linear(64, 3, { generator: g }),
  );
  const epochs = options.epochs ?? 150;
  const history = fit(
    model,
    { x: xTrain, y: yTrain },
    {
      epochs,
      batchSize: 32,
      seed: 0,
      loss: 'crossEntropy',
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      metrics: ['accuracy'],
      validationData: { x: xTest, y: yTest },
      callbacks: [
        new ProgressCallback((p) => {
          if (p.batch === p.batches && p.epoch % 25 === 0) {
            log(`epoch ${p.epoch}/${p.epochs}  loss ${p.epochLoss.toFixed(4)}  eta ${(p.etaMs / 1000).toFixed(1)} s`);
          }
        }),
      ],
    },
  );
  const trainAccuracy = accuracy(predict(model, xTrain), yTrain);
  const testAccuracy = evaluate(model, { x: xTest, y: yTest }, { loss: 'crossEntropy', metrics: ['accuracy'] }).metrics.accuracy!;
  log(`train accuracy ${(trainAccuracy * 100).toFixed(1)}%, held-out accuracy ${(testAccuracy * 100).toFixed(1)}%`);
  return { trainAccuracy, testAccuracy, epochs: history.epochs.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run({ log: console.log });
