/**
 * The optimizers' update steps as ops on tensors: each writes the new parameter
 * values and optimizer state in place, through the active backend's fused
 * update kernel, wherever that backend keeps the storage. The optimizers call
 * these instead of touching raw arrays. Not recorded for autograd.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/tensor.js';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { ArgumentError, DTypeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';

/**
 * The storage of `t` for an in-place update: `t` must be a contiguous float
 * tensor (a parameter or a state buffer), so writes into the array reach it.
 */
function target(op: string, what: string, t: Tensor, like: Tensor | null): FloatArray {
  if (t.dtype === 'int32') throw new DTypeError(`${op}: ${what} must be a float tensor, got int32`);
  if (!t.isContiguous()) throw new ArgumentError(`${op}: ${what} must be contiguous to be updated in place; pass a contiguous tensor (.contiguous())`);
  if (like !== null && (t.dtype !== like.dtype || t.size !== like.size)) {
    throw new ArgumentError(
      `${op}: ${what} (${t.dtype}, ${fmt(t.shape)}) does not match the parameter (${like.dtype}, ${fmt(like.shape)})`,
    );
  }
  return valuesOf(t) as FloatArray;
}

/** The gradient's values in the parameter's dtype and size (read only, so any layout is fine). */
function gradValues(op: string, g: Tensor, w: Tensor): FloatArray {
  if (g.size !== w.size) {
    throw new ArgumentError(`${op}: a gradient of shape ${fmt(g.shape)} does not fit its parameter of shape ${fmt(w.shape)}`);
  }
  return valuesOf(g.dtype === w.dtype ? g : g.astype(w.dtype)) as FloatArray;
}

/** One SGD update of `w` in place from its gradient `g` (momentum buffer `buf`, or null); see {@link SgdStepOptions}. */
export function sgdUpdate(w: Tensor, g: Tensor, buf: Tensor | null, o: SgdStepOptions): void {
  const wd = target('SGD', 'the parameter', w, null);
  const b = buf === null ? null : target('SGD', 'the momentum buffer', buf, w);
  getBackend().sgdStep(wd, gradValues('SGD', g, w), b, o);
}

/** One Adam/AdamW update of `w` and its moments in place; see {@link AdamStepOptions}. */
export function adamUpdate(w: Tensor, g: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, o: AdamStepOptions): void {
  const op = o.decoupled ? 'AdamW' : 'Adam';
  const wd = target(op, 'the parameter', w, null);
  getBackend().adamStep(
    wd,
    gradValues(op, g, w),
    target(op, 'the first moment', m, w),
    target(op, 'the second moment', v, w),
    vmax === null ? null : target(op, 'the AMSGrad maximum', vmax, w),
    o,
  );
}

/** One RMSprop update of `w` and its averages in place; see {@link RmspropStepOptions}. */
export function rmspropUpdate(
  w: Tensor,
  g: Tensor,
  sq: Tensor,
  gradAvg: Tensor | null,
  buf: Tensor | null,
  o: RmspropStepOptions,
): void {
  const wd = target('RMSprop', 'the parameter', w, null);
  getBackend().rmspropStep(
    wd,
    gradValues('RMSprop', g, w),
    target('RMSprop', 'the square average', sq, w),
    gradAvg === null ? null : target('RMSprop', 'the gradient average', gradAvg, w),
    buf === null ? null : target('RMSprop', 'the momentum buffer', buf, w),
    o,
  );
}

/** One Adagrad update of `w` and its squared-gradient sum in place; see {@link AdagradStepOptions}. */
export function adagradUpdate(w: Tensor, g: Tensor, sum: Tensor, o: AdagradStepOptions): void {
  const wd = target('Adagrad', 'the parameter', w, null);
  getBackend().adagradStep(wd, gradValues('Adagrad', g, w), target('Adagrad', 'the squared-gradient sum', sum, w), o);
}
