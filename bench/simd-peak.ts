/**
 * `npm run bench:peak`: the most float32 arithmetic WebAssembly SIMD can do on
 * this machine, in this Node, with no memory traffic at all. It is the ceiling
 * for any wasm matmul (ours, TF.js's, jax-js's), so a GFLOP/s target above it
 * cannot be met by better code.
 *
 * The loop keeps `CHAINS` independent f32x4 accumulators in registers and updates
 * each one per iteration, `c = c + c·b` (a multiply and an add, 8 flops) or with
 * relaxed SIMD `c = fma(c, b, c)`. `b` is a run-time zero, so values stay put and
 * the compiler cannot fold anything; each chain depends only on itself, so the
 * loop is bound by the core's vector-arithmetic throughput, not by latency. V8
 * has 16 xmm registers: 12 accumulators plus `b` and one temporary fit without
 * spilling (the generated x64 code was checked with `--print-wasm-code`).
 *
 * It runs the loop on one thread, then on every core at once (one worker each),
 * and prints GFLOP/s; best of several runs, since these machines are noisy.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import asc from 'assemblyscript/asc';

/** Independent accumulators per loop iteration (see the module comment). */
const CHAINS = 12;
/** Loop iterations per timed call: about 0.1 s at 40 GFLOP/s. */
const ITERS = 50_000_000;
/** Timed calls per kernel and thread; the best is kept. */
const RUNS = 7;

type Kernel = 'mulAdd' | 'fma';

/** Update of one accumulator `c` per kernel. */
const UPDATE: Record<Kernel, (c: string) => string> = {
  mulAdd: (c) => `f32x4.add(${c}, f32x4.mul(${c}, b))`,
  fma: (c) => `f32x4.relaxed_madd(${c}, b, ${c})`,
};

/** AssemblyScript source of one kernel, exported as `run`. */
function source(kernel: Kernel): string {
  const names = Array.from({ length: CHAINS }, (_, i) => `c${i}`);
  return [
    'export function run(iters: i32, zero: f32): f32 {',
    '  const b = f32x4.splat(zero);',
    ...names.map((c, i) => `  let ${c} = f32x4.splat(<f32>${i + 1});`),
    '  for (let i = 0; i < iters; i++) {',
    ...names.map((c) => `    ${c} = ${UPDATE[kernel](c)};`),
    '  }',
    `  return ${names.map((c) => `f32x4.extract_lane(${c}, 0)`).join(' + ')};`,
    '}',
  ].join('\n');
}

/** Compiles one kernel into its own module (relaxed SIMD only for `fma`, so `mulAdd` loads everywhere). */
async function compile(kernel: Kernel): Promise<Uint8Array<ArrayBuffer>> {
  let binary: Uint8Array<ArrayBuffer> | null = null;
  const features = kernel === 'fma' ? ['--enable', 'simd', '--enable', 'relaxed-simd'] : ['--enable', 'simd'];
  const { error, stderr } = await asc.main(
    ['peak.ts', '-O3', '--runtime', 'stub', ...features, '--outFile', 'peak.wasm'],
    {
      readFile: (name) => (name === 'peak.ts' ? source(kernel) : null),
      writeFile: (name, contents) => {
        if (name === 'peak.wasm' && contents instanceof Uint8Array) binary = new Uint8Array(contents);
      },
      listFiles: () => [],
    },
  );
  if (error !== null || binary === null) throw new Error(`simd-peak: compiling the kernels failed: ${String(error)}\n${stderr.toString()}`);
  return binary;
}

/** Instantiates a kernel's module, or gives null where the runtime lacks a feature it uses. */
async function load(bytes: Uint8Array<ArrayBuffer>): Promise<((iters: number, zero: number) => number) | null> {
  try {
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, { env: { abort: () => undefined } });
    return instance.exports.run as (iters: number, zero: number) => number;
  } catch {
    return null; // e.g. Node 20 without --experimental-wasm-relaxed-simd rejects relaxed SIMD
  }
}

/**
 * Best GFLOP/s of `fn` over RUNS timed calls. Plain JavaScript in a string, so
 * the workers (started from source, without a TypeScript loader) run the same code.
 */
const MEASURE = `function measure(fn) {
  fn(${ITERS / 10}, 0);
  let best = Infinity;
  for (let r = 0; r < ${RUNS}; r++) {
    const t0 = performance.now();
    const v = fn(${ITERS}, 0);
    best = Math.min(best, (performance.now() - t0) / 1000);
    if (!Number.isFinite(v)) throw new Error('simd-peak: the kernel returned a non-finite value');
  }
  return ${ITERS * CHAINS * 8} / best / 1e9;
}`;
const measure = new Function(`return ${MEASURE}`)() as (fn: (iters: number, zero: number) => number) => number;

/** Worker body: instantiate the kernel it is sent, measure, post GFLOP/s. */
const WORKER = `const { parentPort, workerData } = require('node:worker_threads');
${MEASURE}
WebAssembly.instantiate(workerData, { env: { abort() {} } }).then(({ instance }) => parentPort.postMessage(measure(instance.exports.run)));`;

/** Runs the kernel on `threads` workers at once; gives each one's GFLOP/s. */
async function onEveryCore(bytes: Uint8Array<ArrayBuffer>, threads: number): Promise<number[]> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: bytes }));
  try {
    return await Promise.all(workers.map((w) => new Promise<number>((resolve, reject) => {
      w.once('message', (g: number) => resolve(g));
      w.once('error', reject);
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function main(): Promise<void> {
  const threads = availableParallelism();
  console.log(`WebAssembly SIMD arithmetic ceiling, ${CHAINS} register accumulators, no loads or stores (Node ${process.version})`);
  for (const kernel of ['mulAdd', 'fma'] as const) {
    const bytes = await compile(kernel);
    const fn = await load(bytes);
    const label = kernel === 'mulAdd' ? 'f32x4 mul + add (plain SIMD)' : 'f32x4 relaxed_madd (relaxed SIMD)';
    if (fn === null) {
      console.log(`${label}: not available in this runtime (Node 20 needs --experimental-wasm-relaxed-simd)`);
      continue;
    }
    const one = measure(fn);
    const all = await onEveryCore(bytes, threads);
    const sum = all.reduce((a, b) => a + b, 0);
    console.log(`${label}: 1 thread ${one.toFixed(1)} GFLOP/s; ${threads} threads at once ${all.map((g) => g.toFixed(1)).join(' + ')} = ${sum.toFixed(1)} GFLOP/s`);
  }
}

await main();
