/**
 * Resize and Upsample of the ONNX importer: nearest and (multi)linear interpolation, one axis
 * at a time, as gathers of the input (and, for linear, a weighted sum of two gathers), so
 * gradients flow to the input.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { tensor } from '../../../ops/index.js';
import type { OpContext, OpImpl } from './graph.js';
import { numbers } from './values.js';

type Transform = (x: number, scale: number, inSize: number, outSize: number) => number;

/** ONNX's coordinate_transformation_mode: an output coordinate to an input coordinate. */
const TRANSFORMS: Record<string, Transform> = {
  half_pixel: (x, s) => (x + 0.5) / s - 0.5,
  pytorch_half_pixel: (x, s, _i, o) => (o > 1 ? (x + 0.5) / s - 0.5 : 0),
  align_corners: (x, _s, i, o) => (o === 1 ? 0 : (x * (i - 1)) / (o - 1)),
  asymmetric: (x, s) => x / s,
  tf_half_pixel_for_nn: (x, s) => (x + 0.5) / s,
};

/** ONNX's nearest_mode: a fractional input coordinate to an index. */
const ROUNDING: Record<string, (x: number) => number> = {
  round_prefer_floor: (x) => (x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: Math.floor,
  ceil: Math.ceil,
};

interface Plan {
  mode: 'nearest' | 'linear';
  transform: Transform;
  round: (x: number) => number;
  /** Per axis: the scale and the output size. */
  scales: number[];
  sizes: number[];
}

/** Resamples `x` along every axis whose size or scale changes. */
function resample(x: Tensor, plan: Plan): Tensor {
  let t = x;
  plan.sizes.forEach((out, axis) => {
    const n = t.shape[axis]!;
    const scale = plan.scales[axis]!;
    if (out === n && scale === 1) return;
    // align_corners and pytorch_half_pixel see the rounded output length, as in PyTorch and
    // onnxruntime (ONNX 1.12's reference data uses n · scale for align_corners).
    const coords = Array.from({ length: out }, (_, k) => plan.transform(k, scale, n, out));
    if (plan.mode === 'nearest') {
      t = t.indexSelect(
        axis,
        coords.map((c) => Math.min(Math.max(plan.round(c), 0), n - 1)),
      );
      return;
    }
    const clamped = coords.map((c) => Math.min(Math.max(c, 0), n - 1));
    const lo = clamped.map((c) => Math.floor(c));
    const hi = lo.map((i) => Math.min(i + 1, n - 1));
    const frac = clamped.map((c, k) => c - lo[k]!);
    const shape = t.shape.map((_, i) => (i === axis ? out : 1));
    const w = tensor(Float64Array.from(frac), { shape }).astype(t.dtype);
    const a = t.indexSelect(axis, lo);
    const b = t.indexSelect(axis, hi);
    t = a.add(b.sub(a).mul(w));
  });
  return t;
}

function planOf(ctx: OpContext, x: Tensor, mode: string, transform: string, rounding: string, scales?: number[], sizes?: number[]): Plan {
  if (mode !== 'nearest' && mode !== 'linear') throw ctx.error(`mode "${mode}" is not supported (nearest, linear)`);
  const t = TRANSFORMS[transform];
  if (t === undefined) throw ctx.error(`coordinate_transformation_mode "${transform}" is not supported`);
  const round = ROUNDING[rounding];
  if (round === undefined) throw ctx.error(`nearest_mode "${rounding}" is not supported`);
  const rank = x.ndim;
  let sc: number[];
  let sz: number[];
  if (sizes !== undefined && sizes.length > 0) {
    if (sizes.length !== rank) throw ctx.error(`sizes has ${sizes.length} values for a rank-${rank} input`);
    sz = sizes;
    sc = sizes.map((s, i) => s / x.shape[i]!);
  } else if (scales !== undefined && scales.length > 0) {
    if (scales.length !== rank) throw ctx.error(`scales has ${scales.length} values for a rank-${rank} input`);
    sc = scales;
    sz = scales.map((s, i) => Math.floor(x.shape[i]! * s));
  } else {
    throw ctx.error('needs scales or sizes');
  }
  return { mode, transform: t, round, scales: sc, sizes: sz };
}

/** Resize (opset 10 on): scales (input 1 at opset 10, input 2 later) or sizes (input 3). */
const resize: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const mode = ctx.string('mode', 'nearest');
  if (ctx.opset < 11) {
    const plan = planOf(ctx, x.t, mode, 'asymmetric', 'floor', numbers(ctx.input(1)));
    return [{ t: resample(x.t, plan), type: x.type }];
  }
  const transform = ctx.string('coordinate_transformation_mode', 'half_pixel');
  if (transform === 'tf_crop_and_resize') throw ctx.error('coordinate_transformation_mode "tf_crop_and_resize" is not supported');
  if (ctx.int('exclude_outside', 0) !== 0) throw ctx.error('exclude_outside is not supported');
  const scalesV = ctx.optional(2);
  const sizesV = ctx.optional(3);
  const plan = planOf(
    ctx,
    x.t,
    mode,
    transform,
    ctx.string('nearest_mode', 'round_prefer_floor'),
    scalesV ? numbers(scalesV) : undefined,
    sizesV ? numbers(sizesV) : undefined,
  );
  return [{ t: resample(x.t, plan), type: x.type }];
};

/** Upsample (opsets 7 to 9): Resize with asymmetric coordinates and floor rounding. */
const upsample: OpImpl = (ctx) => {
  const x = ctx.input(0);
  const scales = ctx.opset >= 9 ? numbers(ctx.input(1)) : ctx.ints('scales');
  const plan = planOf(ctx, x.t, ctx.string('mode', 'nearest'), 'asymmetric', 'floor', scales);
  return [{ t: resample(x.t, plan), type: x.type }];
};

/** The resampling ops, by ONNX op type. */
export const RESIZE_OPS: Record<string, OpImpl> = { Resize: resize, Upsample: upsample };
