/**
 * Times the forward and backward pass of a small CNN batch on the WASM backend
 * (batch 64, 1×28×28 → Conv2d(1, 32, 3, padding 1) → ReLU → MaxPool2d(2) →
 * Conv2d(32, 64, 3, padding 1) → ReLU → MaxPool2d(2) → Flatten →
 * Linear(64·7·7, 10), softmax cross-entropy), on random data.
 *
 *   npx tsx scripts/cnn-step.ts [--threads 1|2] [--rounds 5] [--steps 10] [--bn]
 *
 * `--bn` puts a BatchNorm2d after each convolution (its statistics and per-channel affine).
 *
 * Each round times `steps` passes twice, interleaved: once with the WASM
 * convolution and pooling kernels (the fused `conv2d` jobs, `im2col`, `col2im`,
 * the pooling kernels) unregistered, so they run on the reference backend as before they existed,
 * and once with them registered. Prints the milliseconds per pass of every
 * round, the medians and the fallbacks each variant recorded.
 * @module
 */
import type { KernelName } from '../src/backend/backend.js';
import { getKernel, registerKernel, unregisterKernel } from '../src/backend/registry.js';
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  backendStatus,
  crossEntropy,
  setNumThreads,
  tensor,
} from '../src/index.js';
import { resetFallbackCounts } from '../src/backend/registry.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const threads = Number(flag('threads', '2'));
const rounds = Number(flag('rounds', '5'));
const steps = Number(flag('steps', '10'));
const bn = process.argv.includes('--bn');
await setNumThreads(threads);

// The fused convolution jobs (which Conv2d uses now), the unfold/fold pair (ConvTranspose2d) and pooling.
const NEW: readonly KernelName[] = [
  'conv2d', 'conv2dGradInput', 'conv2dGradWeight', 'im2col', 'col2im', 'maxPool2d', 'maxPool2dGrad', 'avgPool2d', 'avgPool2dGrad',
];
const saved = new Map(NEW.flatMap((k) => {
  const fn = getKernel(k, 'wasm');
  return fn === undefined ? [] : [[k, fn] as const];
}));

/** Registers (true) or unregisters (false) the kernels under test. */
function useNew(on: boolean): void {
  for (const [name, fn] of saved) {
    if (on) registerKernel({ name, backend: 'wasm', fn } as Parameters<typeof registerKernel>[0]);
    else unregisterKernel(name, 'wasm');
  }
}

const g = new Generator(1);
const model = new Sequential(
  new Conv2d(1, 32, 3, { padding: 1, generator: g }),
  ...(bn ? [new BatchNorm2d(32)] : []),
  new ReLU(),
  new MaxPool2d(2),
  new Conv2d(32, 64, 3, { padding: 1, generator: g }),
  ...(bn ? [new BatchNorm2d(64)] : []),
  new ReLU(),
  new MaxPool2d(2),
  new Flatten(),
  new Linear(64 * 7 * 7, 10, { generator: g }),
);
const batch = 64;
const xs = new Float32Array(batch * 28 * 28);
for (let i = 0; i < xs.length; i++) xs[i] = g.nextFloat();
const x = tensor(xs, { shape: [batch, 1, 28, 28] });
const labels = tensor(Int32Array.from({ length: batch }, (_, i) => i % 10), { shape: [batch], dtype: 'int32' });

function pass(): void {
  model.zeroGrad();
  crossEntropy(model.forward(x), labels).backward();
}

/** Milliseconds per pass over `steps` passes. */
function time(): number {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) pass();
  return (performance.now() - t0) / steps;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const fallbacks: Record<string, Record<string, number>> = {};
for (const on of [false, true]) {
  useNew(on);
  resetFallbackCounts();
  pass();
  fallbacks[on ? 'after' : 'before'] = backendStatus().fallbacks;
}
const before: number[] = [];
const after: number[] = [];
for (let r = 0; r < rounds; r++) {
  useNew(false);
  before.push(time());
  useNew(true);
  after.push(time());
  console.log(`round ${r}: before ${before.at(-1)!.toFixed(1)} ms, after ${after.at(-1)!.toFixed(1)} ms`);
}
console.log(`threads ${threads}${bn ? ', BatchNorm2d after each conv' : ''}, kernels present: ${[...saved.keys()].join(', ') || 'none'}`);
console.log(`median ms per forward+backward: before ${median(before).toFixed(1)}, after ${median(after).toFixed(1)}, speed-up ${(median(before) / median(after)).toFixed(2)}x`);
console.log('fallbacks per pass:', JSON.stringify(fallbacks));
process.exit(0);
