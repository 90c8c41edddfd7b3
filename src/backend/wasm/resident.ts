/**
 * Tensor storage that lives in the kernels' linear memory, so kernels read and
 * write it where it is instead of copying it in and out.
 *
 * Nobody frees a storage by hand. Each one is registered with a
 * `FinalizationRegistry`; once the garbage collector has collected it, its
 * block returns to the size-class heap and serves the next storage of its
 * class. The engine may also release a storage it alone can see (a gradient
 * temporary of a finished backward pass) at once, with {@link releaseStorage}.
 *
 * One limit of JavaScript shapes the design: finalizers run only between
 * tasks, never inside a synchronous loop, so a loop that makes tensors
 * without yielding cannot get their blocks back until it ends. Resident
 * storage therefore has a budget: once the live blocks reach it, new storage
 * is made in ordinary garbage-collected arrays (see {@link allocResident}
 * returning null) until finalizers have run again. Memory stays bounded either
 * way; a loop that yields (an `await` per step, as the CLI and the playground
 * do) keeps everything resident.
 * @module
 */
import { ArgumentError, CortexError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { Storage } from '../../tensor/storage.js';
import type { SizeClassHeap } from './heap.js';

/** A linear memory and the heap that manages its storage blocks. */
export interface ResidentSpace {
  readonly memory: WebAssembly.Memory;
  readonly heap: SizeClassHeap;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

function viewOf(buffer: ArrayBufferLike, dtype: DType, ptr: number, length: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, ptr, length);
    case 'float64':
      return new Float64Array(buffer, ptr, length);
    case 'int32':
      return new Int32Array(buffer, ptr, length);
  }
}

interface Held {
  space: ResidentSpace;
  ptr: number;
  bytes: number;
}

/** Counters of resident storage, for `backendStatus()` and leak checks. */
export interface ResidentCounters {
  /** Storages made in linear memory. */
  allocated: number;
  /** Storages whose blocks came back through the garbage collector. */
  finalized: number;
  /** Storages released at once by the engine. */
  released: number;
  /** Requests refused because the live blocks had reached the budget (made in host memory instead). */
  overBudget: number;
}

const counters: ResidentCounters = { allocated: 0, finalized: 0, released: 0, overBudget: 0 };

const registry = new FinalizationRegistry<Held>((h) => {
  h.space.heap.free(h.ptr, h.bytes);
  counters.finalized++;
});

/** A storage whose elements are a block of a kernel module's linear memory. */
export class WasmStorage extends Storage {
  #released = false;

  constructor(
    /** Byte address of the first element. */
    readonly ptr: number,
    dtype: DType,
    length: number,
    /** The memory and heap the block belongs to. */
    readonly space: ResidentSpace,
  ) {
    super(viewOf(space.memory.buffer, dtype, ptr, length));
  }

  /** A view of the block; made again after the memory has grown (which detaches old views of a plain memory). */
  override get array(): TypedArray {
    if (this.#released) throw new CortexError('wasm backend: a tensor storage was used after it was released (a bug in Cortex; please report it)');
    const buffer = this.space.memory.buffer;
    if (this.view.buffer !== buffer) this.view = viewOf(buffer, this.dtype, this.ptr, this.length);
    return this.view;
  }

  override get device(): string {
    return 'wasm';
  }

  /** Bytes the elements take. */
  get byteLength(): number {
    return this.length * BYTES[this.dtype];
  }

  /** Marks the storage released (done by {@link releaseStorage}). */
  markReleased(): void {
    this.#released = true;
  }

  /** True once released. */
  get released(): boolean {
    return this.#released;
  }
}

let budget = 256 * 2 ** 20;

/**
 * Sets how many bytes of live resident storage a space may hold before new
 * storage goes to host memory (default 256 MiB). Parameters, gradients and
 * optimizer state are counted too, so a model larger than the budget runs with
 * its excess in host memory; raise the budget for such models.
 */
export function setResidentBudget(bytes: number): void {
  if (!(bytes >= 0)) throw new ArgumentError(`setResidentBudget: expected a non-negative number of bytes, got ${bytes}`);
  budget = bytes;
}

/** The current resident budget in bytes. */
export function residentBudget(): number {
  return budget;
}

/**
 * A new resident storage of `length` elements of `dtype` in `space`, or null
 * when the space's live blocks have reached the budget (the caller then makes
 * a host array). The contents are whatever the block last held.
 */
export function allocResident(space: ResidentSpace, dtype: DType, length: number): WasmStorage | null {
  const bytes = Math.max(length * BYTES[dtype], 1);
  if (space.heap.liveBytes + bytes > budget) {
    counters.overBudget++;
    return null;
  }
  const ptr = space.heap.alloc(bytes);
  const s = new WasmStorage(ptr, dtype, length, space);
  registry.register(s, { space, ptr, bytes }, s);
  counters.allocated++;
  return s;
}

/**
 * Frees `s`'s block now. Only for storage nothing else can reach (the engine's
 * own temporaries); any later use of `s` throws.
 */
export function releaseStorage(s: WasmStorage): void {
  if (s.released) return;
  registry.unregister(s);
  s.markReleased();
  s.space.heap.free(s.ptr, Math.max(s.byteLength, 1));
  counters.released++;
}

/** A snapshot of the counters. */
export function residentCounters(): ResidentCounters {
  return { ...counters };
}
