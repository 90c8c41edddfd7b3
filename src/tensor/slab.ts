/**
 * Small typed arrays carved from shared slabs, for the results of ops.
 *
 * A fresh `ArrayBuffer` costs V8 a backing-store allocation and later a sweep,
 * about 0.6–1 µs whatever its size above 64 bytes, while a view into an
 * existing buffer costs a tenth of that. An op on small tensors (the seed's
 * tiny network makes about 25 results per training step) spends much of its
 * time there, so results of 65 bytes to 16 KiB are views into slabs that are
 * filled front to back and never reused: a slab's memory goes back when the
 * garbage collector has collected every view into it, as with any buffer.
 *
 * The cost is that a long-lived small array keeps its whole slab alive. Slabs
 * are sized per size tier (16 times the tier's largest request), so one view
 * holds at most 64 times its own bytes; long-lived storage that Cortex makes
 * itself (parameters, optimizer state) uses {@link allocateOwn} instead. Views
 * share their slab's buffer, so a caller who wants to transfer `array.buffer`
 * to a worker must copy first (`array.slice()`).
 * @module
 */
import type { DType, TypedArray } from './dtype.js';

/** Requests up to this many bytes are V8 on-heap arrays already (cheap): not pooled. */
const ON_HEAP = 64;

interface Tier {
  /** Largest request of the tier, in bytes. */
  readonly max: number;
  /** Bytes of each slab (16 × max). */
  readonly slabBytes: number;
  slab: ArrayBuffer | null;
  used: number;
}

const TIERS: Tier[] = [1024, 4096, 16384].map((max) => ({ max, slabBytes: max * 16, slab: null, used: 0 }));

/** A zeroed byte range of `bytes` (16-byte aligned) in a slab, or null when the request is not pooled. */
function carve(bytes: number): { buffer: ArrayBuffer; offset: number } | null {
  if (bytes <= ON_HEAP) return null;
  for (const tier of TIERS) {
    if (bytes > tier.max) continue;
    const need = (bytes + 15) & ~15;
    if (tier.slab === null || tier.used + need > tier.slabBytes) {
      tier.slab = new ArrayBuffer(tier.slabBytes);
      tier.used = 0;
    }
    const offset = tier.used;
    tier.used += need;
    return { buffer: tier.slab, offset };
  }
  return null;
}

/** Zeroed float32 storage of `n` elements; small ones are views into a slab. */
export function slabFloat32(n: number): Float32Array {
  const at = carve(n * 4);
  return at === null ? new Float32Array(n) : new Float32Array(at.buffer, at.offset, n);
}

/** Zeroed storage of `n` elements of `dtype`; small ones are views into a slab. */
export function slabAllocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return slabFloat32(n);
    case 'float64': {
      const at = carve(n * 8);
      return at === null ? new Float64Array(n) : new Float64Array(at.buffer, at.offset, n);
    }
    case 'int32': {
      const at = carve(n * 4);
      return at === null ? new Int32Array(n) : new Int32Array(at.buffer, at.offset, n);
    }
  }
}

/** True when `a` does not span its whole buffer (a slab view, or any other view into a larger buffer). */
export function sharesBuffer(a: TypedArray): boolean {
  return a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength;
}

/** Bytes above which float32 arrays are whole buffers of their own (the largest slab tier). */
const SPARE_MIN = TIERS[TIERS.length - 1]!.max;
/** The most bytes of given-back arrays kept for reuse. */
const SPARE_LIMIT = 64 * 2 ** 20;
/** Float32 arrays given back by {@link recycleFloat32}, by length. */
const spares = new Map<number, Float32Array[]>();
/** The arrays in {@link spares}, so one given back twice is kept once. */
const pooled = new WeakSet<Float32Array>();
let spareBytes = 0;

/**
 * Gives back a large float32 array that nothing references any more (the
 * backward pass's gradient temporaries, once consumed), for
 * {@link reusableFloat32} to hand out again instead of allocating: a fresh
 * buffer of that size costs V8 an allocation, zeroed pages and later a
 * collection. Arrays of a slab, views into larger buffers, shared buffers and
 * small arrays are ignored, and at most 64 MiB is kept.
 */
export function recycleFloat32(a: Float32Array): void {
  const bytes = a.byteLength;
  if (bytes <= SPARE_MIN || sharesBuffer(a) || !(a.buffer instanceof ArrayBuffer) || pooled.has(a)) return;
  if (spareBytes + bytes > SPARE_LIMIT) return;
  let list = spares.get(a.length);
  if (list === undefined) {
    list = [];
    spares.set(a.length, list);
  }
  list.push(a);
  pooled.add(a);
  spareBytes += bytes;
}

/**
 * Float32 storage of `n` elements whose contents are unspecified (a given-back
 * array, or else zeroed as {@link slabFloat32}'s): for callers that overwrite
 * every element.
 */
export function reusableFloat32(n: number): Float32Array {
  const a = spares.get(n)?.pop();
  if (a === undefined) return slabFloat32(n);
  pooled.delete(a);
  spareBytes -= a.byteLength;
  return a;
}
