/**
 * Where one MLP training step spends its time: batch assembly, forward, loss,
 * backward and the optimizer step, timed with `performance.now()` around each
 * phase over Fashion-MNIST epochs (the benchmark's 784-128-10 model, SGD lr
 * 0.1, batch 64).
 *
 *   npx tsx scripts/mlp-phases.ts [--threads 2] [--epochs 3]
 * @module
 */
import {
  Generator,
  Linear,
  ReLU,
  SGD,
  Sequential,
  crossEntropy,
  getBackend,
  setNumThreads,
  tensor,
} from '../src/index.js';
import { loadFashionMnist } from '../src/data/node/idx-file.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const threads = Number(flag('threads', '2'));
const epochs = Number(flag('epochs', '3'));
await setNumThreads(threads);
const train = await loadFashionMnist({ split: 'train' });
const f = train.features;
const g = new Generator(1);
const model = new Sequential(new Linear(f, 128, { generator: g }), new ReLU(), new Linear(128, 10, { generator: g }));
const opt = new SGD(model.parameters(), { lr: 0.1 });
const phases = ['batch', 'forward', 'loss', 'backward', 'step'] as const;
for (let e = 0; e < epochs; e++) {
  const ms = [0, 0, 0, 0, 0];
  const t0 = performance.now();
  const order = g.permutation(train.n);
  for (let start = 0; start < train.n; start += 64) {
    let t = performance.now();
    const lap = (i: number): void => {
      const now = performance.now();
      ms[i]! += now - t;
      t = now;
    };
    const m = Math.min(64, train.n - start);
    const xb = new Float32Array(m * f);
    const yb = new Int32Array(m);
    for (let r = 0; r < m; r++) {
      const src = order[start + r]!;
      xb.set(train.x.subarray(src * f, (src + 1) * f), r * f);
      yb[r] = train.y[src]!;
    }
    const x = tensor(xb, { shape: [m, f] });
    const y = tensor(yb, { shape: [m], dtype: 'int32' });
    lap(0);
    const logits = model.forward(x);
    lap(1);
    const loss = crossEntropy(logits, y);
    lap(2);
    opt.zeroGrad();
    loss.backward();
    lap(3);
    opt.step();
    lap(4);
  }
  const total = performance.now() - t0;
  const parts = phases.map((p, i) => `${p} ${ms[i]!.toFixed(0)}`).join(', ');
  console.log(`${getBackend().name}, ${threads} thread(s), epoch ${e + 1}: ${total.toFixed(0)} ms (${parts} ms)`);
}
process.exit(0);
