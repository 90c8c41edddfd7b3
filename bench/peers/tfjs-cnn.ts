/**
 * TF.js's row of the cnn section (issue 12): the network of examples/fashion-cnn.ts in
 * `tfjs-layers` (NHWC, as TF.js users write it), trained with `model.fit` and Adam. TF.js cpu
 * needs minutes per hundred batches, so this peer trains `slowBatches` batches once and
 * extrapolates the time to a 60k epoch. On the wasm backend the convolution's weight gradient
 * (`Conv2DBackpropFilter`) is not registered (tfjs #8474): the error is reported, not thrown.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadFashionMnist } from '../lib/dataset.js';
import type { PeerAnswer } from '../lib/peer.js';
import type { CnnSettings } from '../lib/protocol.js';

/**
 * PyTorch's default init, as far as tfjs-layers can express it: weights and biases uniform in
 * ±1/√fan_in (kaiming-uniform with a = √5 gives that bound for the weights).
 */
function torchLike(fanIn: number, seed: number): { kernelInitializer: ReturnType<typeof tfl.initializers.zeros>; biasInitializer: ReturnType<typeof tfl.initializers.zeros> } {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    kernelInitializer: tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed }),
    biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed + 1000 }),
  };
}

function buildCnn(seed: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', ...torchLike(9, seed) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', ...torchLike(32 * 9, seed + 1) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25, seed: seed + 2 }),
      tfl.layers.dense({ units: 128, activation: 'relu', ...torchLike(64 * 7 * 7, seed + 3) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', ...torchLike(128, seed + 4) }),
    ],
  });
}

/** Trains `slowBatches` batches, extrapolates to 60k samples, and measures test accuracy. */
export async function cnn(s: CnnSettings, notes: string[]): Promise<PeerAnswer> {
  const n = s.slowBatches * s.batchSize;
  const d = await loadFashionMnist(s.dataDir, n);
  const nTest = Math.min(s.slowTestLimit, d.testCount);
  const xs = tf.tensor4d(d.trainX, [d.trainCount, 28, 28, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(d.trainY), 'int32'), 10));
  const model = buildCnn(s.seed);
  model.compile({ optimizer: tf.train.adam(s.learningRate), loss: 'categoricalCrossentropy' });
  notes.push(
    `cnn: tfjs-layers conv2d/maxPooling2d/dropout/dense (NHWC), softmax + categorical cross-entropy, model.fit with Adam, init uniform ±1/√fan_in; ` +
      `${s.slowBatches} batches timed once and extrapolated to 60k, test accuracy on ${nTest} images after those batches`,
  );
  const t0 = performance.now();
  try {
    await model.fit(xs, ys, { batchSize: s.batchSize, epochs: 1, shuffle: true, verbose: 0 });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { skipped: `cannot train conv: ${msg.split('\n')[0]}`, notes };
  }
  const seconds = (performance.now() - t0) / 1000;
  let ok = 0;
  for (let start = 0; start < nTest; start += 100) {
    const m = Math.min(100, nTest - start);
    const pred = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(d.testX.subarray(start * 784, (start + m) * 784), [m, 28, 28, 1])) as tf.Tensor, -1));
    const p = pred.dataSync();
    pred.dispose();
    for (let i = 0; i < m; i++) if (p[i] === d.testY[start + i]) ok++;
  }
  return {
    notes,
    payload: {
      cnn: {
        epochSeconds: [seconds],
        secondsPer60k: (seconds * 60000) / d.trainCount,
        testAccuracy: [ok / nTest],
        trainSamples: d.trainCount,
        testSamples: nTest,
        extrapolated: true,
      },
    },
  };
}
