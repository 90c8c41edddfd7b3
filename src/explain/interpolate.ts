/**
 * Resizing of layer attributions to the input's size, as Captum's
 * `LayerAttribution.interpolate` (PyTorch's `F.interpolate`, `align_corners=False`):
 * bilinear (linear along one axis for [N, C, L]) or nearest. Plain array code on the
 * values, not an op: attributions are results, not part of a graph.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';

/** How {@link interpolateAttribution} resizes: bilinear (linear for 1-D maps) or nearest neighbour. */
export type InterpolateMode = 'bilinear' | 'nearest';

/** Source index and weight pairs of one output position along one axis. */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float64Array;
}

/** Where each of `outSize` positions reads from an axis of `inSize`, PyTorch's half-pixel rule. */
function taps(inSize: number, outSize: number, mode: InterpolateMode): Taps {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest') {
      i0[o] = Math.min(Math.floor(o * scale), inSize - 1);
      i1[o] = i0[o]!;
      continue;
    }
    const src = Math.max(scale * (o + 0.5) - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w1[o] = src - lo;
  }
  return { i0, i1, w1 };
}

/**
 * Resizes the spatial axes of an attribution map [N, C, H, W] (or [N, C, L]) to `size`
 * ([H', W'] or [L']), as Captum's `LayerAttribution.interpolate` with
 * `interpolate_mode` 'bilinear' (or 'linear' for 1-D) and 'nearest'.
 *
 * @example
 * ```ts
 * const big = interpolateAttribution(cam, [28, 28]); // [N, 1, 7, 7] → [N, 1, 28, 28]
 * ```
 */
export function interpolateAttribution(attr: Tensor, size: readonly number[], mode: InterpolateMode = 'bilinear'): Tensor {
  const spatial = attr.ndim - 2;
  if (spatial !== 1 && spatial !== 2) throw new ShapeError(`interpolateAttribution: expected a map [N, C, H, W] or [N, C, L], got shape [${attr.shape.join(', ')}]`);
  if (size.length !== spatial || size.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ArgumentError(`interpolateAttribution: size must be ${spatial} positive integers for a map of shape [${attr.shape.join(', ')}], got [${size.join(', ')}]`);
  }
  if (mode !== 'bilinear' && mode !== 'nearest') throw new ArgumentError(`interpolateAttribution: mode must be 'bilinear' or 'nearest', got '${String(mode)}'`);
  const planes = attr.shape[0]! * attr.shape[1]!;
  const inH = spatial === 2 ? attr.shape[2]! : 1;
  const inW = attr.shape[attr.ndim - 1]!;
  const outH = spatial === 2 ? size[0]! : 1;
  const outW = size[spatial - 1]!;
  const ty = taps(inH, outH, mode);
  const tx = taps(inW, outW, mode);
  const src = attr.contiguous().dataSync();
  const out = new Float32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = base + ty.i0[oy]! * inW;
      const r1 = base + ty.i1[oy]! * inW;
      const wy = ty.w1[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        const c0 = tx.i0[ox]!;
        const c1 = tx.i1[ox]!;
        const wx = tx.w1[ox]!;
        const top = (1 - wx) * src[r0 + c0]! + wx * src[r0 + c1]!;
        const bottom = (1 - wx) * src[r1 + c0]! + wx * src[r1 + c1]!;
        out[(p * outH + oy) * outW + ox] = (1 - wy) * top + wy * bottom;
      }
    }
  }
  return new Tensor(out, [attr.shape[0]!, attr.shape[1]!, ...size]);
}
