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

function best(f: () => unknown): number {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    if (performance.now() - t0 > 5) break;
    reps *= 2;
  }
  let b = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 9; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    b = Math.min(b, (performance.now() - t0) / reps);
  }
  return b * 1000;
}

async function compare(label: string, f: () => unknown): Promise<void> {
  await setNumThreads(1);
  const one = best(f);
  await setNumThreads(2);
  setParallelCutoffs(0, 0);
  const two = best(f);
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
