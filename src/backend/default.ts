import { type WasmInfo, initWasmBackend } from './wasm/index.js';

/** Which backend the package root chose at load time, and why. */
export interface BackendStatus {
  /** What the WASM backend runs on, or null when it did not load. */
  wasm: WasmInfo | null;
  /** Why the WASM backend did not load (no SIMD in this runtime, or the error), or null. */
  reason: string | null;
}

let status: BackendStatus = { wasm: null, reason: 'not loaded yet' };

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
  }
  return status;
}

/** The outcome of the package root's backend choice; see {@link loadDefaultBackend}. */
export function backendStatus(): BackendStatus {
  return status;
}
