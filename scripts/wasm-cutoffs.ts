/**
 * Measures where splitting a job over the worker pool starts to pay: for each
 * size, the best time on one thread against the best time on two with every
 * job split. The defaults in src/backend/wasm/jobs.ts come from this.
 *
 *   npx tsx scripts/wasm-cutoffs.ts [--gap 100] [--median]
 *
 * `--median` reports the median of the rounds instead of the best one.
 * `--gap <µs>` spends that long on other main-thread work before every call
 * (excluded from the figures), as a training step does between its kernels:
 * back to back, the workers are always spinning and splitting looks better
 * than it is in a real step.
 */
import { setParallelCutoffs } from '../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads, wasmBackend as w } from '../src/backend/wasm/index.js';

if ((await initWasmBackend()) === null) throw new Error('the WASM backend did not load');

const gapIndex = process.argv.indexOf('--gap');
const gapMs = gapIndex >= 0 ? Number(process.argv[gapIndex + 1] ?? 0) / 1000 : 0;
const useMedian = process.argv.includes('--median');

/** Busy main-thread work of `gapMs` (the rest of a training step). */
function busy(): void {
  const t0 = performance.now();
  while (performance.now() - t0 < gapMs) {}
}

/** Repetitions that take about 2 ms. */
function calibrate(f: () => unknown): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    if (performance.now() - t0 > 2) return reps;
    reps *= 2;
  }
}

function time(f: () => unknown, reps: number): number {
  if (gapMs === 0) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    return ((performance.now() - t0) / reps) * 1000;
  }
  let spent = 0;
  for (let i = 0; i < reps; i++) {
    busy();
    const t0 = performance.now();
    f();
    spent += performance.now() - t0;
  }
  return (spent / reps) * 1000;
}

/**
 * Alternates one-thread and two-thread rounds (so both see the same load from
 * other processes) and keeps the best (or the median) of each.
 */
async function compare(label: string, f: () => unknown): Promise<void> {
  await setNumThreads(2);
  setParallelCutoffs(0, 0);
  const reps = calibrate(f);
  const ones: number[] = [];
  const twos: number[] = [];
  for (let round = 0; round < 15; round++) {
    await setNumThreads(1);
    ones.push(time(f, reps));
    await setNumThreads(2);
    twos.push(time(f, reps));
  }
  const pick = (xs: number[]): number => (useMedian ? xs.sort((p, q) => p - q)[xs.length >> 1]! : Math.min(...xs));
  const one = pick(ones);
  const two = pick(twos);
  setParallelCutoffs();
  const mark = two < one ? 'split pays' : '';
  console.log(`${label.padEnd(34)} ${one.toFixed(2).padStart(9)} us ${two.toFixed(2).padStart(9)} us  ${mark}`);
}

console.log(`${gapMs > 0 ? `${gapMs * 1000} µs of other work before each call\n` : ''}${'job'.padEnd(34)} ${'1 thread'.padStart(12)} ${'2 threads'.padStart(12)}`);
for (const n of [16, 24, 32, 48, 64, 80, 96, 128]) {
  const a = new Float32Array(n * n).fill(0.5);
  const spec = { batch: 1, m: n, k: n, n, transA: false, transB: false, strideA: 0, strideB: 0 };
  await compare(`matmul ${n}^3 (${((2 * n * n * n) / 1e3).toFixed(0)} kflop)`, () => w.matmul(a, a, spec));
}
{
  // The Fashion-MNIST MLP's head: [64, 128] · [10, 128]ᵀ.
  const x = new Float32Array(64 * 128).fill(0.5);
  const wt = new Float32Array(10 * 128).fill(0.5);
  const spec = { batch: 1, m: 64, k: 128, n: 10, transA: false, transB: true, strideA: 0, strideB: 0 };
  await compare('matmul 64x128x10 (164 kflop)', () => w.matmul(x, wt, spec));
}
for (const n of [4096, 16384, 65536, 262144, 1048576]) {
  const x = new Float32Array(n).fill(0.25);
  await compare(`add ${n}`, () => w.binary('add', x, [n], x, [n], [n]));
  await compare(`exp ${n}`, () => w.unary('exp', x));
}
await setNumThreads(1);
