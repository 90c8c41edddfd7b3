/**
 * XOR: the classic problem a single layer cannot solve. A 2-8-1 network with a tanh
 * hidden layer and a sigmoid output, trained with SGD + momentum on the mean squared
 * error, reaches MSE < 0.01.
 *
 * Run: npx tsx examples/xor.ts
 */
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/autograd/tensor.js';
import { Linear, Sequential, Sigmoid, Tanh } from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { Generator } from '../src/tensor/random.js';
import { fit, predict } from '../src/train/index.js';

/** What the example reports. */
export interface XorResult {
  mse: number;
  predictions: number[];
  epochs: number;
}

/** Trains the XOR network. */
export function run(options: { log?: (s: string) => void } = {}): XorResult {
  const log = options.log ?? (() => {});
  const g = new Generator(0);
  const x = new Tensor(Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), [4, 2]);
  const y = new Tensor(Float32Array.of(0, 1, 1, 0), [4, 1]);
  const model = new Sequential(new Linear(2, 8, { generator: g }), new Tanh(), new Linear(8, 1, { generator: g }), new Sigmoid());
  const optimizer = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
  const history = fit(model, { x, y }, { epochs: 500, batchSize: 4, loss: 'mse', optimizer });
  const out = predict(model, x);
  const predictions = Array.from(out.dataSync());
  const targets = y.dataSync();
  const inputs = x.dataSync();
  let mse = 0;
  predictions.forEach((p, i) => {
    mse += (p - targets[i]!) ** 2 / 4;
  });
  log(model.summary([4, 2]));
  log(`after ${history.epochs.length} epochs: MSE ${mse.toExponential(3)}`);
  for (let i = 0; i < 4; i++) log(`  ${inputs[2 * i]} xor ${inputs[2 * i + 1]} -> ${predictions[i]!.toFixed(4)}`);
  return { mse, predictions, epochs: history.epochs.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run({ log: console.log });
