/**
 * Quick sgemm throughput check of the WASM backend, end to end through
 * `wasmBackend.matmul` (copies in and out included), on 1 and 2 threads.
 *
 *   npx tsx scripts/gemm-speed.ts [--relaxed-off]
 */
import type { MatmulSpec } from '../src/backend/backend.js';
import { initWasmBackend, setNumThreads, wasmBackend } from '../src/backend/wasm/index.js';

const info = await initWasmBackend({ relaxedSimd: !process.argv.includes('--relaxed-off') });
if (info === null) throw new Error('the WASM backend did not load');
console.log(`kernels: ${info.variant}, relaxed SIMD: ${info.relaxedSimd}, cores: ${info.cores}`);

interface Case {
  label: string;
  spec: MatmulSpec;
}

function square(n: number): Case {
  return { label: `${n}x${n}x${n}`, spec: { batch: 1, m: n, k: n, n, transA: false, transB: false, strideA: 0, strideB: 0 } };
}

const cases: Case[] = [
  square(64),
  square(256),
  square(512),
  square(1024),
  {
    label: 'MLP fwd [64x784]·[784x128]',
    spec: { batch: 1, m: 64, k: 784, n: 128, transA: false, transB: false, strideA: 0, strideB: 0 },
  },
  {
    label: 'MLP dW  [64x784]ᵀ·[64x128]',
    spec: { batch: 1, m: 784, k: 64, n: 128, transA: true, transB: false, strideA: 0, strideB: 0 },
  },
  {
    label: 'MLP dX  [64x128]·[784x128]ᵀ',
    spec: { batch: 1, m: 64, k: 128, n: 784, transA: false, transB: true, strideA: 0, strideB: 0 },
  },
  ...(
    [
      [1, 768, 128, 512, false, true],
      [1, 768, 512, 128, false, false],
      [1, 512, 768, 128, true, false],
      [1, 768, 128, 384, false, true],
      [48, 64, 32, 64, false, true],
      [48, 64, 64, 32, false, false],
    ] as const
  ).map(([batch, m, k, n, transA, transB]) => ({
    label: `GPT ${batch > 1 ? `${batch}×` : ''}[${m}x${k}]${transA ? 'ᵀ' : ''}·[${k}x${n}]${transB ? 'ᵀ' : ''}`,
    spec: { batch, m, k, n, transA, transB, strideA: batch > 1 ? m * k : 0, strideB: batch > 1 ? k * n : 0 },
  })),
];

/**
 * Best GFLOP/s on 1 and on 2 threads, alternating short rounds so that both
 * see the same load from other processes on a shared machine.
 */
async function gflops(c: Case): Promise<[number, number]> {
  const { m, k, n } = c.spec;
  const { batch } = c.spec;
  const a = new Float32Array(batch * m * k).map(() => Math.random() - 0.5);
  const b = new Float32Array(batch * k * n).map(() => Math.random() - 0.5);
  const flops = 2 * batch * m * n * k;
  const reps = Math.max(1, Math.round(3e7 / flops));
  const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let round = 0; round < 16; round++) {
    for (const t of [1, 2]) {
      await setNumThreads(t);
      wasmBackend.matmul(a, b, c.spec);
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) wasmBackend.matmul(a, b, c.spec);
      best[t - 1] = Math.min(best[t - 1]!, (performance.now() - t0) / reps);
    }
  }
  return [flops / (best[0]! * 1e6), flops / (best[1]! * 1e6)];
}

console.log(`${'shape'.padEnd(30)} ${'1 thread'.padStart(10)} ${'2 threads'.padStart(10)}   GFLOP/s`);
for (const c of cases) {
  const [one, two] = await gflops(c);
  console.log(`${c.label.padEnd(30)} ${one.toFixed(1).padStart(10)} ${two.toFixed(1).padStart(10)}`);
}
