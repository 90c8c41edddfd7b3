/**
 * The state of the loaded kernels: two memory spaces (a plain-memory instance
 * for jobs on the calling thread, a shared-memory one for jobs split over the
 * pool and for jobs on resident storage), typed views over the current one,
 * the reusable arena that kernel arguments are copied into, and `run`, which
 * executes the job written in the descriptor.
 *
 * Each space's memory above the threads' scratch is a {@link SizeClassHeap}:
 * the arena is one block of it (moved to a larger block when a call needs
 * more), and in the shared space the other blocks are resident tensor storage
 * (parameters, gradients, optimizer state; see `resident.ts`). Shared memory
 * never detaches its old views when it grows, which is why only that space
 * holds storage that outlives a call.
 *
 * A kernel call first picks its space with {@link select}; the exported views
 * are live bindings to that space. State lives in module-level variables so a
 * call allocates nothing but its result.
 * @module
 */
import { CortexError } from '../../errors.js';
import { SizeClassHeap, sizeClass } from './heap.js';
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

/** One instance with its memory, views and arena. */
interface Space {
  memory: WebAssembly.Memory;
  runJob: (part: number, parts: number, thread: number) => void;
  f32: Float32Array;
  i32: Int32Array;
  arenaBase: number;
  /** Bytes of the arena block (a size class of the heap). */
  arenaSize: number;
  limit: number;
  /** The heap over the memory above the scratch: the arena, and resident storage in the shared space. */
  heap: SizeClassHeap;
  /** Every buffer object the memory has had (a shared memory makes a new one per growth; old views stay valid). */
  buffers: WeakSet<ArrayBufferLike>;
}

let single: Space | null = null;
let pooled: Space | null = null;
let current: Space | null = null;

/** Float32 view over the current space's memory (refreshed when it grows). */
export let f32: Float32Array = new Float32Array(0);
/** Int32 view over the current space's memory (refreshed when it grows). */
export let i32: Int32Array = new Int32Array(0);
/** Byte address where the current arena starts; every call lays its arguments out from here. */
export let arenaBase = 0;

/** Workers ready to take a share of a job (thread ids 1..workers). */
let workers = 0;
/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
let canBlock = false;
/** Polls of `CTRL_ACTIVE` before the main thread parks (when it may). */
const MAIN_SPIN = 2000;

function refreshViews(space: Space): void {
  const buf = space.memory.buffer;
  space.f32 = new Float32Array(buf);
  space.i32 = new Int32Array(buf);
  space.limit = buf.byteLength;
  space.buffers.add(buf);
}

/** First arena: 1 MiB, grown on demand by {@link reserve}. */
const FIRST_ARENA = 1 << 20;

function makeSpace(memory: WebAssembly.Memory, exports: KernelExports, threads: number): Space {
  const scratch = alignUp(Math.max(exports.heapBase(), 4096), PAGE);
  const stride = alignUp(exports.gemmScratchBytes(), PAGE);
  const space: Space = {
    memory,
    runJob: exports.runJob,
    f32: new Float32Array(0),
    i32: new Int32Array(0),
    arenaBase: 0,
    arenaSize: 0,
    limit: 0,
    heap: new SizeClassHeap(scratch + threads * stride, (end) => grow(space, end)),
    buffers: new WeakSet(),
  };
  refreshViews(space);
  space.arenaSize = sizeClass(FIRST_ARENA);
  space.arenaBase = space.heap.alloc(space.arenaSize);
  space.i32[SLOT_SCRATCH] = scratch;
  space.i32[SLOT_STRIDE] = stride;
  return space;
}

function enter(space: Space): void {
  current = space;
  f32 = space.f32;
  i32 = space.i32;
  arenaBase = space.arenaBase;
}

/**
 * Binds the runtime to the instantiated kernels: `singleMemory` for jobs on
 * this thread, and optionally `pooledMemory`, shared with the workers.
 */
export function attach(
  singleMemory: WebAssembly.Memory,
  singleExports: KernelExports,
  pooledMemory: WebAssembly.Memory | null,
  pooledExports: KernelExports | null,
): void {
  single = makeSpace(singleMemory, singleExports, 1);
  pooled = pooledMemory === null || pooledExports === null ? null : makeSpace(pooledMemory, pooledExports, MAX_THREADS);
  enter(single);
}

/** Makes the pooled space current for a job split over threads, else the single one. */
export function select(parallel: boolean): void {
  const want = parallel && pooled !== null ? pooled : single!;
  if (want !== current) enter(want);
}

/** Bytes of wasm memory held by both spaces (for leak checks). */
export function memoryBytes(): number {
  return (single?.memory.buffer.byteLength ?? 0) + (pooled?.memory.buffer.byteLength ?? 0);
}

/** Rounds `n` up to a multiple of `to` (a power of two). */
export function alignUp(n: number, to: number): number {
  return (n + to - 1) & ~(to - 1);
}

function grow(space: Space, end: number): void {
  if (end <= space.limit) return;
  const maxBytes = 65536 * PAGE;
  if (end > maxBytes) {
    throw new CortexError(
      `wasm backend: an op needs ${end} bytes of wasm memory, more than the 4 GiB wasm32 limit; split the batch`,
    );
  }
  space.memory.grow(Math.ceil((end - space.limit) / PAGE));
  refreshViews(space);
}

/**
 * Makes the current arena at least `bytes` long. A larger arena is a new heap
 * block, so {@link arenaBase} may move: callers lay their arguments out after
 * this. The memory may grow, which refreshes the views.
 */
export function reserve(bytes: number): void {
  const space = current!;
  if (bytes <= space.arenaSize) return;
  space.heap.free(space.arenaBase, space.arenaSize);
  const size = sizeClass(Math.max(bytes, space.arenaSize * 2));
  space.arenaBase = space.heap.alloc(size);
  space.arenaSize = size;
  refreshViews(space);
  enter(space);
}

/**
 * The space that holds resident storage: the shared one, or null when there is
 * no shared memory (then every storage stays in host memory).
 */
export function residentSpace(): Space | null {
  return pooled;
}

/** The SharedArrayBuffer constructor, or null where the page hides it (not cross-origin isolated). */
const SHARED: SharedArrayBufferConstructor | null = typeof SharedArrayBuffer === 'undefined' ? null : SharedArrayBuffer;

/** True when `a` is a view of the shared space's memory (resident storage, used where it is). */
export function isResident(a: ArrayBufferView): boolean {
  // Resident blocks lie above the scratch, never at offset 0; checking that first also spares
  // small host arrays their `.buffer`, which V8 materializes (allocates) for on-heap arrays.
  if (pooled === null || a.byteOffset === 0) return false;
  const b = a.buffer;
  // Host arrays (plain ArrayBuffers) are the common case: answer without the WeakSet lookup.
  return SHARED !== null && b instanceof SHARED && (b === (pooled.memory.buffer as ArrayBufferLike) || pooled.buffers.has(b));
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
  const space = current!;
  if (nt > workers + 1) nt = workers + 1;
  if (nt <= 1 || parts <= 1 || space !== pooled) {
    space.runJob(0, 1, 0);
    return;
  }
  const runJob = space.runJob;
  const ctl = i32;
  ctl[CTRL_THREADS] = nt;
  ctl[CTRL_PARTS] = parts;
  Atomics.store(ctl, CTRL_NEXT, 0);
  // Open a new generation (even), after the closed one (odd) of the last job.
  const gen = ((Atomics.load(ctl, CTRL_GEN) | 1) + 1) & 0x3fffffff;
  Atomics.store(ctl, CTRL_GEN, gen);
  const woke = Atomics.load(ctl, CTRL_SLEEPERS) > 0;
  if (woke) Atomics.notify(ctl, CTRL_GEN);
  const started = performance.now();
  let part = Atomics.add(ctl, CTRL_NEXT, 1);
  let mine = 0;
  while (part < parts) {
    runJob(part, parts, 0);
    mine++;
    part = Atomics.add(ctl, CTRL_NEXT, 1);
  }
  Atomics.store(ctl, CTRL_GEN, gen | 1);
  // A miss says the cores are busy only when the workers were spinning (not parked,
  // whose wake-up takes tens of µs) and the job took long enough for them to join.
  if (mine < parts || (!woke && performance.now() - started > JOIN_MS)) noteHelp(mine < parts);
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

/** A worker spinning for a job joins within this many milliseconds when its core is free. */
const JOIN_MS = 0.05;

/** Consecutive split jobs in which no worker took a part. */
let lateStreak = 0;
/** Split jobs still to run on this thread alone before trying the pool again. */
let backoff = 0;
/** Length of the next back-off; doubles while the workers stay absent. */
let nextBackoff = 16;

// After 4 split jobs in a row that the workers missed (the cores are busy with
// other processes), run the next split jobs on this thread alone, in the plain
// memory, for a while: 16 jobs, then 32, ... up to 1024 while it lasts.
function noteHelp(helped: boolean): void {
  if (helped) {
    lateStreak = 0;
    nextBackoff = 16;
    return;
  }
  if (++lateStreak < 4) return;
  lateStreak = 0;
  backoff = nextBackoff;
  nextBackoff = Math.min(nextBackoff * 2, 1024);
}

/**
 * Whether a job that is worth splitting should use the pool now. False for a
 * while after the workers repeatedly failed to show up (see noteHelp); each
 * call during that time counts one job down.
 */
export function poolReady(): boolean {
  if (backoff === 0) return true;
  backoff--;
  return false;
}

/** Tells the runtime whether the calling thread may park in `Atomics.wait`. */
export function setMainCanBlock(value: boolean): void {
  canBlock = value;
}
