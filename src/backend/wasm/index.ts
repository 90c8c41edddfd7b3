/**
 * The WebAssembly SIMD backend with its worker pool.
 *
 * ```ts
 * import { initWasmBackend, setNumThreads } from './backend/wasm/index.js';
 * if (await initWasmBackend()) await setNumThreads(2);
 * ```
 * @module
 */
import { ArgumentError } from '../../errors.js';
import { registerBackend } from '../registry.js';
import { setKernelThreads } from './jobs.js';
import { WASM, wasmBackend } from './kernels.js';
import { MAX_THREADS } from './layout.js';
import { type LoadOptions, loadKernels } from './loader.js';
import { configurePool, disablePool, growPool, poolAvailable, poolSize, shutdownPool } from './pool.js';
import { type ResidentCounters, allocResident, residentBudget, residentCounters } from './resident.js';
import { attach, residentSpace, setMainCanBlock, setWorkerCount } from './runtime.js';
import { setResidentMaker } from '../../tensor/storage.js';
import { getBackend } from '../registry.js';

export { wasmBackend } from './kernels.js';
export { residentBudget, setResidentBudget } from './resident.js';

/** Options of {@link initWasmBackend}. */
export interface WasmInitOptions extends LoadOptions {
  /** Threads to use; defaults to the number of logical cores (at most 16). */
  numThreads?: number;
  /** Registry priority (default 10, above the reference backend's 0). */
  priority?: number;
}

/** What {@link initWasmBackend} found. */
export interface WasmInfo {
  /** The builds that loaded, e.g. `kernels-single.wasm + kernels-threads.wasm`. */
  variant: string;
  /** Whether relaxed-SIMD FMA is in use. */
  relaxedSimd: boolean;
  /** Whether a worker pool can run. */
  threadsAvailable: boolean;
  /** Logical cores. */
  cores: number;
  /** Why the worker pool could not start, when it could not (the backend then runs on one thread). */
  poolError?: string;
}

let loading: Promise<WasmInfo | null> | null = null;
let info: WasmInfo | null = null;
let numThreads = 1;

/**
 * Loads the kernels and registers the `'wasm'` backend (priority 10, so it
 * becomes the default). Resolves to null, leaving the reference backend in
 * place, when this runtime has no WebAssembly SIMD. Safe to call repeatedly.
 */
export function initWasmBackend(options: WasmInitOptions = {}): Promise<WasmInfo | null> {
  if (loading === null) loading = init(options);
  return loading;
}

async function init(options: WasmInitOptions): Promise<WasmInfo | null> {
  const loaded = await loadKernels(options);
  if (loaded === null) return null;
  const { single, pooled } = loaded;
  attach(single.memory, single.exports, pooled?.memory ?? null, pooled?.exports ?? null);
  setMainCanBlock(loaded.canBlock);
  if (pooled !== null) configurePool(loaded.spawn, pooled.module, pooled.memory);
  info = {
    variant: pooled === null ? single.variant : `${single.variant} + ${pooled.variant}`,
    relaxedSimd: loaded.relaxed,
    threadsAvailable: pooled !== null && loaded.spawn !== null,
    cores: loaded.cores,
  };
  const wanted = options.numThreads ?? Math.min(loaded.cores, MAX_THREADS);
  try {
    await setNumThreads(wanted);
  } catch (e) {
    // Bad arguments are the caller's to fix; a pool that cannot start (say a
    // content security policy that forbids blob: workers) leaves one thread.
    if (e instanceof ArgumentError) throw e;
    await shutdownWasmThreads();
    disablePool();
    info.threadsAvailable = false;
    info.poolError = e instanceof Error ? e.message : String(e);
  }
  // The kernels registered themselves when kernels.ts loaded; this makes the backend selectable.
  registerBackend({ name: WASM }, options.priority ?? 10);
  // With shared memory, parameters (and the gradients and optimizer state that
  // follow them) live in it while this backend is active: float32 only, the
  // dtype its kernels compute in.
  const space = residentSpace();
  if (space !== null) {
    setResidentMaker((dtype, length) =>
      dtype === 'float32' && getBackend() === wasmBackend ? allocResident(space, dtype, length) : null,
    );
  }
  return info;
}

/** Resident storage of the WASM backend: what its shared memory holds, and how storage came and went. */
export interface ResidentStatus extends ResidentCounters {
  /** Bytes in live blocks of the shared memory: resident tensors and the kernels' argument arena. */
  liveBytes: number;
  /** Live blocks. */
  blocks: number;
  /** Bytes the heap spans (live blocks and freed ones kept for reuse). */
  reservedBytes: number;
  /** Live bytes above which new storage goes to host memory (see `setResidentBudget`). */
  budgetBytes: number;
}

/**
 * The resident-storage figures, or null when there is no shared memory (then
 * every tensor lives in host memory).
 */
export function residentStatus(): ResidentStatus | null {
  const space = residentSpace();
  if (space === null) return null;
  const h = space.heap.stats();
  return { liveBytes: h.live, blocks: h.blocks, reservedBytes: h.reserved, budgetBytes: residentBudget(), ...residentCounters() };
}

/** What the loaded backend runs on, or null before {@link initWasmBackend} succeeded. */
export function wasmInfo(): WasmInfo | null {
  return info;
}

/**
 * Sets how many threads large kernels use (1 turns the pool off). Workers are
 * started on first need and the promise resolves when they are ready; when
 * enough workers are already running (after `initWasmBackend`, up to the core
 * count), the change takes effect before this returns. Without shared memory
 * the count stays 1.
 */
export async function setNumThreads(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ArgumentError(`setNumThreads: expected an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
  const want = poolAvailable() ? n : 1;
  if (want - 1 > poolSize()) await growPool(want - 1);
  numThreads = want;
  setWorkerCount(want - 1);
  setKernelThreads(want);
}

/** The thread count large kernels use. */
export function getNumThreads(): number {
  return numThreads;
}

/** Stops the worker pool (the backend keeps working on one thread). */
export async function shutdownWasmThreads(): Promise<void> {
  setWorkerCount(0);
  setKernelThreads(1);
  numThreads = 1;
  await shutdownPool();
}
