import { GradientError } from '../errors.js';
import { fmt, sameShape } from '../tensor/shape.js';
import type { Tensor } from './tensor.js';
import { exposeGrad } from './values.js';

/**
 * Tensor hooks and retained gradients, kept beside the tensors rather than in
 * them: a tensor without hooks costs nothing, and the maps hold their tensors
 * weakly.
 * @module
 */

/** A gradient hook: sees the gradient of its tensor and may return a replacement. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes returns nothing (void), as in PyTorch.
export type GradHook = (grad: Tensor) => Tensor | void;

/** What {@link registerHook} returns: `remove()` unregisters the hook. */
export interface HookHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

const hooks = new WeakMap<Tensor, GradHook[]>();
const retained = new WeakSet<Tensor>();

/**
 * Registers `fn` to run on the gradient of `t` each time one is computed for it
 * (by `backward` or `grad`), before the gradient is accumulated into a leaf's
 * `.grad` or passed on to the op that made `t`. Hooks run in registration
 * order; a hook that returns a tensor replaces the gradient for the hooks after
 * it and for everything downstream.
 */
export function registerHook(t: Tensor, fn: GradHook): HookHandle {
  if (!t.requiresGrad) {
    throw new GradientError(
      `registerHook: the tensor (shape ${fmt(t.shape)}) does not require grad, so no gradient will reach it; create it with { requiresGrad: true } or hook a result computed from one`,
    );
  }
  let list = hooks.get(t);
  if (list === undefined) {
    list = [];
    hooks.set(t, list);
  }
  list.push(fn);
  const own = list;
  return {
    remove: () => {
      const i = own.indexOf(fn);
      if (i !== -1) own.splice(i, 1);
    },
  };
}

/** Runs the hooks of `t` on its gradient `g` and returns the (possibly replaced) gradient. */
export function runHooks(t: Tensor, g: Tensor): Tensor {
  const list = hooks.get(t);
  if (list === undefined || list.length === 0) return g;
  let cur = g;
  // A copy, so a hook that removes itself (or adds another) does not disturb this pass.
  for (const fn of [...list]) {
    // A hook may keep the gradient it sees: it is the caller's from now on, never recycled.
    exposeGrad(cur);
    const r = fn(cur);
    if (r === undefined || r === null) continue;
    if (!sameShape(r.shape, cur.shape)) {
      throw new GradientError(
        `registerHook: a hook returned a gradient of shape ${fmt(r.shape)} for a tensor of shape ${fmt(cur.shape)}; return a tensor of the same shape, or nothing to keep the gradient`,
      );
    }
    cur = r;
  }
  exposeGrad(cur);
  return cur;
}

/** Makes `backward` keep the gradient of the non-leaf `t` in `t.grad` (a leaf always keeps it). */
export function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) {
    throw new GradientError(`retainGrad: the tensor (shape ${fmt(t.shape)}) does not require grad, so it will never have a gradient`);
  }
  if (t.node !== null) retained.add(t);
}

/** True for a non-leaf on which {@link retainGrad} was called. */
export function retainsGrad(t: Tensor): boolean {
  return retained.has(t);
}
