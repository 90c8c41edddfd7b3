/**
 * Pooling: `maxPool1d`, `maxPool2d`, `avgPool2d` and `adaptiveAvgPool2d`, over
 * batched (`[N, C, H, W]`, `[N, C, L]`) or unbatched (`[C, H, W]`, `[C, L]`) inputs,
 * with PyTorch's output sizes, padding rules and gradients.
 * @module
 */
import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { AvgPool2dSpec, Pool2dSpec } from '../backend/backend.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import { backend, floats } from './util.js';
import { valuesOf } from '../autograd/values.js';

/** A size given once for both spatial axes, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link maxPool2d} (and, with single numbers, {@link maxPool1d}). */
export interface MaxPoolOptions<S = Size2> {
  /** Step between windows (default: the kernel size). */
  stride?: S;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: S;
  /** Spacing between the elements of a window (default 1). */
  dilation?: S;
  /** Round the output size up instead of down, so partial windows at the end count (default false). */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}. */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: Size2;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window by this number instead of its size. */
  divisorOverride?: number;
}

/** `[h, w]` from a {@link Size2}, checked to be integers ≥ `min`. */
function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ArgumentError(`${op}: ${name} must be ${min === 0 ? 'non-negative' : 'positive'} integers, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** PyTorch's pooled size along one axis. */
function outSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let n = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  // With ceil mode the last window must start inside the input or its left padding.
  if (ceil && (n - 1) * s >= size + p) n--;
  return n;
}

/** The planes, spatial sizes and output shape of a pooled input; 1-D pools have `h = 1`. */
interface Layout {
  planes: number;
  h: number;
  w: number;
  lead: number[];
}

function layout(op: string, x: { readonly ndim: number; readonly shape: readonly number[] }, spatial: 1 | 2): Layout {
  const nd = x.ndim;
  if (nd !== spatial + 1 && nd !== spatial + 2) {
    const want = spatial === 2 ? '3-D [C, H, W] or 4-D [N, C, H, W]' : '2-D [C, L] or 3-D [N, C, L]';
    throw new ShapeError(`${op}: expected a ${want} input, got shape ${fmt(x.shape)}`);
  }
  const lead = x.shape.slice(0, nd - spatial);
  const h = spatial === 2 ? x.shape[nd - 2]! : 1;
  const w = x.shape[nd - 1]!;
  if (h === 0 || w === 0 || lead.some((d) => d === 0)) {
    throw new ShapeError(`${op}: expected an input with no empty dimension, got shape ${fmt(x.shape)}`);
  }
  return { planes: lead.reduce((a, b) => a * b, 1), h, w, lead };
}

/** Builds and checks the window geometry (PyTorch's rules and wording). */
function geometry(op: string, L: Layout, k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceil: boolean): Pool2dSpec {
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    const one = L.h === 1 && k[0] === 1;
    const [pp, kk] = one ? [String(p[1]), String(k[1])] : [JSON.stringify(p), JSON.stringify(k)];
    throw new ArgumentError(`${op}: pad should be at most half of kernel size, but got padding ${pp} for kernel size ${kk}`);
  }
  const outH = outSize(L.h, k[0], s[0], p[0], d[0], ceil);
  const outW = outSize(L.w, k[1], s[1], p[1], d[1], ceil);
  if (outH < 1 || outW < 1) {
    // 1-D pools (height 1 throughout) speak of the length alone.
    const x = (a: readonly number[]): string => (L.h === 1 && k[0] === 1 ? String(a[1]) : a.join('x'));
    throw new ArgumentError(
      `${op}: given input size ${x([L.h, L.w])}, the calculated output size ${x([outH, outW])} is too small (kernel ${x(k)}, stride ${x(s)}, padding ${x(p)}, dilation ${x(d)})`,
    );
  }
  return { planes: L.planes, inH: L.h, inW: L.w, outH, outW, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], dH: d[0], dW: d[1] };
}

function outShape(L: Layout, spec: Pool2dSpec, spatial: 1 | 2): number[] {
  return spatial === 2 ? [...L.lead, spec.outH, spec.outW] : [...L.lead, spec.outW];
}

/** The adjoint of max pooling as an op: its own gradient gathers at the same indices. */
export function maxPoolGrad(g: Tensor, indices: Int32Array, spec: Pool2dSpec, inShape: readonly number[]): Tensor {
  const out = make(backend().maxPool2dGrad(valuesOf(g) as FloatArray, indices, spec), inShape);
  if (!recording(g)) return out;
  const def: OpDef = {
    name: 'maxPoolGrad',
    backward: (u) => {
      const vals = valuesOf(u) as FloatArray;
      const picked = vals.constructor === Float64Array ? new Float64Array(indices.length) : new Float32Array(indices.length);
      const plane = spec.inH * spec.inW;
      const per = spec.outH * spec.outW;
      for (let i = 0; i < indices.length; i++) picked[i] = vals[Math.floor(i / per) * plane + indices[i]!]!;
      return [make(picked, g.shape)];
    },
  };
  return record(def, [g], out);
}

/** The checked window geometry and layout of max pooling an input of `shape`. */
function maxPoolGeometry(op: string, shape: readonly number[], spatial: 1 | 2, kernel: Size2, o: MaxPoolOptions): [Pool2dSpec, Layout] {
  const L = layout(op, { ndim: shape.length, shape }, spatial);
  const widen = (v: Size2, dflt: number): Size2 => (spatial === 1 && typeof v === 'number' ? [dflt, v] : v);
  const k = pair(op, 'kernelSize', widen(kernel, 1), 1);
  const s = pair(op, 'stride', widen(o.stride ?? kernel, 1), 1);
  const p = pair(op, 'padding', widen(o.padding ?? 0, 0), 0);
  const d = pair(op, 'dilation', widen(o.dilation ?? 1, 1), 1);
  return [geometry(op, L, k, s, p, d, o.ceilMode ?? false), L];
}

/**
 * The window geometry {@link maxPool2d} would use on an input of `shape` (checked, with
 * its errors), for kernels that pool a tensor they make themselves.
 */
export function maxPool2dSpec(shape: readonly number[], kernelSize: Size2, options: MaxPoolOptions = {}): Pool2dSpec {
  return maxPoolGeometry('maxPool2d', shape, 2, kernelSize, options)[0];
}

function maxPool(op: string, x: Tensor, spatial: 1 | 2, kernel: Size2, o: MaxPoolOptions): [Tensor, Tensor] {
  const [spec, L] = maxPoolGeometry(op, x.shape, spatial, kernel, o);
  const { values, indices } = backend().maxPool2d(floats(op, x), spec);
  const shape = outShape(L, spec, spatial);
  const out = make(values, shape);
  const idx = make(indices, shape);
  if (!recording(x)) return [out, idx];
  const def: OpDef = { name: op, backward: (g) => [maxPoolGrad(g, indices, spec, x.shape)] };
  return [record(def, [x], out), idx];
}

/**
 * 2-D max pooling over `[N, C, H, W]` or `[C, H, W]`, as `torch.nn.functional.max_pool2d`.
 * The gradient goes to the first maximum of each window.
 *
 * @example
 * ```ts
 * maxPool2d(x, 2);                            // [N, C, H, W] -> [N, C, H/2, W/2]
 * maxPool2d(x, 3, { stride: 2, padding: 1 });
 * ```
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPoolOptions = {}): Tensor {
  return maxPool('maxPool2d', x, 2, kernelSize, options)[0];
}

/**
 * {@link maxPool2d} that also returns where each maximum sits: int32 flat indices
 * `h·W + w` into its input plane (PyTorch's `return_indices=True`).
 */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Size2, options: MaxPoolOptions = {}): [Tensor, Tensor] {
  return maxPool('maxPool2d', x, 2, kernelSize, options);
}

/**
 * 1-D max pooling over `[N, C, L]` or `[C, L]`, as `torch.nn.functional.max_pool1d`.
 *
 * @example
 * ```ts
 * maxPool1d(x, 2); // [N, C, L] -> [N, C, L/2]
 * ```
 */
export function maxPool1d(x: Tensor, kernelSize: number, options: MaxPoolOptions<number> = {}): Tensor {
  return maxPool('maxPool1d', x, 1, kernelSize, options)[0];
}

/** {@link maxPool1d} that also returns the int32 position of each maximum along L. */
export function maxPool1dWithIndices(x: Tensor, kernelSize: number, options: MaxPoolOptions<number> = {}): [Tensor, Tensor] {
  return maxPool('maxPool1d', x, 1, kernelSize, options);
}

/** Average pooling of `x` or its adjoint of `g`; each is the other's gradient. */
function avgApply(t: Tensor, spec: AvgPool2dSpec, adjoint: boolean, shapes: [number[], number[]]): Tensor {
  const data = adjoint ? backend().avgPool2dGrad(valuesOf(t) as FloatArray, spec) : backend().avgPool2d(valuesOf(t) as FloatArray, spec);
  const out = make(data, adjoint ? shapes[0] : shapes[1]);
  if (!recording(t)) return out;
  const def: OpDef = { name: adjoint ? 'avgPool2dGrad' : 'avgPool2d', backward: (g) => [avgApply(g, spec, !adjoint, shapes)] };
  return record(def, [t], out);
}

/**
 * 2-D average pooling over `[N, C, H, W]` or `[C, H, W]`, as `torch.nn.functional.avg_pool2d`.
 *
 * @example
 * ```ts
 * avgPool2d(x, 2);
 * avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
 * ```
 */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: AvgPoolOptions = {}): Tensor {
  const op = 'avgPool2d';
  const L = layout(op, x, 2);
  const k = pair(op, 'kernelSize', kernelSize, 1);
  const s = pair(op, 'stride', options.stride ?? kernelSize, 1);
  const p = pair(op, 'padding', options.padding ?? 0, 0);
  const divisor = options.divisorOverride ?? 0;
  if (options.divisorOverride !== undefined && !(Number.isFinite(divisor) && divisor !== 0)) {
    throw new ArgumentError(`${op}: divisorOverride must be a non-zero number, got ${divisor}`);
  }
  floats(op, x);
  const spec: AvgPool2dSpec = {
    ...geometry(op, L, k, s, p, [1, 1], options.ceilMode ?? false),
    countIncludePad: options.countIncludePad ?? true,
    divisor,
  };
  return avgApply(x, spec, false, [[...x.shape], outShape(L, spec, 2)]);
}

/** Adaptive average pooling of `t` or its adjoint of `g`; each is the other's gradient. */
function adaptiveApply(t: Tensor, L: Layout, oh: number, ow: number, adjoint: boolean, shapes: [number[], number[]]): Tensor {
  const k = backend();
  const v = valuesOf(t) as FloatArray;
  const data = adjoint ? k.adaptiveAvgPool2dGrad(v, L.planes, L.h, L.w, oh, ow) : k.adaptiveAvgPool2d(v, L.planes, L.h, L.w, oh, ow);
  const out = make(data, adjoint ? shapes[0] : shapes[1]);
  if (!recording(t)) return out;
  const def: OpDef = {
    name: adjoint ? 'adaptiveAvgPool2dGrad' : 'adaptiveAvgPool2d',
    backward: (g) => [adaptiveApply(g, L, oh, ow, !adjoint, shapes)],
  };
  return record(def, [t], out);
}

/**
 * Adaptive 2-D average pooling to a fixed `outputSize` (`null` keeps that axis), as
 * `torch.nn.functional.adaptive_avg_pool2d`: window `o` of an axis of size `n` covers
 * `[⌊o·n/out⌋, ⌈(o+1)·n/out⌉)`.
 *
 * @example
 * ```ts
 * adaptiveAvgPool2d(x, 1);      // global average pooling: [N, C, 1, 1]
 * adaptiveAvgPool2d(x, [7, 7]);
 * ```
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  const op = 'adaptiveAvgPool2d';
  const L = layout(op, x, 2);
  const [rh, rw] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const oh = rh ?? L.h;
  const ow = rw ?? L.w;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new ArgumentError(`${op}: outputSize must be positive integers, got ${JSON.stringify(outputSize)}`);
  }
  floats(op, x);
  return adaptiveApply(x, L, oh, ow, false, [[...x.shape], [...L.lead, oh, ow]]);
}
