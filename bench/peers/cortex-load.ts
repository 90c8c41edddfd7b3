/**
 * Picks Cortex's compute backend for a benchmark process, with feature checks:
 * the WASM backend when it loads (with the requested thread count), the plain
 * TypeScript reference backend otherwise. A missing or failing WASM backend
 * never crashes the benchmark; the rows then say "js reference".
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
 * and the plain TypeScript reference backend otherwise or when `choice` is `'js'`.
 */
export async function loadBackend(threads: number, choice: 'auto' | 'js' = 'auto'): Promise<CortexBackend> {
  const notes: string[] = [];
  const wasm = choice === 'js' ? 'not used (--cortex-backend js)' : await importOptional('backend/wasm/index.js');
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
