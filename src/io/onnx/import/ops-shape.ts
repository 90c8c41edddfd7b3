/**
 * Shape and movement ops of the ONNX importer: Shape, Reshape, Flatten, Transpose,
 * Squeeze/Unsqueeze, Concat, Split, Slice, Gather, Expand, Pad and the constant makers.
 * Shapes, axes and indices are read as plain numbers; data moves through Cortex's
 * differentiable views and copies, so gradients flow through all of them.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { concat, tensor } from '../../../ops/index.js';
import { OnnxDataType } from '../proto.js';
import type { OpContext, OpImpl } from './graph.js';
import { normAxis } from './ops-math.js';
import { arrayValue, intValue, isFloatType, numbers, type Value } from './values.js';

/** The axes of Squeeze/Unsqueeze: the attribute before opset 13, input 1 from 13 on. */
function axesOf(ctx: OpContext): number[] | undefined {
  if (ctx.opset >= 13) {
    const v = ctx.optional(1);
    return v === undefined ? undefined : numbers(v);
  }
  return ctx.ints('axes');
}

const shape: OpImpl = (ctx) => {
  const dims = ctx.input(0).t.shape;
  const r = dims.length;
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = clampAxis(ctx.int('start', 0));
  const end = clampAxis(ctx.int('end', r));
  const out = dims.slice(start, Math.max(start, end));
  return [intValue(out, [out.length])];
};

/** Reshape: 0 copies the input's dimension (unless allowzero), −1 is inferred. */
const reshape: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const spec = ctx.opset >= 5 ? numbers(ctx.input(1)) : (ctx.ints('shape') ?? []);
  const allowZero = ctx.int('allowzero', 0) !== 0;
  const dims = spec.map((d, i) => {
    if (d === 0 && !allowZero) {
      const kept = x.t.shape[i];
      if (kept === undefined) throw ctx.error(`shape [${spec}] copies dimension ${i}, which the input [${x.t.shape}] does not have`);
      return kept;
    }
    return d;
  });
  return [{ t: x.t.reshape(dims), type: x.type }];
};

const flatten: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const r = x.t.ndim;
  const raw = ctx.int('axis', 1);
  const axis = raw < 0 ? raw + r : raw;
  if (axis < 0 || axis > r) throw ctx.error(`axis ${raw} is out of range for rank ${r}`);
  const outer = x.t.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.t.shape.slice(axis).reduce((p, d) => p * d, 1);
  return [{ t: x.t.reshape([outer, inner]), type: x.type }];
};

const transpose: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const perm = ctx.ints('perm') ?? x.t.shape.map((_, i) => x.t.ndim - 1 - i);
  return [{ t: x.t.permute(perm), type: x.type }];
};

const squeeze: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const axes = axesOf(ctx);
  if (axes === undefined) return [{ t: x.t.squeeze(), type: x.type }];
  const norm = axes.map((a) => normAxis(ctx, a, x.t.ndim));
  for (const a of norm) if (x.t.shape[a] !== 1) throw ctx.error(`cannot squeeze axis ${a} of size ${x.t.shape[a]}`);
  const dims = x.t.shape.filter((_, i) => !norm.includes(i));
  return [{ t: x.t.reshape(dims), type: x.type }];
};

const unsqueeze: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const axes = axesOf(ctx);
  if (axes === undefined) throw ctx.error('needs axes');
  const rank = x.t.ndim + axes.length;
  const norm = axes.map((a) => normAxis(ctx, a, rank)).sort((a, b) => a - b);
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(norm.includes(i) ? 1 : x.t.shape[k++]!);
  return [{ t: x.t.reshape(dims), type: x.type }];
};

const concatOp: OpImpl = (ctx) => {
  const xs = ctx.all();
  const first = xs[0];
  if (first === undefined) throw ctx.error('needs at least one input');
  const axis = normAxis(ctx, ctx.int('axis', 0), first.t.ndim);
  // Empty operands (a shape of [0]) add nothing.
  const parts = xs.filter((v) => v.t.size > 0);
  if (parts.length === 0) return [first];
  // Shape vectors (int64, 1-d): joined as plain numbers.
  if (!isFloatType(first.type) && parts.every((v) => v.t.ndim === 1)) {
    const joined = parts.flatMap(numbers);
    return [intValue(joined, [joined.length], first.type)];
  }
  return [{ t: concat(parts.map((v) => v.t.astype(first.t.dtype)), axis), type: first.type }];
};

const split: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const axis = normAxis(ctx, ctx.int('axis', 0), x.t.ndim);
  const given = ctx.opset >= 13 ? (ctx.optional(1) ? numbers(ctx.input(1)) : undefined) : ctx.ints('split');
  const n = ctx.outputCount;
  const dim = x.t.shape[axis]!;
  const sizes = given ?? Array.from({ length: n }, (_, i) => Math.min(Math.ceil(dim / n), Math.max(dim - i * Math.ceil(dim / n), 0)));
  return x.t.split(sizes, axis).map((t) => ({ t, type: x.type }));
};

/** Slice: starts/ends/axes/steps from inputs (opset 10 on) or attributes; steps other than 1 gather. */
const slice: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const r = x.t.ndim;
  const fromInputs = ctx.opset >= 10;
  const starts = fromInputs ? numbers(ctx.input(1)) : (ctx.ints('starts') ?? []);
  const ends = fromInputs ? numbers(ctx.input(2)) : (ctx.ints('ends') ?? []);
  const axesV = fromInputs ? ctx.optional(3) : undefined;
  const axes = (fromInputs ? (axesV ? numbers(axesV) : undefined) : ctx.ints('axes')) ?? starts.map((_, i) => i);
  const stepsV = fromInputs ? ctx.optional(4) : undefined;
  const steps = stepsV ? numbers(stepsV) : starts.map(() => 1);
  let t = x.t;
  axes.forEach((rawAxis, i) => {
    const axis = normAxis(ctx, rawAxis, r);
    const dim = t.shape[axis]!;
    const step = steps[i] ?? 1;
    if (step === 0) throw ctx.error('a step of 0 is not allowed');
    let s = starts[i] ?? 0;
    let e = ends[i] ?? dim;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      if (step === 1) {
        t = t.narrow(axis, s, Math.max(e - s, 0));
        return;
      }
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    const idx: number[] = [];
    for (let k = s; step > 0 ? k < e : k > e; k += step) idx.push(k);
    t = t.indexSelect(axis, idx);
  });
  return [{ t, type: x.type }];
};

/** Gather: `indices` of any shape pick along `axis`; the output has the indices' shape there. */
const gather: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const idxV = ctx.input(1);
  const axis = normAxis(ctx, ctx.int('axis', 0), x.t.ndim);
  const dim = x.t.shape[axis]!;
  const idx = numbers(idxV).map((i) => {
    const k = i < 0 ? i + dim : i;
    if (!Number.isInteger(k) || k < 0 || k >= dim) throw ctx.error(`index ${i} is out of range for axis ${axis} of size ${dim}`);
    return k;
  });
  const dims = [...x.t.shape.slice(0, axis), ...idxV.t.shape, ...x.t.shape.slice(axis + 1)];
  // Picking from a shape vector (int64, 1-d): plain numbers.
  if (!isFloatType(x.type) && x.t.ndim === 1) {
    const data = numbers(x);
    return [intValue(idx.map((k) => data[k]!), dims, x.type)];
  }
  const picked = x.t.indexSelect(axis, idx);
  return [{ t: picked.reshape(dims), type: x.type }];
};

/** The broadcast of two shapes, NumPy style (for Expand, where either side may be 1). */
function broadcast(ctx: OpContext, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw ctx.error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

const expand: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const dims = broadcast(ctx, x.t.shape, numbers(ctx.input(1)));
  return [{ t: x.t.broadcastTo(dims).contiguous(), type: x.type }];
};

/** The source index of output position `k` (from −before) of an axis of size `dim` padded in `mode`. */
function padSource(mode: string, k: number, dim: number): number {
  if (mode === 'edge') return Math.min(Math.max(k, 0), dim - 1);
  // reflect: mirror about the first and last elements, without repeating them.
  const period = 2 * (dim - 1);
  if (period === 0) return 0;
  const m = ((k % period) + period) % period;
  return m < dim ? m : period - m;
}

/**
 * Pad: pads from input 1 (opset 11 on) or the attribute, as [begins..., ends...], in
 * constant, edge or reflect mode; negative pads crop.
 */
const pad: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const mode = ctx.string('mode', 'constant');
  if (!['constant', 'edge', 'reflect'].includes(mode)) throw ctx.error(`pad mode "${mode}" is not supported (constant, edge, reflect)`);
  const r = x.t.ndim;
  const pads = ctx.opset >= 11 ? numbers(ctx.input(1)) : (ctx.ints('pads') ?? []);
  const cv = ctx.opset >= 11 ? ctx.optional(2) : undefined;
  const value = cv ? (numbers(cv)[0] ?? 0) : ctx.float('value', 0);
  const axesV = ctx.opset >= 11 ? ctx.optional(3) : undefined;
  const axes = axesV ? numbers(axesV).map((a) => normAxis(ctx, a, r)) : x.t.shape.map((_, i) => i);
  const pairs: [number, number][] = x.t.shape.map(() => [0, 0]);
  axes.forEach((a, i) => {
    pairs[a] = [pads[i] ?? 0, pads[i + axes.length] ?? 0];
  });
  let t = x.t;
  // Negative pads crop first.
  pairs.forEach(([b, e], axis) => {
    if (b < 0 || e < 0) {
      const cut = Math.max(-b, 0);
      t = t.narrow(axis, cut, t.shape[axis]! - cut - Math.max(-e, 0));
    }
  });
  const grow = pairs.map(([b, e]): [number, number] => [Math.max(b, 0), Math.max(e, 0)]);
  if (mode === 'constant') return [{ t: t.pad(grow, value), type: x.type }];
  grow.forEach(([b, e], axis) => {
    if (b === 0 && e === 0) return;
    const dim = t.shape[axis]!;
    if (dim === 0 || (mode === 'reflect' && (b >= dim || e >= dim))) throw ctx.error(`cannot ${mode}-pad axis ${axis} of size ${dim} by [${b}, ${e}]`);
    t = t.indexSelect(
      axis,
      Array.from({ length: dim + b + e }, (_, k) => padSource(mode, k - b, dim)),
    );
  });
  return [{ t, type: x.type }];
};

/** Constant: the `value` tensor, or one of value_float(s) / value_int(s). */
const constant: OpImpl = (ctx) => {
  const t = ctx.tensor('value');
  if (t !== undefined) return [arrayValue(t, `attribute "value" of node "${ctx.node.label}"`)];
  if (ctx.has('value_float')) return [{ t: tensor(new Float32Array([ctx.float('value_float', 0)]), { shape: [] }), type: OnnxDataType.FLOAT }];
  const floats = ctx.ints('value_floats');
  if (floats !== undefined) return [{ t: tensor(Float32Array.from(floats)), type: OnnxDataType.FLOAT }];
  if (ctx.has('value_int')) return [intValue([ctx.int('value_int', 0)], [])];
  const ints = ctx.ints('value_ints');
  if (ints !== undefined) return [intValue(ints, [ints.length])];
  throw ctx.error('has no value attribute Cortex reads (value, value_float(s), value_int(s))');
};

/** ConstantOfShape: a tensor of the given shape filled with the `value` attribute (float 0 by default). */
const constantOfShape: OpImpl = (ctx) => {
  const dims = numbers(ctx.input(0));
  const v = ctx.tensor('value');
  const fill = v?.data[0] ?? 0;
  const type = v?.dataType ?? OnnxDataType.FLOAT;
  const n = dims.reduce((p, d) => p * d, 1);
  const data = type === OnnxDataType.FLOAT ? new Float32Array(n).fill(fill) : new Float64Array(n).fill(fill);
  return [{ t: tensor(data, { shape: dims }), type }];
};

const range: OpImpl = (ctx) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => numbers(ctx.input(i))[0] ?? 0) as [number, number, number];
  if (delta === 0) throw ctx.error('delta must not be 0');
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  const values = Array.from({ length: n }, (_, i) => start + i * delta);
  const type = ctx.input(0).type;
  const out: Value = type === OnnxDataType.FLOAT ? { t: tensor(Float32Array.from(values)), type } : intValue(values, [n], type);
  return [out];
};

const size: OpImpl = (ctx) => [intValue([ctx.input(0).t.size], [])];

function withType(x: Value, t: Tensor): Value {
  return { t, type: x.type };
}

/** Tile: repeats the input along each axis. */
const tile: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const reps = numbers(ctx.input(1));
  let t = x.t;
  reps.forEach((k, axis) => {
    if (k !== 1) t = concat(Array.from({ length: k }, () => t), axis);
  });
  return [withType(x, t)];
};

/** The shape and movement ops, by ONNX op type. */
export const SHAPE_OPS: Record<string, OpImpl> = {
  Shape: shape,
  Size: size,
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concatOp,
  Split: split,
  Slice: slice,
  Gather: gather,
  Expand: expand,
  Pad: pad,
  Tile: tile,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
};
