import type { FloatArray } from '../../tensor/dtype.js';
import { type Shape, around, stridesOf } from '../../tensor/shape.js';
import type { ReduceOp } from '../backend.js';
import { alike, stridedRead } from './strided.js';

/**
 * Reduces `x` viewed as [outer, r, inner] over the middle axis.
 * Sums accumulate in float64 whatever the storage type.
 */
function reduceMiddle(op: ReduceOp, x: FloatArray, outer: number, r: number, inner: number): FloatArray {
  const out = alike(x, outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let j = 0; j < inner; j++) {
      let acc = op === 'sum' ? 0 : op === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      let p = base + j;
      if (op === 'sum') {
        for (let k = 0; k < r; k++, p += inner) acc += x[p]!;
      } else if (op === 'max') {
        for (let k = 0; k < r; k++, p += inner) {
          const v = x[p]!;
          if (v > acc || v !== v) acc = v;
          if (acc !== acc) break;
        }
      } else {
        for (let k = 0; k < r; k++, p += inner) {
          const v = x[p]!;
          if (v < acc || v !== v) acc = v;
          if (acc !== acc) break;
        }
      }
      out[o * inner + j] = acc;
    }
  }
  return out;
}

export function reduce(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray {
  if (axes.length === 0) return x.slice();
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 === axes.length) {
    // The reduced axes form one contiguous block.
    let outer = 1;
    let r = 1;
    let inner = 1;
    for (let i = 0; i < shape.length; i++) {
      if (i < first) outer *= shape[i]!;
      else if (i <= last) r *= shape[i]!;
      else inner *= shape[i]!;
    }
    return reduceMiddle(op, x, outer, r, inner);
  }
  // Move the reduced axes to the end, then reduce one trailing block.
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const strides = stridesOf(shape);
  const permShape = perm.map((p) => shape[p]!);
  const moved = stridedRead(
    x,
    0,
    perm.map((p) => strides[p]!),
    permShape,
  );
  let outer = 1;
  for (const k of kept) outer *= shape[k]!;
  let r = 1;
  for (const a of axes) r *= shape[a]!;
  return reduceMiddle(op, moved, outer, r, 1);
}

export function argReduce(op: 'argmax' | 'argmin', x: FloatArray, shape: Shape, axis: number): Int32Array {
  const [outer, n, inner] = around(shape, axis);
  const out = new Int32Array(outer * inner);
  const wantMax = op === 'argmax';
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      let bv = x[o * n * inner + j]!;
      for (let k = 1; k < n && bv === bv; k++) {
        const v = x[(o * n + k) * inner + j]!;
        if (v !== v || (wantMax ? v > bv : v < bv)) {
          best = k;
          bv = v;
        }
      }
      out[o * inner + j] = best;
    }
  }
  return out;
}
