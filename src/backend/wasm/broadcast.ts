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

/** Sets {@link plan}'s rows and cols to the output viewed as [axes before s, axes from s]; returns cols. */
function splitAt(outShape: Shape, s: number): number {
  let rows = 1;
  for (let i = 0; i < s; i++) rows *= outShape[i]!;
  let cols = 1;
  for (let i = s; i < outShape.length; i++) cols *= outShape[i]!;
  plan.rows = rows;
  plan.cols = cols;
  return cols;
}

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
    const cols = splitAt(outShape, s);
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

// --- channel broadcasts (issue 12: BatchNorm2d's affine and statistics, [N, C, H, W] with [1, C, 1, 1]) ---

/**
 * For a broadcast {@link broadcastPlan} does not take, finds the first split `s` of the
 * output axes where each operand's trailing axes `[s, nd)` are the output's or all ones,
 * and its leading axes are the output's or all ones unless its trailing ones are all ones.
 * Such an operand (a `[1, C, 1, 1]` against `[N, C, H, W]`, split 2) becomes a column
 * vector once {@link expandLeading} has repeated it over the leading axes, which costs
 * one value per row. Fills {@link plan} with expanded operands taken as columns and
 * returns `s`, or -1 when there is no such split.
 */
export function columnPlan(aShape: Shape, bShape: Shape, outShape: Shape): number {
  const nd = outShape.length;
  for (let s = 1; s < nd; s++) {
    const as = cls(aShape, outShape, s, nd);
    const bs = cls(bShape, outShape, s, nd);
    const ap = cls(aShape, outShape, 0, s);
    const bp = cls(bShape, outShape, 0, s);
    // A full suffix needs a leading part that is full or ones; a suffix of ones takes anything.
    if (as === 0 || bs === 0 || (as === 1 && ap === 0) || (bs === 1 && bp === 0)) continue;
    const cols = splitAt(outShape, s);
    plan.sa = as & 1;
    plan.ra = as & 1 ? (ap & 1 ? cols : 0) : ap === 2 ? 0 : 1;
    plan.sb = bs & 1;
    plan.rb = bs & 1 ? (bp & 1 ? cols : 0) : bp === 2 ? 0 : 1;
    return s;
  }
  return -1;
}

/** True when {@link columnPlan} takes `x` as a column it must expand: trailing axes ones, leading ones neither full nor ones. */
export function needsExpand(xShape: Shape, outShape: Shape, s: number): boolean {
  return cls(xShape, outShape, s, outShape.length) === 2 && cls(xShape, outShape, 0, s) === 0;
}

/**
 * `x`, whose axes from `s` on are ones, repeated over the output's leading axes `[0, s)`:
 * one value per output row, row-major.
 */
export function expandLeading(x: Float32Array, xShape: Shape, outShape: Shape, s: number): Float32Array {
  const off = outShape.length - xShape.length;
  // Strides of x over the output's leading axes (0 where x is broadcast).
  const strides = new Array<number>(s).fill(0);
  let st = 1;
  for (let i = outShape.length - 1; i >= 0; i--) {
    const d = i < off ? 1 : xShape[i - off]!;
    if (i < s) strides[i] = d === 1 ? 0 : st;
    st *= d;
  }
  let rows = 1;
  for (let i = 0; i < s; i++) rows *= outShape[i]!;
  const out = new Float32Array(rows);
  const idx = new Array<number>(s).fill(0);
  let src = 0;
  for (let r = 0; r < rows; r++) {
    out[r] = x[src]!;
    for (let i = s - 1; i >= 0; i--) {
      src += strides[i]!;
      if (++idx[i]! < outShape[i]!) break;
      src -= strides[i]! * outShape[i]!;
      idx[i] = 0;
    }
  }
  return out;
}
