/**
 * Measures where splitting a job over the worker pool starts to pay: for each
 * size, the best time on one thread against the best time on two with every
 * job split. The defaults in src/backend/wasm/backend.ts come from this.
 *
 *   npx tsx scripts/wasm-cutoffs.ts
 */
import { setParallelCutoffs } from '../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads, wasmBackend as w } from '../src/backend/wasm/index.js';

if ((await initWasmBackend()) === null) throw new Error('the WASM backend did not load');

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
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return ((performance.now() - t0) / reps) * 1000;
}

/**
 * Alternates one-thread and two-thread rounds (so both see the same load from
 * other processes) and keeps the best of each.
 */
async function compare(label: string, f: () => unknown): Promise<void> {
  await setNumThreads(2);
  setParallelCutoffs(0, 0);
  const reps = calibrate(f);
  let one = Number.POSITIVE_INFINITY;
  let two = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 15; round++) {
    await setNumThreads(1);
    one = Math.min(one, time(f, reps));
    await setNumThreads(2);
    two = Math.min(two, time(f, reps));
  }
  setParallelCutoffs();
  const mark = two < one ? 'split pays' : '';
  console.log(`${label.padEnd(34)} ${one.toFixed(2).padStart(9)} us ${two.toFixed(2).padStart(9)} us  ${mark}`);
}

console.log(`${'job'.padEnd(34)} ${'1 thread'.padStart(12)} ${'2 threads'.padStart(12)}`);
for (const n of [16, 24, 32, 48, 64, 96]) {
  const a = new Float32Array(n * n).fill(0.5);
  const spec = { batch: 1, m: n, k: n, n, transA: false, transB: false, strideA: 0, strideB: 0 };
  await compare(`matmul ${n}^3 (${((2 * n * n * n) / 1e3).toFixed(0)} kflop)`, () => w.matmul(a, a, spec));
}
for (const n of [4096, 16384, 65536, 262144, 1048576]) {
  const x = new Float32Array(n).fill(0.25);
  await compare(`add ${n}`, () => w.binary('add', x, [n], x, [n], [n]));
  await compare(`exp ${n}`, () => w.unary('exp', x));
}
await setNumThreads(1);
