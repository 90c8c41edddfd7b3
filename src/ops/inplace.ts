/**
 * In-place updates: the only ops that write into an existing storage. They are
 * what the layers above use to change a tensor's values (initialisers, loading
 * a state dict, running statistics, gradient clipping) instead of writing into
 * raw arrays. Like PyTorch's `copy_`, `fill_`, `mul_` and `add_`, they are not
 * recorded for autograd: on a tensor that requires grad they need `noGrad`.
 * @module
 */
import { isGradEnabled } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { stridedWrite } from '../backend/js/strided.js';
import { ArgumentError, GradientError, ShapeError } from '../errors.js';
import { castArray } from '../tensor/dtype.js';
import { broadcastShapes, fmt, sameShape } from '../tensor/shape.js';
import { add, mul } from './elementwise.js';
import { type TensorLike, lift } from './util.js';
import { valuesOf } from '../autograd/values.js';

function checkWritable(op: string, t: Tensor): void {
  if (isGradEnabled() && t.requiresGrad) {
    throw new GradientError(
      `${op}: cannot change a tensor that requires grad in place while gradients are recorded; wrap the update in noGrad(() => ...)`,
    );
  }
  for (let i = 0; i < t.ndim; i++) {
    if (t.strides[i] === 0 && t.shape[i]! > 1) {
      throw new ArgumentError(
        `${op}: the tensor is an expanded view (axis ${i} repeats one element ${t.shape[i]} times); write into a contiguous copy instead`,
      );
    }
  }
}

/**
 * Copies the values of `src` into `dst`, broadcasting `src` to `dst`'s shape and
 * converting to `dst`'s dtype (truncating toward zero for int32). Writes through
 * views: copying into a slice changes the tensor it was sliced from. Returns `dst`.
 *
 * @example
 * ```ts
 * const w = zeros([2, 3]);
 * copy_(w.narrow(0, 1, 1), tensor([1, 2, 3])); // w = [[0, 0, 0], [1, 2, 3]]
 * ```
 */
export function copy_(dst: Tensor, src: TensorLike): Tensor {
  checkWritable('copy_', dst);
  const s = lift(src, dst);
  const shape = broadcastShapes('copy_', s.shape, dst.shape);
  if (!sameShape(shape, dst.shape)) {
    throw new ShapeError(`copy_: a source of shape ${fmt(s.shape)} cannot be broadcast to the destination's shape ${fmt(dst.shape)}`);
  }
  const view = sameShape(s.shape, dst.shape) ? s : s.expand(dst.shape);
  let values = castArray(valuesOf(view), dst.dtype);
  // A source sharing the destination's storage is read completely before anything is written.
  // Up to 64 bytes the copy is cheaper than asking: V8 allocates a buffer for a small array's `.buffer`.
  if (values.byteLength <= 64 || values.buffer === dst.storage.array.buffer) values = values.slice();
  const out = dst.storage.array;
  if (dst.isContiguous()) out.set(values, dst.offset);
  else stridedWrite(values, dst.shape, out, dst.offset, dst.strides);
  return dst;
}

/** Sets every element of `t` to `value`. Returns `t`. */
export function fill_(t: Tensor, value: number): Tensor {
  if (!Number.isFinite(value) && t.dtype === 'int32') {
    throw new ArgumentError(`fill_: an int32 tensor cannot hold ${value}`);
  }
  return copy_(t, value);
}

/** Sets every element of `t` to zero. Returns `t`. */
export function zero_(t: Tensor): Tensor {
  return copy_(t, 0);
}

/** Multiplies `t` by `factor` (a number or a tensor broadcast to `t`'s shape) in place. Returns `t`. */
export function mul_(t: Tensor, factor: TensorLike): Tensor {
  checkWritable('mul_', t);
  return copy_(t, mul(t.detach(), typeof factor === 'number' ? factor : factor.detach()));
}

/** Adds `alpha · other` to `t` in place (`other` broadcast to `t`'s shape). Returns `t`. */
export function add_(t: Tensor, other: TensorLike, alpha = 1): Tensor {
  checkWritable('add_', t);
  const o = typeof other === 'number' ? other * alpha : alpha === 1 ? other.detach() : mul(other.detach(), alpha);
  return copy_(t, add(t.detach(), o));
}
