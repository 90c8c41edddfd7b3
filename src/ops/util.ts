import { isGradEnabled, make } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { ReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, type FloatArray, assertFloat, castArray, isFloat } from '../tensor/dtype.js';
import { type Shape, sameShape } from '../tensor/shape.js';
import { valuesOf } from '../autograd/values.js';

/** A tensor or a plain number, accepted wherever an op broadcasts. */
export type TensorLike = Tensor | number;

/** A scalar tensor holding `v`, of `like`'s float dtype (float32 when `like` is int32 and `v` is fractional). */
export function scalarFor(v: number, like: DType): Tensor {
  if (like === 'float64') return make(new Float64Array([v]), []);
  if (like === 'int32' && Number.isInteger(v)) return make(new Int32Array([v]), []);
  return make(new Float32Array([v]), []);
}

/** Converts a number operand into a tensor matched to the other operand. */
export function lift(x: TensorLike, other: TensorLike): Tensor {
  if (typeof x !== 'number') return x;
  const dt: DType = typeof other === 'number' ? 'float32' : other.dtype;
  return scalarFor(x, dt);
}

/** The storage of `t` as floats of dtype `dt` (float32 for int32 tensors). */
export function floatData(t: Tensor, dt: DType = t.dtype): FloatArray {
  const target = isFloat(dt) ? dt : 'float32';
  return castArray(valuesOf(t), target) as FloatArray;
}

/** The storage of a float tensor, or a DTypeError naming the op. */
export function floats(op: string, t: Tensor): FloatArray {
  assertFloat(op, t.dtype);
  return valuesOf(t) as FloatArray;
}

/** Sums `g` down to `shape`, undoing broadcasting, for gradients. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  // Recording (createGraph): the same sum as an op, so the gradient stays differentiable.
  if (isGradEnabled() && g.requiresGrad) return g.sum(axes, true).reshape(shape);
  const data = reduceAxes('sum', valuesOf(g) as FloatArray, g.shape, axes);
  return make(data, shape);
}

/**
 * Runs the `reduce` kernel over the sorted, distinct `axes` of `x`. Axes that are not one
 * contiguous block (say [0, 2, 3] of an NCHW tensor: a per-channel statistic or a bias
 * gradient) are reduced one contiguous run at a time, last run first, so every call is a
 * contiguous reduction that a fast backend runs itself instead of declining.
 */
export function reduceAxes(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray {
  const runs: number[][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[last.length - 1] === a - 1) last.push(a);
    else runs.push([a]);
  }
  if (runs.length <= 1) return getBackend().reduce(op, x, shape, axes);
  let data = x;
  let cur = [...shape];
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i]!;
    data = getBackend().reduce(op, data, cur, run);
    cur = cur.filter((_, j) => !run.includes(j));
  }
  return data;
}

export { getBackend as backend };
