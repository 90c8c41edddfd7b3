/**
 * Finds, validates and instantiates the kernel modules for this platform.
 *
 * Four builds ship next to this file: `kernels-single[-relaxed].wasm` (plain
 * memory) and `kernels-threads[-relaxed].wasm` (shared memory, for the worker
 * pool); `-relaxed` uses relaxed-SIMD FMA. Single-thread jobs always run in a
 * plain-memory instance, because copying into a shared memory is several times
 * slower; jobs split over the pool run in the shared one. Feature detection is
 * `WebAssembly.validate` on the candidate bytes: a runtime without SIMD rejects
 * every build, and the caller then keeps the reference backend. Node 20 hides
 * relaxed SIMD behind a V8 flag; `CORTEX_RELAXED_SIMD=1` turns it on (see
 * `optInRelaxedSimd` in node.ts). A file that cannot be read, or is not
 * WebAssembly at all (an HTML page from a dev server), is an error that names
 * the URL and the fix, never "no SIMD".
 *
 * The kernel URLs must stay literal `new URL('./generated/….wasm',
 * import.meta.url)` expressions: that is the form Vite, webpack 5 and esbuild
 * recognise and rewrite to the emitted asset.
 * @module
 */
import { CortexError } from '../../errors.js';
import { hostPlatform } from '#wasm-platform';
import { KERNEL_HINT, type Platform } from './platform.js';
import type { SpawnWorker } from './pool.js';
import type { KernelExports } from './runtime.js';

/** Options of {@link loadKernels}. */
export interface LoadOptions {
  /** Use the relaxed-SIMD build when the runtime validates it (default true). */
  relaxedSimd?: boolean;
  /** Allow shared memory and workers (default true). */
  threads?: boolean;
}

/** One instantiated build and its memory. */
export interface KernelInstance {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  /** File name of the build. */
  variant: string;
}

/** The loaded kernels and what the platform offers around them. */
export interface LoadedKernels {
  /** Plain-memory instance for jobs that run on the calling thread. */
  single: KernelInstance;
  /** Shared-memory instance for jobs split over the pool, or null without threads. */
  pooled: KernelInstance | null;
  /** Whether the builds use relaxed-SIMD FMA. */
  relaxed: boolean;
  /** Starts pool workers, or null when this platform cannot share memory. */
  spawn: SpawnWorker | null;
  /** Logical cores. */
  cores: number;
  /** Whether the loading thread may park in `Atomics.wait` (false on a browser's main thread). */
  canBlock: boolean;
}

function kernelExports(instance: WebAssembly.Instance): KernelExports {
  const e = instance.exports;
  const runJob = e.runJob;
  const scratch = e.gemmScratchBytes;
  const heapBase = e.heapBase;
  if (typeof runJob !== 'function' || typeof scratch !== 'function' || typeof heapBase !== 'function') {
    throw new CortexError('wasm backend: the kernel module lacks runJob, gemmScratchBytes or heapBase; rebuild it with npm run build:wasm');
  }
  return {
    runJob: runJob as KernelExports['runJob'],
    gemmScratchBytes: scratch as KernelExports['gemmScratchBytes'],
    heapBase: heapBase as KernelExports['heapBase'],
  };
}

/** True when `bytes` start with the WebAssembly magic number and version 1. */
function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** The first bytes as text, for an error message. */
function preview(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes.subarray(0, 24)) text += b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
  return text;
}

/**
 * Fetches, validates and instantiates one build. `variant` is its file name
 * (reported as is: a bundler may have renamed the file, say to
 * kernels-single-74UQAiVI.wasm); `url` must be a literal
 * `new URL('./generated/….wasm', import.meta.url)` at the call site.
 */
async function instantiate(
  env: Platform,
  variant: string,
  url: URL,
  shared: boolean,
): Promise<KernelInstance | null> {
  const bytes = await env.read(url);
  if (!isWasm(bytes)) {
    throw new CortexError(
      `wasm backend: ${url.href} is not a WebAssembly module (it starts with ${JSON.stringify(preview(bytes))}; ` +
        `a server that answers unknown paths with index.html does this). ${KERNEL_HINT}`,
    );
  }
  // Real wasm bytes that do not validate: this runtime lacks (relaxed) SIMD.
  if (!WebAssembly.validate(bytes)) return null;
  const module = await WebAssembly.compile(bytes);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { module, memory, exports: kernelExports(instance), variant };
}

/**
 * Loads the best kernel builds this runtime validates, or returns null when
 * none does (no WebAssembly SIMD). Read or compile failures throw.
 */
export async function loadKernels(options: LoadOptions = {}): Promise<LoadedKernels | null> {
  if (typeof WebAssembly !== 'object') return null;
  const env = hostPlatform(options.threads !== false);
  const tryRelaxed = options.relaxedSimd !== false;
  let relaxed = false;
  let single: KernelInstance | null = null;
  if (tryRelaxed) {
    env.optInRelaxed();
    single = await instantiate(env, 'kernels-single-relaxed.wasm', new URL('./generated/kernels-single-relaxed.wasm', import.meta.url), false);
    relaxed = single !== null;
  }
  single ??= await instantiate(env, 'kernels-single.wasm', new URL('./generated/kernels-single.wasm', import.meta.url), false);
  if (single === null) return null;
  let pooled: KernelInstance | null = null;
  if (env.spawn !== null) {
    pooled = relaxed
      ? await instantiate(env, 'kernels-threads-relaxed.wasm', new URL('./generated/kernels-threads-relaxed.wasm', import.meta.url), true)
      : await instantiate(env, 'kernels-threads.wasm', new URL('./generated/kernels-threads.wasm', import.meta.url), true);
  }
  return {
    single,
    pooled,
    relaxed,
    spawn: pooled === null ? null : env.spawn,
    cores: env.cores,
    canBlock: env.canBlock,
  };
}
