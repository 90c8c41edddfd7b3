import { stridedRead } from '../backend/js/strided.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Storage } from '../tensor/storage.js';
import type { Tensor } from './tensor.js';

/**
 * The values of `t` in row-major order, for kernels: the storage itself (or the
 * part of it `t` covers) when `t` is contiguous, so nothing is copied, and a
 * contiguous copy of any other view. This is the one place where views are
 * materialized. A view of a backend's memory is valid only until that backend
 * next allocates; kernels read it at once. Not part of the public API: users
 * read with `dataSync()`, `data()`, `toArray()` or `item()`.
 */
export function valuesOf(t: Tensor): TypedArray {
  const a = t.storage.array;
  if (t.isContiguous()) {
    return t.offset === 0 && a.length === t.size ? a : a.subarray(t.offset, t.offset + t.size);
  }
  return stridedRead(a, t.offset, t.strides, t.shape);
}

/**
 * The slot of a tensor's `.grad`. Cortex's own code reads and writes it through
 * {@link gradSlot} and {@link setGradSlot}; the public `grad` accessor also
 * marks the gradient as seen by the caller.
 */
export const GRAD: unique symbol = Symbol('cortex.grad');

/**
 * Storage of gradients the caller has seen: read or assigned through the
 * public `grad` accessor, or handed to a tensor hook. Kept per storage, since
 * the engine may wrap one storage in more than one tensor.
 */
const exposed = new WeakSet<Storage>();
/** Per leaf: the resident storage of its last gradient, free for its next one. */
const spares = new WeakMap<Tensor, Storage>();

/** Records that code outside Cortex holds `g` (it read or assigned a `.grad`, or a hook saw it). */
export function exposeGrad(g: Tensor): void {
  exposed.add(g.storage);
}

/**
 * Leaves whose gradient the next backward passes need not compute: a private (DP-SGD)
 * step replaces the batch gradient by its own, so rules that can skip it (the linear
 * layer's) do. Set and cleared by the private optimizer around each step.
 */
const unwanted = new WeakSet<Tensor>();

/** Marks `t`'s gradient as not wanted (`on`) or wanted again; see {@link wantsGrad}. */
export function setGradUnwanted(t: Tensor, on: boolean): void {
  if (on) unwanted.add(t);
  else unwanted.delete(t);
}

/** True when a backward rule should compute `t`'s gradient: it requires one and no private step has waived it. */
export function wantsGrad(t: Tensor): boolean {
  return t.requiresGrad && !unwanted.has(t);
}

/** True when code outside Cortex may hold `g`'s storage (see {@link exposeGrad}): it must not be overwritten. */
export function isGradExposed(g: Tensor): boolean {
  return exposed.has(g.storage);
}

/** `t`'s gradient, without marking it as seen. */
export function gradSlot(t: Tensor): Tensor | null {
  return t[GRAD];
}

/** Sets `t`'s gradient from inside Cortex (the backward pass). */
export function setGradSlot(t: Tensor, g: Tensor | null): void {
  t[GRAD] = g;
}

/**
 * Clears `t`'s gradient (`optimizer.zeroGrad()`, `module.zeroGrad()`). When
 * the gradient is resident in a backend's memory and only Cortex ever held it
 * (the caller never read `t.grad`), its storage is kept for `t`'s next
 * gradient, so a training loop reuses one block per parameter instead of
 * allocating one per step. A gradient the caller has read keeps its values.
 */
export function dropGrad(t: Tensor): void {
  const g = t[GRAD];
  t[GRAD] = null;
  if (g === null || exposed.has(g.storage) || g.storage.device === 'host') return;
  if (g.offset !== 0 || !g.isContiguous() || g.storage.length !== t.size || g.dtype !== t.dtype) return;
  spares.set(t, g.storage);
}

/** The storage {@link dropGrad} kept for `t`'s next gradient (taken: it is handed out once). */
export function takeSpareGrad(t: Tensor): Storage | undefined {
  const s = spares.get(t);
  if (s !== undefined) spares.delete(t);
  return s;
}
