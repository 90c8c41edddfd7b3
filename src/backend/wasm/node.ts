/**
 * Node-only platform layer: reads the kernel files from disk and starts pool
 * workers with `node:worker_threads`. Loaded with a dynamic `import()` so the
 * rest of the backend stays browser-safe.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
