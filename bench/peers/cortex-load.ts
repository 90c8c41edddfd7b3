/**
 * Finds the parts of Cortex the benchmark can use, with feature checks, so the
 * harness runs while parts of the library are still being written: a missing
 * module or export turns a Cortex row into "pending", never into a crash.
 *
 * Everything is loaded from `src/` through tsx, the same code the tests run.
 * @module
 */
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { findBackend, getBackend, registerBackend, setBackend } from '../../src/backend/registry.js';

/** A module namespace, looked at only through feature checks. */
export type Namespace = Record<string, unknown>;

const SRC = new URL('../../src/', import.meta.url);

/** Imports `src/<rel>` if it exists and evaluates; otherwise returns the reason. */
export async function importOptional(rel: string): Promise<Namespace | string> {
  const url = new URL(rel, SRC).href;
  try {
    return (await import(url)) as Namespace;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return `src/${rel}: ${msg}`;
  }
}

/** The Cortex compute backend chosen for this process. */
export interface CortexBackend {
  backend: Backend;
  /** `wasm` when the WASM backend loaded, `js reference` otherwise. */
  kind: 'wasm' | 'js reference';
  /** Threads the backend will use (1 for the reference backend). */
  threads: number;
  notes: string[];
}

/**
 * Activates the WASM backend with `threads` threads when it is available
 * (`src/backend/wasm/index.ts` exporting `initWasmBackend()` and `setNumThreads(n)`),
 * and the plain TypeScript reference backend otherwise.
 */
export async function loadBackend(threads: number): Promise<CortexBackend> {
  const notes: string[] = [];
  // The package root (once it exists) binds the Tensor class and registers its backends.
  const root = await importOptional('index.js');
  if (typeof root === 'string') notes.push('package root not loaded yet');
  const wasm = await importOptional('backend/wasm/index.js');
  if (typeof wasm === 'string') {
    notes.push(`wasm backend unavailable (${wasm})`);
  } else {
    try {
      const init = wasm.initWasmBackend;
      if (typeof init !== 'function') throw new Error('src/backend/wasm/index.ts has no initWasmBackend()');
      const made: unknown = await init();
      if (made === null) throw new Error('this runtime has no WebAssembly SIMD');
      if (findBackend('wasm') === undefined && isBackend(made)) registerBackend(made, 10);
      if (findBackend('wasm') === undefined) throw new Error('initWasmBackend() did not register a backend named wasm');
      setBackend('wasm');
      const setNum = wasm.setNumThreads;
      if (typeof setNum === 'function') await setNum(threads);
      else if (threads > 1) throw new Error('src/backend/wasm/index.ts has no setNumThreads(n)');
      const getNum = wasm.getNumThreads;
      const actual = typeof getNum === 'function' ? Number(getNum()) : threads;
      notes.push(`Cortex wasm backend, ${actual} thread${actual > 1 ? 's' : ''}${describe(made)}`);
      return { backend: getBackend(), kind: 'wasm', threads: actual, notes };
    } catch (err) {
      notes.push(`wasm backend failed to start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (findBackend('js') === undefined) registerBackend(jsBackend, 0);
  setBackend('js');
  notes.push('Cortex js reference backend (plain TypeScript, one thread)');
  return { backend: getBackend(), kind: 'js reference', threads: 1, notes };
}

/** The build facts `initWasmBackend()` reports (variant, relaxed SIMD, pool problems), if any. */
function describe(info: unknown): string {
  if (typeof info !== 'object' || info === null) return '';
  const { variant, relaxedSimd, poolError } = info as { variant?: unknown; relaxedSimd?: unknown; poolError?: unknown };
  const parts: string[] = [];
  if (typeof variant === 'string') parts.push(variant);
  if (typeof relaxedSimd === 'boolean') parts.push(`relaxed SIMD ${relaxedSimd ? 'on' : 'off'}`);
  if (typeof poolError === 'string') parts.push(`worker pool unavailable: ${poolError}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function isBackend(x: unknown): x is Backend {
  return typeof x === 'object' && x !== null && typeof (x as { matmul?: unknown }).matmul === 'function';
}

/**
 * Merges the exports of the modules that make up Cortex's public API (the
 * package root first, then the layer indexes) into one namespace. Each module
 * that fails to load is listed in `missing`.
 */
export async function loadApi(): Promise<{ api: Namespace; missing: string[] }> {
  const api: Namespace = {};
  const missing: string[] = [];
  for (const rel of ['index.js', 'ops/index.js', 'autograd/tensor.js', 'autograd/engine.js', 'nn/index.js', 'optim/index.js']) {
    const mod = await importOptional(rel);
    if (typeof mod === 'string') {
      missing.push(mod);
      continue;
    }
    for (const [k, v] of Object.entries(mod)) if (!(k in api)) api[k] = v;
  }
  return { api, missing };
}

/**
 * Returns the named exports as functions or constructors, or a message naming
 * the ones that are missing (the Cortex row then shows "pending").
 */
export function pick<T extends string>(api: Namespace, names: readonly T[]): Record<T, unknown> | string {
  const absent = names.filter((n) => typeof api[n] !== 'function');
  if (absent.length > 0) return `not yet in Cortex: ${absent.join(', ')}`;
  const out = {} as Record<T, unknown>;
  for (const n of names) out[n] = api[n];
  return out;
}
