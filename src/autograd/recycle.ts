/**
 * Gradient temporaries of a backward pass, given back for reuse once consumed.
 *
 * Most of a backward pass's allocations are gradients of intermediate tensors
 * that live from the rule that computes them to the rule that consumes them.
 * A gradient a rule computed into new storage is marked as owned by the pass
 * ({@link ownedGradient}); when its consumer has run and nothing else can
 * reach its array (no view of it was passed on, no hook saw it, it is not a
 * wanted gradient), the array goes back to the slab pool
 * ({@link recycleFloat32}) and the next kernel result of its size reuses it.
 * @module
 */
import { getBackend } from '../backend/registry.js';
import { recycleFloat32 } from '../tensor/slab.js';
import type { Grads } from './engine.js';
import { disownGradient, isOwnedGradient } from './engine.js';
import type { Tensor } from './tensor.js';
import { isGradExposed, valuesOf } from './values.js';

/** The buffer behind `t`'s elements. */
function bufferOf(t: Tensor): ArrayBufferLike {
  return t.storage.array.buffer;
}

/**
 * Checks the gradients a rule returned for sharing: those that share storage
 * with the rule's upstream gradient `g` (a view of it, or `g` itself) or with
 * one another lose their owned mark, since more than one tensor reaches their
 * array. Returns true when none shares `g`'s storage (so `g` may be given
 * back once the rule's outputs are stored).
 */
export function settleOwnership(g: Tensor, ins: Grads): boolean {
  const buf = bufferOf(g);
  let free = true;
  for (let i = 0; i < ins.length; i++) {
    const gx = ins[i];
    if (gx === null || gx === undefined) continue;
    const b = bufferOf(gx);
    if (b === buf) {
      free = false;
      disownGradient(gx);
    }
    for (let j = 0; j < i; j++) {
      const o = ins[j];
      if (o !== null && o !== undefined && bufferOf(o) === b) {
        disownGradient(gx);
        disownGradient(o);
      }
    }
  }
  return free;
}

/**
 * Gives `g`'s array back to the pool when the pass owns it: marked owned,
 * float32 in host memory, never seen by a hook. The caller guarantees nothing
 * else holds `g` (it was consumed). Its owned mark is withdrawn.
 */
export function recycleGradient(g: Tensor): void {
  if (!isOwnedGradient(g)) return;
  disownGradient(g);
  const s = g.storage;
  if (s.device !== 'host' || s.dtype !== 'float32' || isGradExposed(g)) return;
  recycleFloat32(s.array as Float32Array);
}

/**
 * Adds `gx` into `prev` in place when the pass owns `prev` (see
 * {@link recycleGradient}'s conditions) and both are contiguous float32
 * gradients of one shape, then gives `gx` back; returns false (nothing done)
 * otherwise. The sum is the same float32 sum as `prev.add(gx)`, without a new
 * array for it.
 */
export function accumulateOwned(prev: Tensor, gx: Tensor): boolean {
  if (!isOwnedGradient(prev) || isGradExposed(prev) || prev.storage.device !== 'host') return false;
  if (prev.dtype !== 'float32' || gx.dtype !== 'float32' || !prev.isContiguous() || !gx.isContiguous()) return false;
  if (prev.offset !== 0 || prev.storage.length !== prev.size) return false;
  const acc = prev.storage.array as Float32Array;
  if (bufferOf(gx) === acc.buffer) return false;
  getBackend().accumulate(acc, valuesOf(gx) as Float32Array);
  recycleGradient(gx);
  return true;
}

/**
 * Gives back the array of `t`, an intermediate result its caller made and
 * alone holds, once `consumer` (the result computed from it) exists, for ops
 * whose recorded rules never read `t`'s values again (attention's scores
 * after the softmax, say). Nothing happens when `consumer` shares `t`'s array,
 * or `t` is not a whole float32 array in host memory.
 */
export function recycleTransient(t: Tensor, consumer: Tensor): void {
  const s = t.storage;
  if (s.device !== 'host' || s.dtype !== 'float32' || isGradExposed(t)) return;
  if (bufferOf(consumer) === bufferOf(t)) return;
  recycleFloat32(s.array as Float32Array);
}
