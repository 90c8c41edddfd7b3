import { fallbackCounts } from './registry.js';
import { type ResidentStatus, type WasmInfo, initWasmBackend, residentStatus } from './wasm/index.js';

/** Which backend the package root chose at load time, and why; and how often kernels fell back. */
export interface BackendStatus {
  /** What the WASM backend runs on, or null when it did not load. */
  wasm: WasmInfo | null;
  /** Why the WASM backend did not load (no SIMD in this runtime, or the error), or null. */
  reason: string | null;
  /**
   * Calls that the active (non-reference) backend had no kernel for, or
   * declined, and that ran on the reference backend instead, counted since the
   * program started (or since `resetFallbackCounts`): by kernel name, or
   * `kernel:op` for kernels that take an op name, e.g.
   * `{ where: 12, 'binary:pow': 3, 'unary:gelu': 2 }`. The WASM backend leaves
   * float64 and int32 arrays, and the ops it has no SIMD code for, to the
   * reference backend.
   */
  fallbacks: Record<string, number>;
  /**
   * Where the WASM backend keeps parameters, gradients and optimizer state
   * (its shared memory): live bytes and blocks, the budget, and counters of
   * storage made, collected and refused; null without shared memory.
   */
  resident: ResidentStatus | null;
}

let status: Omit<BackendStatus, 'fallbacks' | 'resident'> = { wasm: null, reason: 'not loaded yet' };

/**
 * Loads the WASM SIMD backend so it becomes the default. Where it cannot load
 * (no WebAssembly SIMD, or the kernel file is unreachable) the reference
 * backend stays active and the reason is kept for {@link backendStatus}: ops
 * still work, only slower, and nothing changes between runs of one program.
 */
export async function loadDefaultBackend(): Promise<BackendStatus> {
  try {
    const wasm = await initWasmBackend();
    status = { wasm, reason: wasm === null ? 'this runtime has no WebAssembly SIMD' : null };
  } catch (e) {
    status = { wasm: null, reason: e instanceof Error ? e.message : String(e) };
    // Say it once: a slow backend nobody asked for must not go unnoticed (backendStatus() keeps the reason).
    console.warn(`cortex-nn: the WebAssembly backend did not load, so ops run on the slower JavaScript backend. ${status.reason}`);
  }
  return backendStatus();
}

/**
 * The outcome of the package root's backend choice (see
 * {@link loadDefaultBackend}) and the fallback counts so far.
 *
 * @example
 * ```ts
 * tensor([1, 2], { dtype: 'float64' }).exp();
 * backendStatus().fallbacks; // { 'unary:exp': 1 } on the WASM backend
 * ```
 */
export function backendStatus(): BackendStatus {
  return { ...status, fallbacks: fallbackCounts(), resident: residentStatus() };
}
