/**
 * Picks Cortex's compute backend for a benchmark process: the WASM backend when it
 * loads (with the requested thread count), the plain TypeScript reference backend
 * otherwise or on request. A missing WASM backend never crashes the benchmark; the
 * rows then say "js reference".
 *
 * Cortex is imported by its package name, so it runs from the compiled `dist/` as users
 * run it (`npm run bench` builds first); the peers themselves run compiled, without a
 * TypeScript loader, which measured 10–25% slower on the MLP.
 * @module
 */
import { type Backend, backendStatus, getBackend, getNumThreads, setBackend, setNumThreads, wasmInfo } from 'cortex-nn';

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
 * Activates the WASM backend with `threads` threads when the package root loaded it,
 * and the reference backend otherwise or when `choice` is `'js'`.
 */
export async function loadBackend(threads: number, choice: 'auto' | 'js' = 'auto'): Promise<CortexBackend> {
  const notes: string[] = [];
  const info = wasmInfo();
  if (choice === 'auto' && info !== null) {
    setBackend('wasm');
    await setNumThreads(threads);
    const actual = getNumThreads();
    const facts = [info.variant, `relaxed SIMD ${info.relaxedSimd ? 'on' : 'off'}`];
    if (info.poolError !== undefined) facts.push(`worker pool unavailable: ${info.poolError}`);
    notes.push(`Cortex wasm backend, ${actual} thread${actual > 1 ? 's' : ''} (${facts.join(', ')})`);
    return { backend: getBackend(), kind: 'wasm', threads: actual, notes };
  }
  notes.push(choice === 'js' ? 'wasm backend not used (--cortex-backend js)' : `wasm backend unavailable (${backendStatus().reason})`);
  setBackend('js');
  notes.push('Cortex js reference backend (plain TypeScript, one thread)');
  return { backend: getBackend(), kind: 'js reference', threads: 1, notes };
}
