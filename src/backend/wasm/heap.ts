/**
 * A size-class allocator for tensor storage in the kernels' linear memory.
 *
 * Blocks are rounded up to a size class and never split or merged: a freed
 * block goes onto its class's free list and is handed out again to the next
 * request of that class. Training repeats the same shapes every step, so after
 * the first step nearly every request is served from a free list. Classes are
 * multiples of 64 bytes (one cache line, and the alignment the SIMD kernels
 * want) up to 1 KiB, then four classes per power of two, so a block wastes at
 * most a fifth of its size. New blocks come from the top of the heap, which
 * grows the memory when needed; a block freed at the top lowers the top
 * instead of going onto a list.
 * @module
 */
import { CortexError } from '../../errors.js';

/** Alignment and granularity of every block, in bytes. */
export const LINE = 64;
const SMALL = 1024;

/** The size class (block size in bytes) that serves a request of `bytes` bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= SMALL) return Math.max(LINE, Math.ceil(bytes / LINE) * LINE);
  const pow = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

/** What a heap holds, in bytes. */
export interface HeapStats {
  /** Bytes in blocks handed out and not yet freed (their size classes). */
  live: number;
  /** Bytes in freed blocks waiting on free lists. */
  free: number;
  /** Bytes between the heap's base and its top: live + free. */
  reserved: number;
  /** Blocks handed out and not yet freed. */
  blocks: number;
}

/** A heap over `[base, ∞)` of a linear memory; `ensure(end)` must make bytes below `end` addressable. */
export class SizeClassHeap {
  private top: number;
  private readonly lists = new Map<number, number[]>();
  private live = 0;
  private freeBytes = 0;
  private blocks = 0;

  constructor(
    private readonly base: number,
    private readonly ensure: (end: number) => void,
    /** The highest address the memory can reach (4 GiB for wasm32). */
    private readonly limit = 2 ** 32,
  ) {
    if (base % LINE !== 0) throw new CortexError(`heap: base ${base} is not ${LINE}-byte aligned`);
    this.top = base;
  }

  /** A block of at least `bytes` bytes (64-byte aligned); throws when the memory cannot hold it. */
  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.lists.get(size);
    let ptr: number;
    if (list !== undefined && list.length > 0) {
      ptr = list.pop()!;
      this.freeBytes -= size;
    } else {
      const end = this.top + size;
      if (end > this.limit) {
        throw new CortexError(
          `wasm backend: tensor storage needs ${end} bytes of wasm memory, more than its ${this.limit}-byte limit; use smaller batches or free tensors you no longer use`,
        );
      }
      this.ensure(end);
      ptr = this.top;
      this.top = end;
    }
    this.live += size;
    this.blocks++;
    return ptr;
  }

  /** Returns the block at `ptr`, allocated for `bytes` bytes, to the heap. */
  free(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    this.live -= size;
    this.blocks--;
    if (ptr + size === this.top) {
      this.top = ptr;
      return;
    }
    let list = this.lists.get(size);
    if (list === undefined) {
      list = [];
      this.lists.set(size, list);
    }
    list.push(ptr);
    this.freeBytes += size;
  }

  /** Bytes in blocks handed out and not yet freed. */
  get liveBytes(): number {
    return this.live;
  }

  /** Current occupancy. */
  stats(): HeapStats {
    return { live: this.live, free: this.freeBytes, reserved: this.top - this.base, blocks: this.blocks };
  }
}
