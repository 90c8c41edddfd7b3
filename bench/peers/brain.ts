/**
 * brain.js 1.6 peer: its `NeuralNetwork` (sigmoid everywhere, mean squared error,
 * one update per sample). It is too slow for the full 60k set, so the harness
 * gives it a labelled subset and the time is extrapolated to 60k samples.
 * @module
 */
import brain from 'brain.js';
import { PeerRng } from '../lib/rng.js';
import { loadFashionMnist } from '../lib/dataset.js';
import { type PeerAnswer, rssMB, runPeer } from '../lib/peer.js';
import type { MlpSettings } from '../lib/protocol.js';
import { median } from '../lib/timing.js';

interface Sample {
  input: number[];
  output: number[];
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] ?? 0) > (xs[best] ?? 0)) best = i;
  return best;
}

async function mlp(s: MlpSettings): Promise<PeerAnswer['payload']> {
  const d = await loadFashionMnist(s.dataDir, s.trainLimit);
  const f = d.features;
  const samples: Sample[] = [];
  for (let i = 0; i < d.trainCount; i++) {
    const output = new Array<number>(10).fill(0);
    output[d.trainY[i] ?? 0] = 1;
    samples.push({ input: Array.from(d.trainX.subarray(i * f, (i + 1) * f)), output });
  }
  const testInputs: number[][] = [];
  for (let i = 0; i < d.testCount; i++) testInputs.push(Array.from(d.testX.subarray(i * f, (i + 1) * f)));

  const net = new brain.NeuralNetwork({ hiddenLayers: [s.hidden], activation: 'sigmoid' });
  const g = new PeerRng(s.seed);
  const epochSeconds: number[] = [];
  const testAccuracy: number[] = [];
  const rssAfterEpochMB: number[] = [];
  for (let e = 0; e < s.epochs; e++) {
    const order = g.permutation(samples.length);
    const shuffled = Array.from(order, (i) => samples[i]!);
    const t0 = performance.now();
    net.train(shuffled, { iterations: 1, errorThresh: 1e-6, learningRate: s.learningRate, log: false });
    epochSeconds.push((performance.now() - t0) / 1000);
    let ok = 0;
    for (let i = 0; i < d.testCount; i++) {
      const out = net.run(testInputs[i]!);
      if (argmax(out) === d.testY[i]) ok++;
    }
    testAccuracy.push(ok / d.testCount);
    rssAfterEpochMB.push(rssMB());
  }
  return {
    mlp: {
      epochSeconds,
      secondsPer60k: (median(epochSeconds) * 60000) / d.trainCount,
      testAccuracy,
      rssAfterEpochMB,
      trainSamples: d.trainCount,
      testSamples: d.testCount,
    },
  };
}

await runPeer(async (job) => {
  if (job.section !== 'mlp') return { skipped: 'brain.js only runs the MLP section', notes: [] };
  const notes = [
    `brain.js NeuralNetwork 784-${job.settings.hidden}-10, sigmoid, MSE, per-sample updates, lr ${job.settings.learningRate}, momentum 0.1 (brain.js default; it rejects 0)`,
  ];
  const payload = await mlp(job.settings);
  if (payload && 'mlp' in payload && payload.mlp.trainSamples < 60000) {
    notes.push(`trained on the first ${payload.mlp.trainSamples} samples per epoch; seconds extrapolated to 60k`);
  }
  return { notes, payload };
});
