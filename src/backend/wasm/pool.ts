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
import {
  CTRL_ACTIVE,
  CTRL_GEN,
  CTRL_MAIN_WAITING,
  CTRL_NEXT,
  CTRL_PARTS,
  CTRL_QUIT,
  CTRL_SLEEPERS,
  CTRL_THREADS,
} from './layout.js';

/** What a worker receives at start-up. */
export interface WorkerInit {
  /** The compiled kernel module (shared memory variant). */
  module: WebAssembly.Module;
  /** The memory every thread shares. */
  memory: WebAssembly.Memory;
  /** This worker's thread id, 1 or more. */
  tid: number;
  /** Milliseconds of polling the generation word after the last job before parking. */
  spinMs: number;
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
 *
 * Protocol: the main thread writes the descriptor, `CTRL_THREADS`,
 * `CTRL_PARTS` and `CTRL_NEXT = 0`, then publishes an even generation. A
 * worker that sees it enters (`CTRL_ACTIVE` + 1), re-reads the generation to
 * make sure the job is still open, and claims parts with an atomic add until
 * none are left. The main thread claims parts too, then closes the job (odd
 * generation) and waits for `CTRL_ACTIVE` to drop to 0. A worker that was
 * descheduled simply finds nothing left to do, so a busy machine slows a job
 * down to one thread's speed but never stalls it on a sleeping worker.
 */
export const WORKER_BODY = `function cortexWorker(init, post) {
  const GEN = ${CTRL_GEN}, THREADS = ${CTRL_THREADS}, SLEEPERS = ${CTRL_SLEEPERS}, QUIT = ${CTRL_QUIT};
  const MAIN_WAITING = ${CTRL_MAIN_WAITING}, NEXT = ${CTRL_NEXT}, PARTS = ${CTRL_PARTS}, ACTIVE = ${CTRL_ACTIVE};
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const runJob = instance.exports.runJob;
  const ctl = new Int32Array(init.memory.buffer, 0, 1024);
  const tid = init.tid;
  const spin = init.spinMs;
  let seen = Atomics.load(ctl, GEN);
  // Spin budget in ms, timed from the end of the last job (the clock is read
  // every 256 polls): halved after 4 jobs in a row in which the worker was
  // spinning and still arrived to find every part taken (it is late, say
  // because the cores are oversubscribed and spinning only steals time from
  // the main thread), and back to full as soon as it gets work. Arriving late
  // after being woken from \`Atomics.wait\` is expected (the wake-up takes tens
  // of µs) and says nothing about the cores; counting it would shrink the
  // budget, park the worker sooner and make it late again.
  let budget = spin;
  let late = 0;
  post('ready');
  for (;;) {
    let g = Atomics.load(ctl, GEN);
    let n = 0;
    let since = performance.now();
    let parked = false;
    while (g === seen || (g & 1) === 1) {
      if ((++n & 255) === 0 && performance.now() - since >= budget) {
        Atomics.add(ctl, SLEEPERS, 1);
        Atomics.wait(ctl, GEN, g);
        Atomics.sub(ctl, SLEEPERS, 1);
        since = performance.now();
        parked = true;
      }
      g = Atomics.load(ctl, GEN);
    }
    seen = g;
    if (Atomics.load(ctl, QUIT) !== 0) break;
    Atomics.add(ctl, ACTIVE, 1);
    if (Atomics.load(ctl, GEN) === g && tid < Atomics.load(ctl, THREADS)) {
      const parts = Atomics.load(ctl, PARTS);
      let part = Atomics.add(ctl, NEXT, 1);
      if (part < parts) {
        budget = spin;
        late = 0;
      } else if (!parked && ++late >= 4) {
        budget = Math.max(spin / 64, budget / 2);
        late = 0;
      }
      while (part < parts) {
        runJob(part, parts, tid);
        part = Atomics.add(ctl, NEXT, 1);
      }
    }
    if (Atomics.sub(ctl, ACTIVE, 1) === 1 && Atomics.load(ctl, MAIN_WAITING) !== 0) Atomics.notify(ctl, ACTIVE);
  }
  post('exit');
}`;

/**
 * How long a worker polls for the next job before it parks, in ms. Waking a
 * parked worker costs 35–110 µs, as much as a third of a 64x784x128 matmul,
 * while the main thread of a training step often spends a few hundred µs
 * between two big kernels (the optimizer step, the next batch): a 2 ms window
 * keeps the workers on hand through a step. Measured on the MLP's matmul with
 * 100 µs and 400 µs of other main-thread work between calls: 190–270 µs with a
 * ~0.26 ms window, 154 µs with this one (156 µs back to back).
 */
export const DEFAULT_SPIN_MS = 2;

const handles: WorkerHandle[] = [];
let spawner: SpawnWorker | null = null;
let moduleForWorkers: WebAssembly.Module | null = null;
let sharedMemory: WebAssembly.Memory | null = null;

/** Configures the pool; without a spawner (no shared memory or no workers) it stays empty. */
export function configurePool(
  spawn: SpawnWorker | null, module: WebAssembly.Module, memory: WebAssembly.Memory): void {
  spawner = spawn;
  moduleForWorkers = module;
  sharedMemory = memory;
}

/** Stops offering threads (after workers failed to start). */
export function disablePool(): void {
  spawner = null;
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
    handles.push(spawner({ module: moduleForWorkers, memory: sharedMemory, tid: handles.length + 1, spinMs: DEFAULT_SPIN_MS }));
  }
  await Promise.all(handles.map((h) => h.ready));
}

/** Asks every worker to exit and waits until they have. */
export async function shutdownPool(): Promise<void> {
  if (handles.length === 0 || sharedMemory === null) return;
  const ctl = new Int32Array(sharedMemory.buffer, 0, 1024);
  Atomics.store(ctl, CTRL_QUIT, 1);
  // A new open generation wakes everyone; the runtime's next job uses a later one.
  Atomics.store(ctl, CTRL_GEN, (Atomics.load(ctl, CTRL_GEN) | 1) + 1);
  Atomics.notify(ctl, CTRL_GEN);
  const all = handles.splice(0, handles.length);
  await Promise.all(all.map((h) => h.terminate()));
  Atomics.store(ctl, CTRL_QUIT, 0);
}

/** Raised when a worker fails to start. */
export function workerStartError(detail: string): CortexError {
  return new CortexError(`wasm backend: a worker thread failed to start: ${detail}`);
}
