/**
 * The state of the loaded kernel module: its memory, typed views over it, the
 * reusable arena that kernel arguments are copied into, and `run`, which
 * executes the job written in the descriptor on one thread or on the pool.
 *
 * State lives in module-level variables so a kernel call allocates nothing
 * but its result.
 * @module
 */
import { CortexError } from '../../errors.js';
import {
  CTRL_GEN,
  CTRL_MAIN_WAITING,
  CTRL_PENDING,
  CTRL_SLEEPERS,
  MAX_THREADS,
  SLOT_SCRATCH,
  SLOT_STRIDE,
} from './layout.js';

/** The functions the kernel module exports. */
export interface KernelExports {
  /** Runs share `tid` of the `nt`-way job in the descriptor. */
  runJob(tid: number, nt: number): void;
  /** Scratch bytes one thread needs. */
  gemmScratchBytes(): number;
  /** First byte after the module's static data. */
  heapBase(): number;
}

const PAGE = 65536;

let memory: WebAssembly.Memory | null = null;
let runJob: (tid: number, nt: number) => void = () => {
  throw new CortexError('wasm backend: the kernel module is not loaded; await initWasmBackend() first');
};

/** Float32 view over the whole memory (refreshed when it grows). */
export let f32 = new Float32Array(0);
/** Int32 view over the whole memory (refreshed when it grows). */
export let i32 = new Int32Array(0);
/** Byte address where the arena starts; every call lays its arguments out from here. */
export let arenaBase = 0;
let limit = 0;

/** Workers ready to take a share of a job (tids 1..workers). */
let workers = 0;
let generation = 0;
/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
let canBlock = false;
/** Polls of `CTRL_PENDING` before the main thread parks (when it may). */
const MAIN_SPIN = 20000;

function refreshViews(): void {
  const buf = memory!.buffer;
  f32 = new Float32Array(buf);
  i32 = new Int32Array(buf);
  limit = buf.byteLength;
}

/** Binds the runtime to an instantiated kernel module and lays out its memory. */
export function attach(mem: WebAssembly.Memory, exports: KernelExports): void {
  memory = mem;
  runJob = exports.runJob;
  refreshViews();
  const scratch = alignUp(Math.max(exports.heapBase(), 4096), PAGE);
  const stride = alignUp(exports.gemmScratchBytes(), PAGE);
  arenaBase = scratch + MAX_THREADS * stride;
  reserve(1 << 20);
  i32[SLOT_SCRATCH] = scratch;
  i32[SLOT_STRIDE] = stride;
}

/** True once a kernel module is attached. */
export function isAttached(): boolean {
  return memory !== null;
}

/** The attached memory. */
export function getMemory(): WebAssembly.Memory {
  if (memory === null) throw new CortexError('wasm backend: no memory is attached');
  return memory;
}

/** Rounds `n` up to a multiple of `to` (a power of two). */
export function alignUp(n: number, to: number): number {
  return (n + to - 1) & ~(to - 1);
}

/** Makes sure `bytes` bytes from the arena base are addressable, growing the memory if needed. */
export function reserve(bytes: number): void {
  const end = arenaBase + bytes;
  if (end <= limit) return;
  const maxBytes = 65536 * PAGE;
  if (end > maxBytes) {
    throw new CortexError(
      `wasm backend: an op needs ${end} bytes of wasm memory, more than the 4 GiB wasm32 limit; split the batch`,
    );
  }
  memory!.grow(Math.ceil((end - limit) / PAGE));
  refreshViews();
}

/** Sets how many workers may take part in jobs (0 disables the pool). */
export function setWorkerCount(n: number): void {
  workers = n;
}

/**
 * Runs the job in the descriptor with `nt` threads (clamped to the ready
 * workers plus this thread). The calling thread does share 0 and then spins
 * until every worker has finished its share.
 */
export function run(nt: number): void {
  if (nt > workers + 1) nt = workers + 1;
  if (nt <= 1) {
    runJob(0, 1);
    return;
  }
  Atomics.store(i32, CTRL_PENDING, nt - 1);
  generation = (generation + 1) & 0x3ffffff;
  Atomics.store(i32, CTRL_GEN, (generation << 5) | nt);
  if (Atomics.load(i32, CTRL_SLEEPERS) > 0) Atomics.notify(i32, CTRL_GEN);
  runJob(0, nt);
  // Spin first: the other shares are about as long as ours. If a worker lags
  // (say it was descheduled), park instead of burning the core it needs.
  let spins = 0;
  let left = Atomics.load(i32, CTRL_PENDING);
  while (left > 0) {
    if (++spins >= MAIN_SPIN && canBlock) {
      Atomics.store(i32, CTRL_MAIN_WAITING, 1);
      left = Atomics.load(i32, CTRL_PENDING);
      if (left > 0) Atomics.wait(i32, CTRL_PENDING, left, 10);
      Atomics.store(i32, CTRL_MAIN_WAITING, 0);
      spins = 0;
    }
    left = Atomics.load(i32, CTRL_PENDING);
  }
}

/** Tells the runtime whether the calling thread may park in `Atomics.wait`. */
export function setMainCanBlock(value: boolean): void {
  canBlock = value;
}
