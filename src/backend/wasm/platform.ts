/**
 * What the loader needs from the host: reading kernel files, starting pool
 * workers, the core count. Two implementations exist, `node.ts` (files on
 * disk, `node:worker_threads`) and `browser.ts` (`fetch`, Web Workers); the
 * loader imports `#wasm-platform`, which package.json's `imports` map resolves
 * to the Node one under the `node` condition and to the browser one under
 * `browser` and `default`, so a browser bundle never contains Node code.
 * @module
 */
import type { SpawnWorker } from './pool.js';

/** The host services the kernel loader uses. */
export interface Platform {
  /** Makes relaxed SIMD available when the user opted in (Node 20's flag); a no-op elsewhere. */
  optInRelaxed(): void;
  /** Reads the bytes of a kernel file. */
  read(url: URL): Promise<Uint8Array<ArrayBuffer>>;
  /** Starts pool workers, or null when this host cannot share memory with workers. */
  spawn: SpawnWorker | null;
  /** Logical cores. */
  cores: number;
  /** Whether the loading thread may park in `Atomics.wait` (false on a browser's main thread). */
  canBlock: boolean;
}

/** True when this runtime can make a shared `WebAssembly.Memory`. */
export function canMakeSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * What to do when a kernel file cannot be loaded: the files ship next to the
 * compiled loader and bundlers find them through its literal
 * `new URL('./generated/….wasm', import.meta.url)` expressions.
 */
export const KERNEL_HINT =
  'The kernels ship in cortex-nn/dist/backend/wasm/generated/ and must be served with the app: ' +
  "with Vite, add 'cortex-nn' to optimizeDeps.exclude in vite.config (pre-bundling moves the loader away from them; " +
  "keep 'cortex-nn > protobufjs/minimal.js' and 'cortex-nn > csv-parse/browser/esm/sync' in optimizeDeps.include) " +
  'and, for a linked or file: dependency, its folder to server.fs.allow; Vite and webpack 5 builds emit them by themselves; ' +
  'esbuild does not, so copy that folder to generated/ next to the bundle. Cortex runs on its JavaScript backend meanwhile.';
