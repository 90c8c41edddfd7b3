/**
 * Node-only platform layer: reads the kernel files from disk and starts pool
 * workers with `node:worker_threads`. The loader reaches it only through the
 * `#wasm-platform` subpath import under the `node` condition (see
 * platform.ts), so browser bundles never see it.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { canMakeSharedMemory, type Platform } from './platform.js';
import { type WorkerHandle, type WorkerInit, WORKER_BODY, workerStartError } from './pool.js';

/** Reads a kernel file addressed by a `file:` URL. */
export async function readBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const file = await readFile(url);
  const bytes = new Uint8Array(file.byteLength);
  bytes.set(file);
  return bytes;
}

/** Logical cores available to this process. */
export function coreCount(): number {
  return availableParallelism();
}

/** The environment variable that opts in to relaxed SIMD where Node hides it behind a flag. */
export const RELAXED_SIMD_ENV = 'CORTEX_RELAXED_SIMD';

/**
 * Node 20 (V8 11.3) validates relaxed-SIMD modules only with
 * `--experimental-wasm-relaxed-simd`; Node 22 and later ship the feature. When
 * `CORTEX_RELAXED_SIMD=1` is set, turns the flag on for this process before
 * the kernels are validated (V8 reads it at validation and compile time, and
 * the flag is process-wide, so pool workers see it too). Returns whether it
 * did. Without the variable nothing changes: the plain SIMD build is used
 * wherever relaxed SIMD does not validate on its own.
 */
export function optInRelaxedSimd(): boolean {
  if (process.env[RELAXED_SIMD_ENV] !== '1') return false;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

const SOURCE = `const { workerData, parentPort } = require('node:worker_threads');
(${WORKER_BODY})(workerData, (message) => parentPort.postMessage(message));`;

/** Starts one pool worker; it never keeps the process alive. */
export function spawnWorker(init: WorkerInit): WorkerHandle {
  const worker = new Worker(SOURCE, { eval: true, workerData: init });
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (e: Error) => reject(workerStartError(e.message)));
    worker.once('exit', (code: number) => reject(workerStartError(`exited with code ${code}`)));
  });
  // A rejection after start-up must not surface as an unhandled one.
  ready.catch(() => {});
  return {
    ready,
    async terminate(): Promise<void> {
      await worker.terminate();
    },
  };
}

/** The Node host: files on disk, `node:worker_threads` when `threads` and shared memory allow. */
export function hostPlatform(threads: boolean): Platform {
  return {
    optInRelaxed: optInRelaxedSimd,
    read: readBytes,
    spawn: threads && canMakeSharedMemory() ? spawnWorker : null,
    cores: coreCount(),
    canBlock: true,
  };
}
