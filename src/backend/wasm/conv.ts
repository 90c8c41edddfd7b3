/**
 * The convolution and pooling kernels of the WASM backend: `im2col` and
 * `col2im` (which can be split over the pool by column-matrix rows and by
 * image planes), and max, average and adaptive average pooling with their
 * adjoints (by planes). Float32
 * only: float64 inputs, and an average divisor that is not a whole number,
 * are declined (the reference backend takes them).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AvgPool2dSpec, Im2colSpec, MaxPoolResult, Pool2dSpec } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, elementParts } from './jobs.js';

/** The geometry slots of the im2col and col2im jobs, in table order. */
function geometry(s: Im2colSpec): [number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [s.n, s.c, s.h, s.w, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW, s.dilationH, s.dilationW, s.outH, s.outW];
}

/**
 * Parts a job over `units` independent rows or planes is cut into. These jobs
 * move memory and do little arithmetic, so like the cheap elementwise ops they
 * are split only when the parallel cut-off is 0 (tests): on the CNN's shapes
 * (batch 64, 32 channels of 28×28 and 64 of 14×14) one part measured faster
 * than eight on two threads for every one of them (max pooling 5.7 against
 * 7.1 ms, its adjoint 5.5 against 7.7, im2col 45 against 49), because copying
 * into the shared memory of the threaded build costs more than the work.
 */
function partsOf(units: number): number {
  return Math.max(1, Math.min(units, elementParts(CHEAP)));
}

/** Unfolds an NCHW batch into columns; see `Backend.im2col`. */
export function im2col(x: FloatArray, s: Im2colSpec): FloatArray | Declined {
  if (!(x instanceof Float32Array) || x.length !== s.n * s.c * s.h * s.w) return DECLINE;
  const rows = s.c * s.kh * s.kw;
  const size = rows * s.n * s.outH * s.outW;
  if (size === 0) return new Float32Array(0);
  return callJob('im2col', [x, size, ...geometry(s)], partsOf(rows));
}

/** Adds columns back into an NCHW batch; see `Backend.col2im`. */
export function col2im(cols: FloatArray, s: Im2colSpec): FloatArray | Declined {
  if (!(cols instanceof Float32Array) || cols.length !== s.c * s.kh * s.kw * s.n * s.outH * s.outW) return DECLINE;
  const size = s.n * s.c * s.h * s.w;
  if (size === 0) return new Float32Array(0);
  return callJob('col2im', [cols, size, ...geometry(s)], partsOf(s.n * s.c));
}

/** The window slots shared by the pooling jobs, in table order. */
function windowOf(s: Pool2dSpec): [number, number, number, number, number, number, number, number, number, number, number] {
  return [s.planes, s.inH, s.inW, s.outH, s.outW, s.kH, s.kW, s.sH, s.sW, s.pH, s.pW];
}

/** Max pooling with argmax indices; see `Backend.maxPool2d`. */
export function maxPool2d(x: FloatArray, s: Pool2dSpec): MaxPoolResult | Declined {
  if (!(x instanceof Float32Array) || x.length !== s.planes * s.inH * s.inW) return DECLINE;
  const n = s.planes * s.outH * s.outW;
  if (n === 0) return { values: new Float32Array(0), indices: new Int32Array(0) };
  const [values, indices] = callJob('maxPool2d', [x, n, n, ...windowOf(s), s.dH, s.dW], partsOf(s.planes));
  return { values, indices };
}

/** Adjoint of max pooling; see `Backend.maxPool2dGrad`. */
export function maxPool2dGrad(g: FloatArray, indices: Int32Array, s: Pool2dSpec): FloatArray | Declined {
  const n = s.planes * s.outH * s.outW;
  if (!(g instanceof Float32Array) || g.length !== n || indices.length !== n) return DECLINE;
  const size = s.planes * s.inH * s.inW;
  if (size === 0) return new Float32Array(0);
  return callJob('maxPool2dGrad', [g, indices, size, s.planes, s.inH, s.inW, s.outH, s.outW], partsOf(s.planes));
}

/** Whether the WASM average-pooling jobs take `s`: an integer divisor override, or none (dilation is ignored, as by the reference). */
function avgTakes(s: AvgPool2dSpec): boolean {
  return Number.isInteger(s.divisor) && s.divisor < 2 ** 31;
}

/** Average pooling; see `Backend.avgPool2d`. */
export function avgPool2d(x: FloatArray, s: AvgPool2dSpec): FloatArray | Declined {
  if (!(x instanceof Float32Array) || x.length !== s.planes * s.inH * s.inW || !avgTakes(s)) return DECLINE;
  const n = s.planes * s.outH * s.outW;
  if (n === 0) return new Float32Array(0);
  const divisor = Math.max(0, s.divisor);
  return callJob('avgPool2d', [x, n, ...windowOf(s), s.countIncludePad ? 1 : 0, divisor], partsOf(s.planes));
}

/** Adjoint of average pooling; see `Backend.avgPool2dGrad`. */
export function avgPool2dGrad(g: FloatArray, s: AvgPool2dSpec): FloatArray | Declined {
  if (!(g instanceof Float32Array) || g.length !== s.planes * s.outH * s.outW || !avgTakes(s)) return DECLINE;
  const size = s.planes * s.inH * s.inW;
  if (size === 0) return new Float32Array(0);
  const divisor = Math.max(0, s.divisor);
  return callJob('avgPool2dGrad', [g, size, ...windowOf(s), s.countIncludePad ? 1 : 0, divisor], partsOf(s.planes));
}

/** Adaptive average pooling; see `Backend.adaptiveAvgPool2d`. */
export function adaptiveAvgPool2d(
  x: FloatArray,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): FloatArray | Declined {
  if (!(x instanceof Float32Array) || x.length !== planes * inH * inW) return DECLINE;
  const n = planes * outH * outW;
  if (n === 0) return new Float32Array(0);
  return callJob('adaptiveAvgPool2d', [x, n, planes, inH, inW, outH, outW], partsOf(planes));
}

/** Adjoint of adaptive average pooling; see `Backend.adaptiveAvgPool2dGrad`. */
export function adaptiveAvgPool2dGrad(
  g: FloatArray,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): FloatArray | Declined {
  if (!(g instanceof Float32Array) || g.length !== planes * outH * outW) return DECLINE;
  const size = planes * inH * inW;
  if (size === 0) return new Float32Array(0);
  return callJob('adaptiveAvgPool2dGrad', [g, size, planes, inH, inW, outH, outW], partsOf(planes));
}
