/**
 * The persistent worker pool. Every worker instantiates the kernel module on
 * the one shared `WebAssembly.Memory` and loops: spin on the generation word
 * for a while, park in `Atomics.wait` when nothing comes, run its share of a
 * job through `runJob`, and count itself out of `CTRL_PENDING`.
 *
 * The worker body is plain JavaScript kept as a string, so the same code
 * starts under `node:worker_threads` and as a Web Worker from a Blob URL.
 * @module
 */
import { CortexError } from '../../errors.js';
import { CTRL_GEN, CTRL_MAIN_WAITING, CTRL_PENDING, CTRL_QUIT, CTRL_SLEEPERS } from './layout.js';

/** What a worker receives at start-up. */
export interface WorkerInit {
  /** The compiled kernel module (shared memory variant). */
  module: WebAssembly.Module;
  /** The memory every thread shares. */
  memory: WebAssembly.Memory;
  /** This worker's thread id, 1 or more. */
  tid: number;
  /** Polls of the generation word before parking. */
  spin: number;
}

/** A started worker, as the platform layer hands it back. */
export interface WorkerHandle {
  /** Resolves once the worker has instantiated the module and entered its loop. */
  ready: Promise<void>;
  /** Stops the worker; resolves when it is gone. */
  terminate(): Promise<void>;
}

/** Starts one worker running {@link WORKER_BODY} with the given init data. */
export type SpawnWorker = (init: WorkerInit) => WorkerHandle;

/**
 * The worker loop: a function expression taking the init data and a `post`
 * callback. It must stay self-contained JavaScript.
 */
export const WORKER_BODY = `function cortexWorker(init, post) {
  const GEN = ${CTRL_GEN}, PENDING = ${CTRL_PENDING}, SLEEPERS = ${CTRL_SLEEPERS}, QUIT = ${CTRL_QUIT};
  const MAIN_WAITING = ${CTRL_MAIN_WAITING};
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const runJob = instance.exports.runJob;
  const ctl = new Int32Array(init.memory.buffer, 0, 1024);
  const tid = init.tid;
  const spin = init.spin;
  let seen = Atomics.load(ctl, GEN);
  post('ready');
  for (;;) {
    let g = Atomics.load(ctl, GEN);
    let n = 0;
    while (g === seen) {
      if (++n >= spin) {
        Atomics.add(ctl, SLEEPERS, 1);
        Atomics.wait(ctl, GEN, seen);
        Atomics.sub(ctl, SLEEPERS, 1);
        n = 0;
      }
      g = Atomics.load(ctl, GEN);
    }
    seen = g;
    if (Atomics.load(ctl, QUIT) !== 0) break;
    const nt = g & 31;
    if (tid < nt) {
      runJob(tid, nt);
      if (Atomics.sub(ctl, PENDING, 1) === 1 && Atomics.load(ctl, MAIN_WAITING) !== 0) Atomics.notify(ctl, PENDING);
    }
  }
  post('exit');
}`;

/** Polls of the generation word before a worker parks (tens of microseconds). */
export const DEFAULT_SPIN = 20000;

const handles: WorkerHandle[] = [];
let spawner: SpawnWorker | null = null;
let moduleForWorkers: WebAssembly.Module | null = null;
let sharedMemory: WebAssembly.Memory | null = null;

/** Configures the pool; without a spawner (no shared memory or no workers) it stays empty. */
export function configurePool(spawn: SpawnWorker | null, module: WebAssembly.Module, memory: WebAssembly.Memory): void {
  spawner = spawn;
  moduleForWorkers = module;
  sharedMemory = memory;
}

/** True when the platform can start workers on shared memory. */
export function poolAvailable(): boolean {
  return spawner !== null;
}

/** Number of workers started so far. */
export function poolSize(): number {
  return handles.length;
}

/** Starts workers until there are `count`; resolves when all are ready. */
export async function growPool(count: number): Promise<void> {
  if (spawner === null || moduleForWorkers === null || sharedMemory === null) return;
  while (handles.length < count) {
    handles.push(spawner({ module: moduleForWorkers, memory: sharedMemory, tid: handles.length + 1, spin: DEFAULT_SPIN }));
  }
  await Promise.all(handles.map((h) => h.ready));
}

/** Asks every worker to exit and waits until they have. */
export async function shutdownPool(): Promise<void> {
  if (handles.length === 0 || sharedMemory === null) return;
  const ctl = new Int32Array(sharedMemory.buffer, 0, 1024);
  Atomics.store(ctl, CTRL_QUIT, 1);
  // A new generation whose thread count is 0, so no later job can repeat it.
  Atomics.store(ctl, CTRL_GEN, (Atomics.load(ctl, CTRL_GEN) + 32) & ~31);
  Atomics.notify(ctl, CTRL_GEN);
  const all = handles.splice(0, handles.length);
  await Promise.all(all.map((h) => h.terminate()));
  Atomics.store(ctl, CTRL_QUIT, 0);
}

/** Raised when a worker fails to start. */
export function workerStartError(detail: string): CortexError {
  return new CortexError(`wasm backend: a worker thread failed to start: ${detail}`);
}
