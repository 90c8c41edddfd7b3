/**
 * The fused convolution kernels of the WASM backend: `conv2d`,
 * `conv2dGradInput` and `conv2dGradWeight`. Each runs as one job that builds
 * (or folds) the column matrix of one image at a time in a work area of the
 * arena, one per thread, and multiplies it with the packed GEMM there: the
 * column matrix, the largest tensor of a convolution, never leaves the
 * module, and the output comes out in NCHW order with its bias added. The
 * jobs split over the images when the product is worth splitting; with fewer
 * images than threads the forward job splits the output channels instead (the
 * gradient jobs, which only training runs, stay split by images). Float32
 * only (float64 is declined to the reference backend).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { Conv2dSpec, Conv2dWeightGrads, MaxPoolResult, Pool2dSpec } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { maxPool2d } from './conv.js';
import { gemmParts, threadCount } from './jobs.js';

type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

/** The geometry slots shared by the three jobs, in table order. */
function geometry(s: Conv2dSpec): Geometry {
  return [s.n, s.c, s.h, s.w, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW, s.dilationH, s.dilationW, s.outH, s.outW, s.outC, s.groups];
}

/** Floats of one image's column matrix, rounded up to a 64-byte line. */
function colsPerImage(s: Conv2dSpec): number {
  return (s.c * s.kh * s.kw * s.outH * s.outW + 15) & ~15;
}

/** Column-matrix rows of one group. */
function depthOf(s: Conv2dSpec): number {
  return (s.c / s.groups) * s.kh * s.kw;
}

/**
 * Parts a job over the images is cut into: split when the matmul's rule would split the whole
 * product, then one part per image (up to 16 per thread). Each image is packed on its own
 * anyway, so small parts cost only their claims, and a worker that is descheduled mid-job
 * holds up one image instead of a quarter of its share.
 */
function imageParts(s: Conv2dSpec): number {
  const flops = 2 * s.n * s.outC * depthOf(s) * s.outH * s.outW;
  if (gemmParts(flops, s.n, s.outC, s.outH * s.outW) <= 1) return 1;
  return Math.max(1, Math.min(s.n, 16 * threadCount()));
}

/** Parts of the weight-gradient job, whose per-part partial sums are added in JS: as the matmul's rule. */
function partialParts(s: Conv2dSpec): number {
  const flops = 2 * s.n * s.outC * depthOf(s) * s.outH * s.outW;
  return Math.max(1, Math.min(s.n, gemmParts(flops, s.n, s.outC, s.outH * s.outW)));
}

/** Parts of a forward job split by output channels: the matmul's rule, blocks of at least 4 channels. */
function channelParts(s: Conv2dSpec): number {
  const flops = 2 * s.n * s.outC * depthOf(s) * s.outH * s.outW;
  const parts = gemmParts(flops, 1, s.outC, s.outH * s.outW);
  return Math.max(1, Math.min(Math.floor(s.outC / 4), parts));
}

/** Work-area floats: one column matrix per thread that may run a part. */
function workOf(s: Conv2dSpec, parts: number): number {
  return (parts > 1 ? threadCount() : 1) * colsPerImage(s);
}

const NO_BIAS = new Float32Array(0);

/** Whether `a` is a float32 array of `n` elements. */
function f32Of(a: FloatArray | null, n: number): a is Float32Array {
  return a instanceof Float32Array && a.length === n;
}

/** See `Backend.conv2d`. */
export function conv2d(x: FloatArray, weight: FloatArray, bias: FloatArray | null, s: Conv2dSpec): FloatArray | Declined {
  if (!f32Of(x, s.n * s.c * s.h * s.w) || !f32Of(weight, s.outC * depthOf(s))) return DECLINE;
  if (bias !== null && !f32Of(bias, s.outC)) return DECLINE;
  const size = s.n * s.outC * s.outH * s.outW;
  if (size === 0) return new Float32Array(0);
  // Fewer images than threads (a single image at inference, say): split the output channels instead.
  const byChannels = s.n < threadCount() && s.outC >= 8;
  const parts = byChannels ? channelParts(s) : imageParts(s);
  const b = bias ?? NO_BIAS;
  const flags = [bias === null ? 0 : 1, byChannels ? 1 : 0] as const;
  return callJob('conv2d', [x, weight, b, size, workOf(s, parts), ...geometry(s), colsPerImage(s), ...flags], parts);
}

/** See `Backend.conv2dGradInput`. */
export function conv2dGradInput(g: FloatArray, weight: FloatArray, s: Conv2dSpec): FloatArray | Declined {
  if (!f32Of(g, s.n * s.outC * s.outH * s.outW) || !f32Of(weight, s.outC * depthOf(s))) return DECLINE;
  const size = s.n * s.c * s.h * s.w;
  if (size === 0) return new Float32Array(0);
  if (g.length === 0) return new Float32Array(size);
  const parts = imageParts(s);
  return callJob('conv2dGradInput', [g, weight, size, workOf(s, parts), ...geometry(s), colsPerImage(s)], parts);
}

/** See `Backend.conv2dGradWeight`: the job's per-part partial sums added here (a few thousand floats). */
export function conv2dGradWeight(x: FloatArray, g: FloatArray, s: Conv2dSpec): Conv2dWeightGrads | Declined {
  if (!f32Of(x, s.n * s.c * s.h * s.w) || !f32Of(g, s.n * s.outC * s.outH * s.outW)) return DECLINE;
  const wn = s.outC * depthOf(s);
  const size = wn + s.outC;
  if (x.length === 0 || g.length === 0) return { weight: new Float32Array(wn), bias: new Float32Array(s.outC) };
  // Several parts per thread (not one), so that a descheduled worker's share is small; the
  // partials cost (parts − 1)·size additions here.
  const parts = partialParts(s);
  const partials = callJob('conv2dGradWeight', [x, g, parts * size, workOf(s, parts), ...geometry(s), colsPerImage(s), parts], parts);
  return sumPartials(partials, s, parts);
}

/** The weight and bias gradients from the weight-gradient jobs' `parts` partial sums. */
function sumPartials(partials: Float32Array, s: Conv2dSpec, parts: number): Conv2dWeightGrads {
  const wn = s.outC * depthOf(s);
  const size = wn + s.outC;
  const weight = new Float32Array(wn);
  const bias = new Float32Array(s.outC);
  weight.set(partials.subarray(0, wn));
  bias.set(partials.subarray(wn, size));
  for (let p = 1; p < parts; p++) {
    const o = p * size;
    for (let i = 0; i < wn; i++) weight[i] = weight[i]! + partials[o + i]!;
    for (let i = 0; i < s.outC; i++) bias[i] = bias[i]! + partials[o + wn + i]!;
  }
  return { weight, bias };
}

/**
 * See `Backend.conv2dMaxPool2d`: one job per batch, each image convolved into the thread's
 * work area (after its column matrix) and pooled from there, so the convolution's output
 * (6.4 MB for the Fashion-MNIST CNN's first layer) is neither copied out, allocated, nor
 * copied back in for the pooling, and the pooling runs on every thread of the split. With
 * fewer images than threads the two jobs run one after the other (the convolution then
 * splits by output channels).
 */
export function conv2dMaxPool2d(
  x: FloatArray,
  weight: FloatArray,
  bias: FloatArray | null,
  s: Conv2dSpec,
  p: Pool2dSpec,
): MaxPoolResult | Declined {
  if (!f32Of(x, s.n * s.c * s.h * s.w) || !f32Of(weight, s.outC * depthOf(s))) return DECLINE;
  if (bias !== null && !f32Of(bias, s.outC)) return DECLINE;
  if (p.planes !== s.n * s.outC || p.inH !== s.outH || p.inW !== s.outW) return DECLINE;
  const pooled = p.planes * p.outH * p.outW;
  if (pooled === 0) return { values: new Float32Array(0), indices: new Int32Array(0) };
  if (s.n < threadCount()) {
    const y = conv2d(x, weight, bias, s);
    return y === DECLINE ? DECLINE : maxPool2d(y, p);
  }
  const parts = imageParts(s);
  // Per thread: a column matrix, then one image's convolution output.
  const perThread = colsPerImage(s) + ((s.outC * s.outH * s.outW + 15) & ~15);
  const work = (parts > 1 ? threadCount() : 1) * perThread;
  const window = [p.outH, p.outW, p.kH, p.kW, p.sH, p.sW, p.pH, p.pW, p.dH, p.dW] as const;
  const [values, indices] = callJob(
    'conv2dMaxPool',
    [x, weight, bias ?? NO_BIAS, pooled, pooled, work, ...geometry(s), perThread, bias === null ? 0 : 1, ...window],
    parts,
  );
  return { values, indices };
}

/** Whether the pooled-gradient jobs take `p` (the pooling of `s`'s output) and `g`. */
function pooledFits(g: FloatArray, indices: Int32Array, s: Conv2dSpec, p: Pool2dSpec): g is Float32Array {
  const n = p.planes * p.outH * p.outW;
  return g instanceof Float32Array && g.length === n && indices.length === n && p.planes === s.n * s.outC && p.inH === s.outH && p.inW === s.outW;
}

/** Per-thread work of the pooled-gradient jobs: a column matrix, then one image's unpooled gradient. */
function pooledWork(s: Conv2dSpec): number {
  return colsPerImage(s) + ((s.outC * s.outH * s.outW + 15) & ~15);
}

/** See `Backend.conv2dMaxPoolGradInput`: the pooling's adjoint per image in the work area, never handed out. */
export function conv2dMaxPoolGradInput(g: FloatArray, indices: Int32Array, weight: FloatArray, s: Conv2dSpec, p: Pool2dSpec): FloatArray | Declined {
  if (!pooledFits(g, indices, s, p) || !f32Of(weight, s.outC * depthOf(s))) return DECLINE;
  const size = s.n * s.c * s.h * s.w;
  if (size === 0) return new Float32Array(0);
  if (g.length === 0) return new Float32Array(size);
  const parts = imageParts(s);
  const per = pooledWork(s);
  return callJob('conv2dMaxPoolGradInput', [g, indices, weight, size, (parts > 1 ? threadCount() : 1) * per, ...geometry(s), per, p.outH * p.outW], parts);
}

/** See `Backend.conv2dMaxPoolGradWeight`: as {@link conv2dGradWeight}, scattering the pooled gradient per image. */
export function conv2dMaxPoolGradWeight(x: FloatArray, g: FloatArray, indices: Int32Array, s: Conv2dSpec, p: Pool2dSpec): Conv2dWeightGrads | Declined {
  if (!pooledFits(g, indices, s, p) || !f32Of(x, s.n * s.c * s.h * s.w)) return DECLINE;
  const wn = s.outC * depthOf(s);
  if (x.length === 0 || g.length === 0) return { weight: new Float32Array(wn), bias: new Float32Array(s.outC) };
  const parts = partialParts(s);
  const per = pooledWork(s);
  const partials = callJob(
    'conv2dMaxPoolGradWeight',
    [x, g, indices, parts * (wn + s.outC), (parts > 1 ? threadCount() : 1) * per, ...geometry(s), per, parts, p.outH * p.outW],
    parts,
  );
  return sumPartials(partials, s, parts);
}
