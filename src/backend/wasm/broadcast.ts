/**
 * Recognises the broadcasts the binary kernel handles directly: the output is
 * viewed as [rows, cols] and each operand is full, a row vector repeated over
 * rows (bias add, [m, n] + [n]), a column vector repeated over columns
 * ([m, n] * [m, 1]) or a scalar. A full first operand with a second that is
 * one of those over the trailing axes (a [C, 1, 1] bias added to [N, C, H, W])
 * is run slice by slice ({@link slicedPlan}). Other broadcasts go to the
 * reference backend.
 * @module
 */
import type { Shape } from '../../tensor/shape.js';

/** The last successful plan (reused to avoid allocating per call). */
export const plan = { rows: 0, cols: 0, ra: 0, sa: 0, rb: 0, sb: 0 };

// Operand class over a range of output axes: bit 1 = equal to the output, bit 2 = all ones.
function cls(x: Shape, out: Shape, from: number, to: number): number {
  const off = out.length - x.length;
  let full = true;
  let ones = true;
  for (let i = from; i < to; i++) {
    const d = i < off ? 1 : x[i - off]!;
    if (d !== out[i]) full = false;
    if (d !== 1) ones = false;
  }
  return (full ? 1 : 0) | (ones ? 2 : 0);
}

/**
 * Finds a split of the output axes at which both operands are each full, a
 * row vector, a column vector or a scalar, and fills {@link plan}. Returns
 * false when there is none.
 */
export function broadcastPlan(aShape: Shape, bShape: Shape, outShape: Shape): boolean {
  const nd = outShape.length;
  for (let s = 0; s <= nd; s++) {
    const ap = cls(aShape, outShape, 0, s);
    const as = cls(aShape, outShape, s, nd);
    const bp = cls(bShape, outShape, 0, s);
    const bs = cls(bShape, outShape, s, nd);
    if (ap === 0 || as === 0 || bp === 0 || bs === 0) continue;
    let rows = 1;
    for (let i = 0; i < s; i++) rows *= outShape[i]!;
    let cols = 1;
    for (let i = s; i < nd; i++) cols *= outShape[i]!;
    plan.rows = rows;
    plan.cols = cols;
    plan.sa = as & 1;
    plan.ra = ap & 1 ? (as & 1 ? cols : 1) : 0;
    plan.sb = bs & 1;
    plan.rb = bp & 1 ? (bs & 1 ? cols : 1) : 0;
    return true;
  }
  return false;
}

/**
 * For a first operand equal to the output and a second whose leading axes are
 * ones, finds the fewest leading output axes to loop over so that the rest is
 * a broadcast {@link broadcastPlan} takes, fills {@link plan} with one slice's
 * plan and returns the number of slices (the product of the looped axes), or
 * 0 when there is none.
 */
export function slicedPlan(aShape: Shape, bShape: Shape, outShape: Shape): number {
  const nd = outShape.length;
  if (aShape.length !== nd || aShape.some((d, i) => d !== outShape[i])) return 0;
  const off = nd - bShape.length;
  let outer = 1;
  for (let s = 1; s < nd; s++) {
    // Axis s − 1 joins the loop: b must not vary along it.
    const d = s - 1 < off ? 1 : bShape[s - 1 - off]!;
    if (d !== 1) return 0;
    outer *= outShape[s - 1]!;
    if (broadcastPlan(aShape.slice(s), bShape.slice(Math.max(0, s - off)), outShape.slice(s))) return outer;
  }
  return 0;
}
