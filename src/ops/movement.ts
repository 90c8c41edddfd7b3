import { type Attrs, type OpDef, make, makeView, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type DType, castArray, isFloat, promote } from '../tensor/dtype.js';
import { broadcastShapes, checkShape, fmt, normAxis, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { backend, sumToShape } from './util.js';
import { valuesOf } from '../autograd/values.js';

const RESHAPE: OpDef = { name: 'reshape', backward: (g, n) => [g.reshape(n.inputs[0]!.shape)] };

/** A view of `x`'s storage, recorded as `def` when gradients flow. */
function view(
  def: OpDef,
  x: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  attrs?: Attrs,
): Tensor {
  const out = makeView(x, shape, strides, offset);
  return recording(x) ? record(def, [x], out, attrs) : out;
}

const CONTIGUOUS: OpDef = { name: 'contiguous', backward: (g) => [g] };

/**
 * `x` itself when its elements are already row-major without gaps, else a
 * contiguous copy. Ops call this (through `Tensor.data`) before handing a view
 * to a kernel; it is the one place where views are materialized.
 */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = make(valuesOf(x), x.shape);
  return recording(x) ? record(CONTIGUOUS, [x], out) : out;
}

/** Same data, new shape (no copy). One dimension may be −1 and is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const dims = [...shape];
  const infer = dims.indexOf(-1);
  if (infer !== -1) {
    if (dims.indexOf(-1, infer + 1) !== -1) throw new ArgumentError(`reshape: only one dimension can be -1, got ${fmt(shape)}`);
    dims[infer] = 1;
    const known = sizeOf(checkShape('reshape', dims));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
    }
    dims[infer] = x.size / known;
  }
  checkShape('reshape', dims);
  if (sizeOf(dims) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)} (${sizeOf(dims)} elements)`);
  }
  if (sameShape(dims, x.shape)) return x;
  // A row-major view keeps its storage; any other view is copied first (as PyTorch's reshape does).
  if (x.isContiguous()) return view(RESHAPE, x, dims, stridesOf(dims), x.offset);
  const out = make(valuesOf(x), dims);
  return recording(x) ? record(RESHAPE, [x], out) : out;
}

/** Merges axes `startAxis..endAxis` (default: all) into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startAxis, x.ndim);
  const e = normAxis('flatten', endAxis, x.ndim);
  if (s > e) throw new ArgumentError(`flatten: startAxis (${startAxis}) must not come after endAxis (${endAxis})`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Adds a size-1 axis at `axis` (which may be ndim, or negative). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const ax = normAxis('unsqueeze', axis, x.ndim + 1);
  const shape = [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)];
  const stride = ax < x.ndim ? x.strides[ax]! * x.shape[ax]! : 1;
  return view(RESHAPE, x, shape, [...x.strides.slice(0, ax), stride, ...x.strides.slice(ax)], x.offset);
}

/** Removes size-1 axes: the given ones (each must have size 1), or all of them. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const axes =
    axis === undefined
      ? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))
      : (typeof axis === 'number' ? [axis] : axis).map((a) => normAxis('squeeze', a, x.ndim));
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  if (axes.length === 0 || x.ndim === 0) return x;
  const keep = (_: number, i: number): boolean => !axes.includes(i);
  return view(RESHAPE, x, x.shape.filter(keep), x.strides.filter(keep), x.offset);
}

const PERMUTE: OpDef = {
  name: 'permute',
  backward: (g, n) => {
    const perm = n.attrs.perm ?? [];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [g.permute(inv)];
  },
};

/** Reorders axes: output axis i is input axis `perm[i]`. A view: nothing is copied. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.ndim) {
    throw new ShapeError(`permute: ${fmt(perm)} has ${perm.length} axes but the tensor ${fmt(x.shape)} has ${x.ndim}`);
  }
  const p = perm.map((a) => normAxis('permute', a, x.ndim));
  if (new Set(p).size !== p.length) throw new ArgumentError(`permute: ${fmt(perm)} repeats an axis`);
  if (p.every((a, i) => a === i)) return x;
  return view(
    PERMUTE,
    x,
    p.map((a) => x.shape[a]!),
    p.map((a) => x.strides[a]!),
    x.offset,
    { perm: p },
  );
}

/** Swaps two axes (default: the last two). A 0-d or 1-d tensor is returned as is. */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  if (x.ndim < 2) return x;
  const a = normAxis('transpose', axis0, x.ndim);
  const b = normAxis('transpose', axis1, x.ndim);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

const EXPAND: OpDef = { name: 'expand', backward: (g, n) => [sumToShape(g, n.inputs[0]!.shape)] };

/** Broadcasts to `shape` (−1 keeps a dimension). A view: repeated axes get stride 0, nothing is copied. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to fewer dimensions ${fmt(shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  checkShape('expand', target);
  const b = broadcastShapes('expand', x.shape, target);
  if (!sameShape(b, target)) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  if (sameShape(x.shape, target)) return x;
  const strides = target.map((d, i) => (i < lead || x.shape[i - lead] !== d ? 0 : x.strides[i - lead]!));
  return view(EXPAND, x, target, strides, x.offset);
}

/** Alias of {@link expand}, by NumPy's name. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

const SLICE: OpDef = {
  name: 'slice',
  backward: (g, n) => {
    const x = n.inputs[0]!;
    const begin = n.attrs.begin ?? [];
    const after = x.shape.map((d, i) => d - begin[i]! - g.shape[i]!);
    // New storage (g itself when nothing is cut off, which the engine sees and keeps).
    return [ownedGradient(g.pad(begin.map((b, i) => [b, after[i]!] as const)))];
  },
};

function clampIndex(v: number, dim: number): number {
  const i = v < 0 ? v + dim : v;
  return Math.min(Math.max(i, 0), dim);
}

/**
 * The box from `begin` (inclusive) to `end` (exclusive) on the leading axes,
 * Python style: negative indices count from the end, out-of-range ones clamp.
 * A view: nothing is copied.
 */
export function slice(x: Tensor, begin: readonly number[], end?: readonly number[]): Tensor {
  if (begin.length > x.ndim || (end !== undefined && end.length > x.ndim)) {
    throw new ShapeError(`slice: more indices than the ${x.ndim} axes of ${fmt(x.shape)}`);
  }
  const b: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const dim = x.shape[i]!;
    const s = clampIndex(begin[i] ?? 0, dim);
    const e = clampIndex(end?.[i] ?? dim, dim);
    for (const v of [begin[i], end?.[i]]) {
      if (v !== undefined && !Number.isInteger(v)) throw new ArgumentError(`slice: indices must be integers, got ${v}`);
    }
    b.push(s);
    size.push(Math.max(e - s, 0));
  }
  if (sameShape(size, x.shape)) return x;
  let offset = x.offset;
  for (let i = 0; i < x.ndim; i++) if (size[i]! > 0) offset += b[i]! * x.strides[i]!;
  return view(SLICE, x, size, x.strides, offset, { begin: b });
}

/** `length` elements of `axis` starting at `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normAxis('narrow', axis, x.ndim);
  const dim = x.shape[ax]!;
  const s = start < 0 ? start + dim : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > dim) {
    throw new ArgumentError(`narrow: [${start}, ${start} + ${length}) is outside axis ${ax} of size ${dim}`);
  }
  const begin = x.shape.map((_, i) => (i === ax ? s : 0));
  const end = x.shape.map((d, i) => (i === ax ? s + length : d));
  return slice(x, begin, end);
}

const PAD: OpDef = {
  name: 'pad',
  backward: (g, n) => {
    const x = n.inputs[0]!;
    const begin = n.attrs.begin ?? [];
    return [g.slice(begin, begin.map((b, i) => b + x.shape[i]!))];
  },
};

/** Pads axis i with `pads[i][0]` values before and `pads[i][1]` after; `pads` has one pair per axis. */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (pads.length !== x.ndim) {
    throw new ShapeError(`pad: got ${pads.length} [before, after] pairs for a ${x.ndim}-d tensor ${fmt(x.shape)}; give one per axis`);
  }
  const before = pads.map((p) => p[0]);
  const after = pads.map((p) => p[1]);
  checkShape('pad', [...before, ...after]);
  if ([...before, ...after].every((v) => v === 0)) return x;
  const out = make(
    backend().pad(valuesOf(x), x.shape, before, after, value),
    x.shape.map((d, i) => d + before[i]! + after[i]!),
  );
  return recording(x) ? record(PAD, [x], out, { begin: before }) : out;
}

const CONCAT: OpDef = {
  name: 'concat',
  backward: (g, n) => {
    const axis = n.attrs.axis ?? 0;
    let at = 0;
    return n.inputs.map((x) => {
      const part = narrow(g, axis, at, x.shape[axis]!);
      at += x.shape[axis]!;
      return part;
    });
  },
};

/** Joins tensors along an existing axis; other dimensions must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ArgumentError('concat: needs at least one tensor');
  const ax = normAxis('concat', axis, first.ndim);
  let dt: DType = first.dtype;
  for (const t of tensors) {
    dt = promote(dt, t.dtype);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: shapes ${tensors.map((s) => fmt(s.shape)).join(', ')} must agree on every axis but ${ax}`,
      );
    }
  }
  const parts = tensors.map((t) => (t.dtype === dt ? t : cast(t, dt)));
  const shape = first.shape.map((d, i) => (i === ax ? parts.reduce((s, t) => s + t.shape[ax]!, 0) : d));
  const out = make(
    backend().concat(
      parts.map((t) => valuesOf(t)),
      parts.map((t) => t.shape),
      ax,
    ),
    shape,
  );
  return parts.some((t) => recording(t)) ? record(CONCAT, parts, out, { axis: ax }) : out;
}

/** Joins tensors of equal shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (first === undefined) throw new ArgumentError('stack: needs at least one tensor');
  for (const t of tensors) {
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(`stack: every tensor needs the same shape, got ${tensors.map((s) => fmt(s.shape)).join(', ')}`);
    }
  }
  const ax = normAxis('stack', axis, first.ndim + 1);
  return concat(
    tensors.map((t) => unsqueeze(t, ax)),
    ax,
  );
}

/** Splits along `axis` into chunks of `size` (the last may be smaller), or into the given sizes. */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis('split', axis, x.ndim);
  const dim = x.shape[ax]!;
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes <= 0) {
      throw new ArgumentError(`split: the chunk size must be a positive integer, got ${sizeOrSizes}`);
    }
    sizes = [];
    for (let at = 0; at < dim; at += sizeOrSizes) sizes.push(Math.min(sizeOrSizes, dim - at));
  } else {
    sizes = checkShape('split', sizeOrSizes);
    const total = sizes.reduce((s, v) => s + v, 0);
    if (total !== dim) throw new ShapeError(`split: sizes ${fmt(sizes)} add up to ${total}, but axis ${ax} has size ${dim}`);
  }
  let at = 0;
  return sizes.map((s) => {
    const part = narrow(x, ax, at, s);
    at += s;
    return part;
  });
}

const CAST: OpDef = { name: 'cast', backward: (g, n) => [cast(g, n.inputs[0]!.dtype)] };

/** Converts to another dtype. Float-to-float casts carry gradients; casts to int32 truncate toward zero. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = make(castArray(valuesOf(x), dtype), x.shape);
  return isFloat(dtype) && isFloat(x.dtype) && recording(x) ? record(CAST, [x], out) : out;
}

