/**
 * jax-js peer (`@jax-js/jax`, JAX's API in JavaScript) on its `wasm` device.
 *
 * Node 20 has no `navigator`, so the peer starts only the wasm backend with
 * `init('wasm')` instead of `init()`. Node 20 also has no global `Worker`, so
 * jax-js's wasm device runs on one thread here (its worker pool needs `Worker`
 * and `SharedArrayBuffer`).
 *
 * jax-js frees memory by reference counting: every function takes ownership of
 * the arrays passed to it, `x.ref` adds a reference for a second use, and
 * `dispose()` drops one. This peer follows those rules so that nothing leaks
 * across steps; each array is used exactly once unless taken with `.ref`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { blockUntilReady, defaultDevice, grad, init, jit, nn, numpy as np, tree } from '@jax-js/jax';
import { loadFashionMnist } from '../lib/dataset.js';
import { type PeerAnswer, rssMB, runPeer } from '../lib/peer.js';
import type { GemmRow, GemmSettings, MlpSettings } from '../lib/protocol.js';
import { PeerRng } from '../lib/rng.js';
import { median, timeIt } from '../lib/timing.js';

function randomArray(n: number, g: PeerRng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.nextNormal();
  return out;
}

/** A float32 jax-js array from row-major data. */
function fromData(data: Float32Array, shape: number[]): np.Array {
  return np.array(data).reshape(shape);
}

/**
 * Largest relative error of `c` against a float64 dot product on sampled entries,
 * so that a fast but wrong result never becomes a figure.
 */
function sampledError(a: Float32Array, b: Float32Array, c: ArrayLike<number>, sh: GemmSettings['shapes'][number], g: PeerRng): number {
  const { m, k, n, transA, transB } = sh;
  let worst = 0;
  for (let t = 0; t < 64; t++) {
    const i = Math.floor(g.nextFloat() * m);
    const j = Math.floor(g.nextFloat() * n);
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

// ---------------------------------------------------------------------------
// sgemm: np.matmul on float32 arrays that live on the wasm device; the timed call
// includes reading the product back with dataSync(), as the TF.js peer does.
// A transposed operand is `.transpose()`, a view jax-js folds into the kernel.
// ---------------------------------------------------------------------------
function sgemm(s: GemmSettings, notes: string[]): GemmRow[] {
  const g = new PeerRng(1);
  const rows: GemmRow[] = [];
  let worst = 0;
  for (const sh of s.shapes) {
    const aData = randomArray(sh.m * sh.k, g);
    const bData = randomArray(sh.k * sh.n, g);
    const a = fromData(aData, sh.transA ? [sh.k, sh.m] : [sh.m, sh.k]);
    const b = fromData(bData, sh.transB ? [sh.n, sh.k] : [sh.k, sh.n]);
    // Each call takes new references to a and b; matmul consumes them, dataSync consumes the product.
    const product = (): ArrayLike<number> => {
      const opA = sh.transA ? a.ref.transpose() : a.ref;
      const opB = sh.transB ? b.ref.transpose() : b.ref;
      return np.matmul(opA, opB).dataSync();
    };
    const err = sampledError(aData, bData, product(), sh, g);
    if (!(err <= 1e-4)) throw new Error(`jax-js matmul gives wrong results for ${sh.label}: relative error ${err}`);
    worst = Math.max(worst, err);
    const t = timeIt(() => {
      product();
    }, s);
    rows.push({ label: sh.label, medianMs: t.medianMs, gflops: (2 * sh.m * sh.k * sh.n) / (t.medianMs * 1e6), reps: t.reps });
    a.dispose();
    b.dispose();
  }
  notes.push(`results checked against float64 on sampled entries: max relative error ${worst.toExponential(1)}`);
  return rows;
}

// ---------------------------------------------------------------------------
// JAX-JS MLP ROW: 784-128-10, ReLU, softmax cross-entropy (mean over the batch),
// plain SGD, written as a jax-js user would: a pure loss function of a parameter
// tree, grad() for the gradients, and one jit()-compiled training step.
// ---------------------------------------------------------------------------
type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array };

/** Logits of the MLP. Consumes `p` and `x`. */
function forward(p: Params, x: np.Array): np.Array {
  const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
  return np.matmul(h, p.w2).add(p.b2);
}

/** Mean softmax cross-entropy against one-hot targets. Consumes its arguments. */
function loss(p: Params, x: np.Array, yOneHot: np.Array): np.Array {
  return nn.logSoftmax(forward(p, x), -1).mul(yOneHot).sum(-1).mean().neg();
}

async function mlp(s: MlpSettings): Promise<PeerAnswer['payload']> {
  const d = await loadFashionMnist(s.dataDir, s.trainLimit);
  const f = d.features;
  const g = new PeerRng(s.seed);
  // PyTorch's default Linear init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases,
  // as the numpy peer and Cortex's Linear use.
  const uniform = (fanIn: number, shape: number[]): np.Array => {
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    return fromData(Float32Array.from({ length: n }, () => (2 * g.nextFloat() - 1) * bound), shape);
  };
  let params: Params = { w1: uniform(f, [f, s.hidden]), b1: uniform(f, [s.hidden]), w2: uniform(s.hidden, [s.hidden, 10]), b2: uniform(s.hidden, [10]) };
  const lr = s.learningRate;
  // One training step. It consumes the old parameters, x and the labels, and returns new parameters.
  const step = jit((p: Params, x: np.Array, labels: np.Array): Params => {
    const grads = grad(loss)(tree.ref(p), x, nn.oneHot(labels, 10));
    return tree.map((w: np.Array, dw: np.Array) => w.sub(dw.mul(lr)), p, grads);
  });
  const predict = jit((p: Params, x: np.Array): np.Array => np.argmax(forward(p, x), 1));
  const testX = fromData(d.testX, [d.testCount, f]);
  const epochSeconds: number[] = [];
  const testAccuracy: number[] = [];
  const rssAfterEpochMB: number[] = [];
  for (let e = 0; e < s.epochs; e++) {
    const t0 = performance.now();
    const order = g.permutation(d.trainCount);
    for (let start = 0; start < d.trainCount; start += s.batchSize) {
      const m = Math.min(s.batchSize, d.trainCount - start);
      const xb = new Float32Array(m * f);
      const yb = new Int32Array(m);
      for (let r = 0; r < m; r++) {
        const src = order[start + r]!;
        xb.set(d.trainX.subarray(src * f, (src + 1) * f), r * f);
        yb[r] = d.trainY[src]!;
      }
      params = step(params, fromData(xb, [m, f]), np.array(yb, { dtype: np.int32 }));
      // jax-js dispatches lazily: without a wait, a whole epoch of steps (and every batch they
      // hold) piles up before anything runs. Its MNIST demo waits for the parameters after
      // each step, as here. blockUntilReady does not take ownership.
      await blockUntilReady(params);
    }
    epochSeconds.push((performance.now() - t0) / 1000);
    const pred = predict(tree.ref(params), testX.ref).dataSync();
    let ok = 0;
    for (let i = 0; i < d.testCount; i++) if (pred[i] === d.testY[i]) ok++;
    testAccuracy.push(ok / d.testCount);
    rssAfterEpochMB.push(rssMB());
  }
  tree.dispose(params);
  testX.dispose();
  step.dispose();
  predict.dispose();
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
  const started = await init('wasm');
  if (!started.includes('wasm')) throw new Error(`jax-js: the wasm device did not start (init gave ${started.join(', ') || 'nothing'})`);
  defaultDevice('wasm');
  const threads = typeof Worker === 'undefined' ? 'one thread (no global Worker in this Node)' : 'worker threads available';
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@jax-js/jax')), 'utf8')) as { version: string };
  const notes = [`@jax-js/jax ${pkg.version}, device wasm, ${threads}`];
  switch (job.section) {
    case 'sgemm':
      return { notes, payload: { gemm: sgemm(job.settings, notes) } };
    case 'mlp':
      notes.push('grad + jit training step, PyTorch-style uniform init, one-hot softmax cross-entropy, plain SGD');
      return { notes, payload: await mlp(job.settings) };
    default:
      return { skipped: `jax-js does not run the ${job.section} section`, notes };
  }
});
