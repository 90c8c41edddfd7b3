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
  CTRL_ACTIVE,
  CTRL_GEN,
  CTRL_MAIN_WAITING,
  CTRL_NEXT,
  CTRL_PARTS,
  CTRL_SLEEPERS,
  CTRL_THREADS,
  MAX_THREADS,
  SLOT_SCRATCH,
  SLOT_STRIDE,
} from './layout.js';

/** The functions the kernel module exports. */
export interface KernelExports {
  /** Runs part `part` of the `parts`-way job in the descriptor with thread `thread`'s scratch. */
  runJob(part: number, parts: number, thread: number): void;
  /** Scratch bytes one thread needs. */
  gemmScratchBytes(): number;
  /** First byte after the module's static data. */
  heapBase(): number;
}

const PAGE = 65536;

let memory: WebAssembly.Memory | null = null;
let runJob: (part: number, parts: number, thread: number) => void = () => {
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
/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
let canBlock = false;
/** Polls of `CTRL_ACTIVE` before the main thread parks (when it may). */
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
 * Runs the job in the descriptor, cut into `parts` parts, on up to `nt`
 * threads (clamped to the ready workers plus this one). This thread claims
 * parts alongside the workers; see the protocol in `pool.ts`.
 */
export function run(nt: number, parts: number): void {
  if (nt > workers + 1) nt = workers + 1;
  if (nt <= 1 || parts <= 1) {
    runJob(0, 1, 0);
    return;
  }
  const ctl = i32;
  ctl[CTRL_THREADS] = nt;
  ctl[CTRL_PARTS] = parts;
  Atomics.store(ctl, CTRL_NEXT, 0);
  // Open a new generation (even), after the closed one (odd) of the last job.
  const gen = ((Atomics.load(ctl, CTRL_GEN) | 1) + 1) & 0x3fffffff;
  Atomics.store(ctl, CTRL_GEN, gen);
  if (Atomics.load(ctl, CTRL_SLEEPERS) > 0) Atomics.notify(ctl, CTRL_GEN);
  let part = Atomics.add(ctl, CTRL_NEXT, 1);
  while (part < parts) {
    runJob(part, parts, 0);
    part = Atomics.add(ctl, CTRL_NEXT, 1);
  }
  Atomics.store(ctl, CTRL_GEN, gen | 1);
  // Wait for workers still finishing a part they claimed. Spin first; if one
  // lags (descheduled, say), park instead of burning the core it needs.
  let spins = 0;
  let active = Atomics.load(ctl, CTRL_ACTIVE);
  while (active > 0) {
    if (++spins >= MAIN_SPIN && canBlock) {
      Atomics.store(ctl, CTRL_MAIN_WAITING, 1);
      active = Atomics.load(ctl, CTRL_ACTIVE);
      if (active > 0) Atomics.wait(ctl, CTRL_ACTIVE, active, 10);
      Atomics.store(ctl, CTRL_MAIN_WAITING, 0);
      spins = 0;
    }
    active = Atomics.load(ctl, CTRL_ACTIVE);
  }
}

/** Tells the runtime whether the calling thread may park in `Atomics.wait`. */
export function setMainCanBlock(value: boolean): void {
  canBlock = value;
}
