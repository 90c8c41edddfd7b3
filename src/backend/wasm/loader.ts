/**
 * Finds, validates and instantiates the kernel module for this platform.
 *
 * Three builds ship next to this file: `kernels-threads-relaxed.wasm` (shared
 * memory, relaxed-SIMD FMA), `kernels-threads.wasm` (shared memory, SIMD) and
 * `kernels-single.wasm` (plain memory, SIMD). Feature detection is simply
 * `WebAssembly.validate` on the candidate bytes: a runtime without SIMD
 * rejects all three, and the caller then keeps the reference backend.
 * @module
 */
import { CortexError } from '../../errors.js';
import type { SpawnWorker } from './pool.js';
import type { KernelExports } from './runtime.js';

/** Options of {@link loadKernels}. */
export interface LoadOptions {
  /** Use the relaxed-SIMD build when the runtime validates it (default true). */
  relaxedSimd?: boolean;
  /** Allow shared memory and workers (default true). */
  threads?: boolean;
}

/** An instantiated kernel module and what the platform offers around it. */
export interface LoadedKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  /** File name of the build that loaded. */
  variant: string;
  /** Whether the build uses relaxed-SIMD FMA. */
  relaxed: boolean;
  /** Starts pool workers, or null when this platform cannot share memory. */
  spawn: SpawnWorker | null;
  /** Logical cores. */
  cores: number;
  /** Whether the loading thread may park in `Atomics.wait` (false on a browser's main thread). */
  canBlock: boolean;
}

interface Platform {
  read(url: URL): Promise<Uint8Array<ArrayBuffer>>;
  spawn: SpawnWorker | null;
  cores: number;
  canBlock: boolean;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions === 'object' && process.versions.node !== undefined;
}

function canMakeSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

async function platform(threads: boolean): Promise<Platform> {
  if (isNode()) {
    const node = await import('./node.js');
    const spawn = threads && canMakeSharedMemory() ? node.spawnWorker : null;
    return { read: node.readBytes, spawn, cores: node.coreCount(), canBlock: true };
  }
  const web = await import('./browser.js');
  const share = threads && web.browserCanShare() && canMakeSharedMemory();
  return {
    read: web.fetchBytes,
    spawn: share ? web.spawnBrowserWorker : null,
    cores: web.browserCoreCount(),
    canBlock: web.inWorker(),
  };
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

/**
 * Loads the best kernel build this runtime validates, or returns null when
 * none does (no WebAssembly SIMD). Read or compile failures throw.
 */
export async function loadKernels(options: LoadOptions = {}): Promise<LoadedKernels | null> {
  if (typeof WebAssembly !== 'object') return null;
  const env = await platform(options.threads !== false);
  const candidates: [URL, boolean, boolean][] = [];
  if (env.spawn !== null) {
    if (options.relaxedSimd !== false) {
      candidates.push([new URL('./generated/kernels-threads-relaxed.wasm', import.meta.url), true, true]);
    }
    candidates.push([new URL('./generated/kernels-threads.wasm', import.meta.url), true, false]);
  }
  candidates.push([new URL('./generated/kernels-single.wasm', import.meta.url), false, false]);
  for (const [url, shared, relaxed] of candidates) {
    const bytes = await env.read(url);
    if (!WebAssembly.validate(bytes)) continue;
    const module = await WebAssembly.compile(bytes);
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    return {
      module,
      memory,
      exports: kernelExports(instance),
      variant: name,
      relaxed,
      spawn: shared ? env.spawn : null,
      cores: env.cores,
      canBlock: env.canBlock,
    };
  }
  return null;
}
