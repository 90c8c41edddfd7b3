/**
 * TensorFlow.js peer: the `cpu` backend (plain JS kernels) or the `wasm` backend
 * (XNNPACK; single-threaded in Node), chosen by the job's variant. Never
 * `@tensorflow/tfjs-node`, which needs a native download.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { PeerRng } from '../lib/rng.js';
import { cnn } from './tfjs-cnn.js';
import { loadFashionMnist } from '../lib/dataset.js';
import { type PeerAnswer, rssMB, runPeer } from '../lib/peer.js';
import type { GemmRow, GemmSettings, MlpSettings, TinySettings } from '../lib/protocol.js';
import { median, timeEpochs, timeIt } from '../lib/timing.js';

function randomArray(n: number, g: PeerRng, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.nextNormal() * scale;
  return out;
}

function sgemm(s: GemmSettings): GemmRow[] {
  const g = new PeerRng(1);
  const rows: GemmRow[] = [];
  for (const sh of s.shapes) {
    const a = tf.tensor2d(randomArray(sh.m * sh.k, g), sh.transA ? [sh.k, sh.m] : [sh.m, sh.k]);
    const b = tf.tensor2d(randomArray(sh.k * sh.n, g), sh.transB ? [sh.n, sh.k] : [sh.k, sh.n]);
    const t = timeIt(() => {
      const c = tf.matMul(a, b, sh.transA, sh.transB);
      c.dataSync();
      c.dispose();
    }, s);
    rows.push({ label: sh.label, medianMs: t.medianMs, gflops: (2 * sh.m * sh.k * sh.n) / (t.medianMs * 1e6), reps: t.reps });
    a.dispose();
    b.dispose();
  }
  return rows;
}

async function mlp(s: MlpSettings): Promise<PeerAnswer['payload']> {
  const d = await loadFashionMnist(s.dataDir, s.trainLimit);
  const xs = tf.tensor2d(d.trainX, [d.trainCount, d.features]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(d.trainY), 'int32'), 10));
  const testX = tf.tensor2d(d.testX, [d.testCount, d.features]);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [d.features],
        units: s.hidden,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: s.seed }),
      }),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: s.seed + 1 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(s.learningRate), loss: 'categoricalCrossentropy' });
  const epochSeconds: number[] = [];
  const testAccuracy: number[] = [];
  const rssAfterEpochMB: number[] = [];
  for (let e = 0; e < s.epochs; e++) {
    const t0 = performance.now();
    await model.fit(xs, ys, { batchSize: s.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    epochSeconds.push((performance.now() - t0) / 1000);
    const pred = tf.tidy(() => tf.argMax(model.predict(testX) as tf.Tensor, -1));
    const p = pred.dataSync();
    pred.dispose();
    let ok = 0;
    for (let i = 0; i < d.testCount; i++) if (p[i] === d.testY[i]) ok++;
    testAccuracy.push(ok / d.testCount);
    rssAfterEpochMB.push(rssMB());
  }
  const secondsPer60k = (median(epochSeconds) * 60000) / d.trainCount;
  return {
    mlp: { epochSeconds, secondsPer60k, testAccuracy, rssAfterEpochMB, trainSamples: d.trainCount, testSamples: d.testCount },
  };
}

function tiny(s: TinySettings): PeerAnswer['payload'] {
  const g = new PeerRng(s.seed);
  const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => g.nextFloat());
  const x = tf.tensor2d(uniform(s.samples * s.inputs), [s.samples, s.inputs]);
  const y = tf.tensor2d(uniform(s.samples), [s.samples, 1]);
  const w1 = tf.variable(tf.tensor2d(randomArray(s.inputs * s.hidden, g), [s.inputs, s.hidden]));
  const b1 = tf.variable(tf.zeros([s.hidden]));
  const w2 = tf.variable(tf.tensor2d(randomArray(s.hidden, g), [s.hidden, 1]));
  const b2 = tf.variable(tf.zeros([1]));
  const opt = tf.train.sgd(s.learningRate);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const h = tf.sigmoid(tf.add(tf.matMul(x, w1), b1));
      const out = tf.sigmoid(tf.add(tf.matMul(h, w2), b2));
      return tf.mean(tf.square(tf.sub(out, y))) as tf.Scalar;
    });
  const step = (): void => {
    opt.minimize(loss, false, [w1, b1, w2, b2]);
  };
  const t = timeEpochs(step, s, () => {
    w2.dataSync();
  });
  const last = loss();
  const finalLoss = last.dataSync()[0] ?? Number.NaN;
  last.dispose();
  return { tiny: { msPerEpoch: t.msPerEpoch, epochsTimed: t.epochsTimed, finalLoss } };
}

await runPeer(async (job) => {
  const backend = job.variant;
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialise`);
  await tf.ready();
  const notes = [`tfjs-core ${tf.version_core}, backend ${tf.getBackend()}`];
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    notes.push(`wasm SIMD ${simd ? 'on' : 'off'}, multithread ${threads ? 'available' : 'off (one thread)'}`);
  }
  switch (job.section) {
    case 'sgemm':
      return { notes, payload: { gemm: sgemm(job.settings) } };
    case 'mlp':
      notes.push('tfjs-layers model.fit, glorot-uniform init, one-hot categorical cross-entropy');
      return { notes, payload: await mlp(job.settings) };
    case 'tiny':
      notes.push('optimizer.minimize (autograd)');
      return { notes, payload: tiny(job.settings) };
    case 'cnn':
      return cnn(job.settings, notes);
    default:
      return { skipped: `TF.js does not run the ${job.section} section`, notes };
  }
});
