/**
 * Browser platform layer: fetches the kernel files and starts pool workers as
 * Web Workers from a Blob URL (only when the page is cross-origin isolated,
 * which shared memory requires).
 * @module
 */
import { CortexError } from '../../errors.js';
import { canMakeSharedMemory, KERNEL_HINT, type Platform } from './platform.js';
import { type WorkerHandle, type WorkerInit, WORKER_BODY, workerStartError } from './pool.js';

/** Fetches a kernel file. */
export async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new CortexError(`wasm backend: fetching ${url.href} failed (${e instanceof Error ? e.message : String(e)}). ${KERNEL_HINT}`);
  }
  if (!response.ok) throw new CortexError(`wasm backend: fetching ${url.href} failed with HTTP ${response.status}. ${KERNEL_HINT}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Logical cores reported by the browser. */
export function browserCoreCount(): number {
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

/** True when the page may share memory with workers. */
export function browserCanShare(): boolean {
  return (
    typeof Worker !== 'undefined' && typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true
  );
}

/** True inside a Web Worker, where `Atomics.wait` is allowed. */
export function inWorker(): boolean {
  return 'WorkerGlobalScope' in globalThis;
}

const SOURCE = `self.onmessage = (event) => {
  self.onmessage = null;
  (${WORKER_BODY})(event.data, (message) => self.postMessage(message));
};`;

let blobUrl: string | null = null;

/** Starts one pool worker as a Web Worker. */
export function spawnBrowserWorker(init: WorkerInit): WorkerHandle {
  if (blobUrl === null) blobUrl = URL.createObjectURL(new Blob([SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl);
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(workerStartError(e.message));
  });
  ready.catch(() => {});
  worker.postMessage(init);
  return {
    ready,
    async terminate(): Promise<void> {
      worker.terminate();
    },
  };
}

/**
 * The browser host (also every non-Node runtime): `fetch`, and Web Workers
 * when `threads` is on and the page is cross-origin isolated.
 */
export function hostPlatform(threads: boolean): Platform {
  const share = threads && browserCanShare() && canMakeSharedMemory();
  return {
    optInRelaxed: () => {},
    read: fetchBytes,
    spawn: share ? spawnBrowserWorker : null,
    cores: browserCoreCount(),
    canBlock: inWorker(),
  };
}
