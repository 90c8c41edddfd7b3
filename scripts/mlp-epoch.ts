/**
 * Times one Fashion-MNIST epoch of the issue's MLP (784-128-10, ReLU, softmax
 * cross-entropy, SGD at lr 0.1, batch 64) through the public API, on the active
 * backend (WASM where it loads).
 *
 *   npx tsx scripts/mlp-epoch.ts [--threads 1|2] [--epochs 3] [--mode modules|fused] [--phases]
 *
 * `modules` is the benchmark's model (`Sequential(Linear, ReLU, Linear)`);
 * `fused` runs the hidden layer as `hidden.forwardActivated(x, 'relu')`
 * (one `linear(x, w, b, 'relu')` primitive). Both use
 * `crossEntropy` with int32 labels. Prints the seconds of each epoch, their
 * median, and the test accuracy after the last one. `--phases` (or its older
 * name `--time-step`) also prints, for each epoch, the milliseconds spent
 * assembling batches, in the forward pass, the loss, the backward pass and
 * `opt.step()`, timed with `performance.now()` around each.
 * @module
 */
import {
  Generator,
  Linear,
  ReLU,
  SGD,
  Sequential,
  type Tensor,
  crossEntropy,
  getBackend,
  noGrad,
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
const mode = flag('mode', 'modules');
const phases = process.argv.includes('--phases') || process.argv.includes('--time-step');
const PHASES = ['batch', 'forward', 'loss', 'backward', 'step'] as const;
await setNumThreads(threads);

const [train, test] = await Promise.all([loadFashionMnist({ split: 'train' }), loadFashionMnist({ split: 'test' })]);
const f = train.features;
const g = new Generator(1);
const hidden = new Linear(f, 128, { generator: g });
const head = new Linear(128, 10, { generator: g });
const model = new Sequential(hidden, new ReLU(), head);
const forward =
  mode === 'fused'
    ? (x: Tensor): Tensor => head.forward(hidden.forwardActivated(x, 'relu'))
    : (x: Tensor): Tensor => model.forward(x);
const opt = new SGD(model.parameters(), { lr: 0.1 });

const times: number[] = [];
const phaseMs: number[][] = [];
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  const ms = PHASES.map(() => 0);
  let t = t0;
  // Adds the time since the last lap to phase i (only with --phases).
  const lap = (i: number): void => {
    if (!phases) return;
    const now = performance.now();
    ms[i]! += now - t;
    t = now;
  };
  const order = g.permutation(train.n);
  for (let start = 0; start < train.n; start += 64) {
    if (phases) t = performance.now();
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
    const logits = forward(x);
    lap(1);
    const loss = crossEntropy(logits, y);
    lap(2);
    opt.zeroGrad();
    loss.backward();
    lap(3);
    opt.step();
    lap(4);
  }
  times.push((performance.now() - t0) / 1000);
  phaseMs.push(ms);
}
const logits = noGrad(() => forward(tensor(test.x, { shape: [test.n, f] }))).dataSync();
let ok = 0;
for (let i = 0; i < test.n; i++) {
  let best = 0;
  for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
  if (best === test.y[i]) ok++;
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `${getBackend().name}, ${threads} thread(s), ${mode}: epochs ${times.map((t) => t.toFixed(3)).join(' ')} s; ` +
    `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} s; test accuracy ${(ok / test.n).toFixed(4)}`,
);
if (phases) {
  phaseMs.forEach((ms, e) => {
    console.log(`epoch ${e + 1}: ${PHASES.map((p, i) => `${p} ${ms[i]!.toFixed(1)}`).join(', ')} ms`);
  });
}
process.exit(0);
