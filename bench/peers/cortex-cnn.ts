/**
 * Cortex's row of the cnn section (issue 12): the network of examples/fashion-cnn.ts, written
 * with the public API as a user would (`nn.Sequential`, `Conv2d`, `MaxPool2d`, `Dropout`,
 * `Linear`, `crossEntropy`, `optim.Adam`) and trained with a plain loop.
 * @module
 */
import {
  Adam,
  Conv2d,
  crossEntropy,
  Dropout,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  noGrad,
  ReLU,
  Sequential,
  tensor,
} from 'cortex-nn';
import { type FashionMnist, loadFashionMnist } from '../lib/dataset.js';
import type { PeerAnswer } from '../lib/peer.js';
import type { CnnSettings } from '../lib/protocol.js';
import { median } from '../lib/timing.js';

/** The training images and labels at `order[start..start + m)`, copied into one batch. */
export function gatherBatch(d: FashionMnist, order: Int32Array, start: number, m: number): [Float32Array, Int32Array] {
  const f = d.features;
  const xb = new Float32Array(m * f);
  const yb = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const src = order[start + r]!;
    xb.set(d.trainX.subarray(src * f, (src + 1) * f), r * f);
    yb[r] = d.trainY[src]!;
  }
  return [xb, yb];
}

/** Trains the CNN for `s.epochs` epochs over `s.trainLimit` images; test accuracy after each. */
export async function cnn(s: CnnSettings): Promise<PeerAnswer['payload']> {
  const d = await loadFashionMnist(s.dataDir, s.trainLimit);
  const f = d.features;
  // One generator for the weights, the dropout masks and the shuffling, as in the example.
  const generator = new Generator(s.seed);
  const model = new Sequential(
    new Conv2d(1, 32, 3, { padding: 1, generator }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1, generator }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(0.25, { generator }),
    new Linear(64 * 7 * 7, 128, { generator }),
    new ReLU(),
    new Linear(128, 10, { generator }),
  );
  const opt = new Adam(model.parameters(), { lr: s.learningRate });
  const nTest = Math.min(s.testLimit, d.testCount);
  const epochSeconds: number[] = [];
  const testAccuracy: number[] = [];
  for (let e = 0; e < s.epochs; e++) {
    model.train();
    const t0 = performance.now();
    const order = generator.permutation(d.trainCount);
    for (let start = 0; start < d.trainCount; start += s.batchSize) {
      const m = Math.min(s.batchSize, d.trainCount - start);
      const [xb, yb] = gatherBatch(d, order, start, m);
      const loss = crossEntropy(model.forward(tensor(xb, { shape: [m, 1, 28, 28] })), tensor(yb, { shape: [m], dtype: 'int32' }));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    epochSeconds.push((performance.now() - t0) / 1000);
    model.eval();
    let ok = 0;
    for (let start = 0; start < nTest; start += 500) {
      const m = Math.min(500, nTest - start);
      const x = tensor(d.testX.subarray(start * f, (start + m) * f), { shape: [m, 1, 28, 28] });
      const logits = noGrad(() => model.forward(x)).dataSync();
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
        if (best === d.testY[start + i]) ok++;
      }
    }
    testAccuracy.push(ok / nTest);
  }
  return {
    cnn: {
      epochSeconds,
      secondsPer60k: (median(epochSeconds) * 60000) / d.trainCount,
      testAccuracy,
      trainSamples: d.trainCount,
      testSamples: nTest,
      extrapolated: false,
    },
  };
}
