/**
 * Cortex peer. sgemm calls the active backend's kernel directly
 * (`getBackend().matmul(a, b, spec)`); the MLP and the tiny network use the public
 * API (tensors with autograd, `nn` modules, `optim.SGD`). cortex-load.ts picks the
 * WASM backend when it starts and the reference backend otherwise.
 * @module
 */
import {
  add,
  crossEntropy,
  Generator,
  Linear,
  manualSeed,
  type MatmulSpec,
  matmul,
  mean,
  mul,
  noGrad,
  ReLU,
  SGD,
  Sequential,
  sigmoid,
  sub,
  type Tensor,
  tensor,
} from 'cortex-nn';
import { loadFashionMnist } from '../lib/dataset.js';
import { type PeerAnswer, rssMB, runPeer } from '../lib/peer.js';
import type { GemmRow, GemmSettings, MlpSettings, TinySettings } from '../lib/protocol.js';
import { median, timeEpochs, timeIt } from '../lib/timing.js';
import { cnn, gatherBatch } from './cortex-cnn.js';
import { gpt } from './cortex-gpt.js';
import { type CortexBackend, loadBackend } from './cortex-load.js';

function randomArray(n: number, g: Generator): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.nextNormal();
  return out;
}

/**
 * Largest relative error of `c` against a float64 dot product, over a sample of
 * entries: a fast but wrong kernel must not produce a figure.
 */
function sampledError(a: Float32Array, b: Float32Array, c: ArrayLike<number>, spec: MatmulSpec, g: Generator): number {
  const { m, k, n, transA, transB } = spec;
  let worst = 0;
  for (let t = 0; t < 64; t++) {
    const i = g.nextInt(0, m);
    const j = g.nextInt(0, n);
    let dot = 0;
    let mag = 0;
    for (let p = 0; p < k; p++) {
      const x = (transA ? a[p * m + i] : a[i * k + p])! * (transB ? b[j * k + p] : b[p * n + j])!;
      dot += x;
      mag += Math.abs(x);
    }
    worst = Math.max(worst, Math.abs((c[i * n + j] ?? Number.NaN) - dot) / Math.max(mag, 1e-30));
  }
  return worst;
}

function sgemm(s: GemmSettings, cb: CortexBackend, notes: string[]): GemmRow[] {
  const g = new Generator(1);
  const rows: GemmRow[] = [];
  let worst = 0;
  for (const sh of s.shapes) {
    const a = randomArray(sh.m * sh.k, g);
    const b = randomArray(sh.k * sh.n, g);
    const spec: MatmulSpec = {
      batch: 1,
      m: sh.m,
      k: sh.k,
      n: sh.n,
      transA: sh.transA,
      transB: sh.transB,
      strideA: 0,
      strideB: 0,
    };
    const err = sampledError(a, b, cb.backend.matmul(a, b, spec), spec, g);
    if (!(err <= 1e-4)) throw new Error(`Cortex matmul gives wrong results for ${sh.label}: relative error ${err}`);
    worst = Math.max(worst, err);
    const t = timeIt(() => {
      cb.backend.matmul(a, b, spec);
    }, s);
    rows.push({ label: sh.label, medianMs: t.medianMs, gflops: (2 * sh.m * sh.k * sh.n) / (t.medianMs * 1e6), reps: t.reps });
  }
  notes.push(`results checked against float64 on sampled entries: max relative error ${worst.toExponential(1)}`);
  return rows;
}

/** Runs a full garbage collection when node was started with --expose-gc. */
function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

// ---------------------------------------------------------------------------
// CORTEX MLP ROW: src/nn (Sequential, Linear, ReLU, crossEntropy) and
// src/optim (SGD), as a user would write it.
// ---------------------------------------------------------------------------
async function mlp(s: MlpSettings, collectBeforeRss: boolean): Promise<PeerAnswer['payload']> {
  const d = await loadFashionMnist(s.dataDir, s.trainLimit);
  const f = d.features;
  // The seed picks the initial weights (the default generator) and the shuffling.
  manualSeed(s.seed);
  const model = new Sequential(new Linear(f, s.hidden), new ReLU(), new Linear(s.hidden, 10));
  const opt = new SGD(model.parameters(), { lr: s.learningRate });
  const g = new Generator(s.seed);
  const testX = tensor(d.testX, { shape: [d.testCount, f] });
  const epochSeconds: number[] = [];
  const testAccuracy: number[] = [];
  const rssAfterEpochMB: number[] = [];
  for (let e = 0; e < s.epochs; e++) {
    const t0 = performance.now();
    const order = g.permutation(d.trainCount);
    for (let start = 0; start < d.trainCount; start += s.batchSize) {
      const m = Math.min(s.batchSize, d.trainCount - start);
      const [xb, yb] = gatherBatch(d, order, start, m);
      const loss = crossEntropy(model.forward(tensor(xb, { shape: [m, f] })), tensor(yb, { shape: [m], dtype: 'int32' }));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    epochSeconds.push((performance.now() - t0) / 1000);
    const logits = noGrad(() => model.forward(testX)).dataSync();
    let ok = 0;
    for (let i = 0; i < d.testCount; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
      if (best === d.testY[i]) ok++;
    }
    testAccuracy.push(ok / d.testCount);
    // For the leak check, collect garbage first so RSS shows what is still referenced.
    if (collectBeforeRss) collectGarbage();
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

// CORTEX TINY ROW: the seed's network with op functions, autograd and optim.SGD.
function tiny(s: TinySettings): PeerAnswer['payload'] {
  const g = new Generator(s.seed);
  const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => g.nextFloat());
  const x = tensor(uniform(s.samples * s.inputs), { shape: [s.samples, s.inputs] });
  const y = tensor(uniform(s.samples), { shape: [s.samples, 1] });
  const w1 = tensor(randomArray(s.inputs * s.hidden, g), { shape: [s.inputs, s.hidden], requiresGrad: true });
  const b1 = tensor(new Float32Array(s.hidden), { shape: [s.hidden], requiresGrad: true });
  const w2 = tensor(randomArray(s.hidden, g), { shape: [s.hidden, 1], requiresGrad: true });
  const b2 = tensor(new Float32Array(1), { shape: [1], requiresGrad: true });
  const opt = new SGD([w1, b1, w2, b2], { lr: s.learningRate });
  const loss = (): Tensor => {
    const h = sigmoid(add(matmul(x, w1), b1));
    const diff = sub(sigmoid(add(matmul(h, w2), b2)), y);
    return mean(mul(diff, diff));
  };
  const t = timeEpochs(() => {
    opt.zeroGrad();
    loss().backward();
    opt.step();
  }, s);
  return { tiny: { msPerEpoch: t.msPerEpoch, epochsTimed: t.epochsTimed, finalLoss: loss().item() } };
}

await runPeer(async (job) => {
  const cb = await loadBackend(job.threads, job.variant === 'js' ? 'js' : 'auto');
  const notes = [...cb.notes];
  const tag = cb.kind;
  if (job.section === 'sgemm') {
    if (job.threads > cb.threads) return { skipped: `pending: ${job.threads} threads need the wasm backend`, notes, tag };
    return { notes, tag, payload: { gemm: sgemm(job.settings, cb, notes) } };
  }
  if (job.section === 'cnn') {
    notes.push('cnn: nn.Sequential (Conv2d, ReLU, MaxPool2d, Flatten, Dropout, Linear) + crossEntropy + optim.Adam, plain loop, default init');
    return { notes, tag, payload: await cnn(job.settings) };
  }
  if (job.section === 'gpt') {
    notes.push('gpt: GPT + CharTokenizer + SequenceDataset + AdamW + LinearWarmup/CosineAnnealingLR + nextTokenStep (clipNorm 1), plain loop');
    return { notes, tag, payload: gpt(job.settings) };
  }
  const payload = job.section === 'tiny' ? tiny(job.settings) : await mlp(job.settings, job.section === 'leak');
  return { notes, tag, payload };
});
