/**
 * Times training steps (forward, backward, Adam) of the CNN of
 * examples/fashion-cnn.ts through the public API on random batches of 64,
 * the loop of the `cnn` bench section without the data set.
 *
 *   npx tsx scripts/cnn-train-step.ts [--threads 2] [--steps 20] [--rounds 3]
 *
 * Prints the wall-clock milliseconds per step of each round and their median,
 * the process's CPU milliseconds per step (all threads; steadier than the wall
 * clock on a machine shared with other work), and the reference-backend
 * fallbacks per step.
 * @module
 */
import { buildCnn } from '../examples/fashion-cnn.js';
import { Adam, Generator, backendStatus, crossEntropy, resetFallbackCounts, setNumThreads, tensor } from '../src/index.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const threads = Number(flag('threads', '2'));
const steps = Number(flag('steps', '20'));
const rounds = Number(flag('rounds', '3'));
await setNumThreads(threads);

const generator = new Generator(42);
const model = buildCnn(generator);
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const batch = 64;
const xs = new Float32Array(batch * 28 * 28);
const ys = new Int32Array(batch);

function step(): void {
  for (let i = 0; i < xs.length; i++) xs[i] = generator.nextFloat();
  for (let i = 0; i < batch; i++) ys[i] = i % 10;
  const loss = crossEntropy(model.forward(tensor(xs, { shape: [batch, 1, 28, 28] })), tensor(ys, { shape: [batch], dtype: 'int32' }));
  opt.zeroGrad();
  loss.backward();
  opt.step();
}

step();
resetFallbackCounts();
const times: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) step();
  times.push((performance.now() - t0) / steps);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000 / steps);
  // Let finalizers run between rounds, as an awaiting training loop would.
  await new Promise((resolve) => setTimeout(resolve, 0));
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
console.log(
  `threads ${threads}: ms per step ${times.map((t) => t.toFixed(1)).join(' ')}; median ${median(times).toFixed(1)}; ` +
    `CPU ms per step ${cpu.map((t) => t.toFixed(1)).join(' ')}; median ${median(cpu).toFixed(1)}`,
);
const fb = backendStatus().fallbacks;
console.log(`fallbacks per step: ${JSON.stringify(Object.fromEntries(Object.entries(fb).map(([k, v]) => [k, v / (steps * rounds)])))}`);
