import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Signatures of the convolution and pooling kernels on NCHW images: im2col and
 * its adjoint col2im, the fused 2-D convolution and its gradients, max, average
 * and adaptive average pooling with their adjoints, and the convolution fused
 * with the max pooling that follows it.
 * `backend.ts` assembles these with the other families into `Kernels`.
 * @module
 */

// convolution

/**
 * Geometry of {@link ConvPoolKernels.im2col} and {@link ConvPoolKernels.col2im}: a batch of
 * `n` images of `c` channels and `h`×`w` pixels (NCHW), a `kh`×`kw` kernel
 * moved by `strideH`/`strideW`, with `dilationH`/`dilationW` between its taps,
 * over the image padded by `padH` rows on top and `padW` columns on the left
 * (the padding at the bottom and right is whatever `outH`/`outW` reach).
 * Taps that fall outside the image read (and write) nothing.
 */
export interface Im2colSpec {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  /** Kernel positions down the image. */
  outH: number;
  /** Kernel positions across the image. */
  outW: number;
}

/**
 * Geometry of the fused convolution kernels ({@link ConvPoolKernels.conv2d} and its
 * gradients): the im2col geometry of the input plus `outC` output channels in
 * `groups` groups (the weight is `[outC, c/groups, kh, kw]`).
 */
export interface Conv2dSpec extends Im2colSpec {
  outC: number;
  groups: number;
}

/** The gradients {@link ConvPoolKernels.conv2dGradWeight} returns. */
export interface Conv2dWeightGrads {
  /** dL/dweight, `[outC, c/groups·kh·kw]`. */
  weight: FloatArray;
  /** dL/dbias, `[outC]`: the sums of `g` over the batch and the positions. */
  bias: FloatArray;
}

// pooling

/**
 * Geometry of a 2-D pooling window sliding over `planes` planes of `[inH, inW]`
 * (every (sample, channel) pair of an NCHW tensor is one plane) to give planes
 * of `[outH, outW]`. Output `(oh, ow)` covers rows `oh·sH − pH + i·dH` for
 * `i < kH` and likewise columns; 1-D pooling uses `inH = outH = kH = 1`.
 */
export interface Pool2dSpec {
  planes: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** Window height and width. */
  kH: number;
  kW: number;
  /** Strides. */
  sH: number;
  sW: number;
  /** Implicit padding on both sides. */
  pH: number;
  pW: number;
  /** Dilations (1 for average pooling). */
  dH: number;
  dW: number;
}

/** {@link Pool2dSpec} of an average pooling, with its divisor rule. */
export interface AvgPool2dSpec extends Pool2dSpec {
  /** Divide by the window's area inside the padded input, not only inside the input. */
  countIncludePad: boolean;
  /** Divide every window by this instead, when positive (PyTorch's `divisor_override`). */
  divisor: number;
}

/** Result of {@link ConvPoolKernels.maxPool2d}. */
export interface MaxPoolResult {
  /** The largest element of every window: `[planes, outH, outW]`. */
  values: FloatArray;
  /** Where it sits in its plane, as the flat index `h·inW + w`: the first one on ties. */
  indices: Int32Array;
}

/** The convolution and pooling kernels of `Kernels` (`backend.ts`), by kernel name. */
export interface ConvPoolKernels {
  // convolution

  /**
   * Unfolds image patches into columns: `x` is `[n, c, h, w]`, the result
   * `[c·kh·kw, n·outH·outW]`, row `(ci, i, j)` holding tap `(i, j)` of channel
   * `ci` at every kernel position `(b, oy, ox)`; taps in the padding give 0.
   * See {@link Im2colSpec}.
   */
  im2col(x: FloatArray, spec: Im2colSpec): FloatArray;
  /**
   * The adjoint of {@link im2col}: adds every column entry back into the
   * pixel it was read from, giving `[n, c, h, w]`; entries from the padding
   * are dropped.
   */
  col2im(cols: FloatArray, spec: Im2colSpec): FloatArray;
  /**
   * 2-D convolution (cross-correlation) of `x` `[n, c, h, w]` with `weight`
   * `[outC, c/groups, kh, kw]` plus `bias` `[outC]` (null for none), giving
   * `[n, outC, outH, outW]`: per group, the weight times the {@link im2col}
   * columns, the product rounded to the array type before the bias is added.
   */
  conv2d(x: FloatArray, weight: FloatArray, bias: FloatArray | null, spec: Conv2dSpec): FloatArray;
  /** dL/dx of {@link conv2d} for the output gradient `g` `[n, outC, outH, outW]`: {@link col2im} of weightᵀ·g per group. */
  conv2dGradInput(g: FloatArray, weight: FloatArray, spec: Conv2dSpec): FloatArray;
  /** dL/dweight and dL/dbias of {@link conv2d} for the input `x` and the output gradient `g`. */
  conv2dGradWeight(x: FloatArray, g: FloatArray, spec: Conv2dSpec): Conv2dWeightGrads;

  // pooling

  /** Max pooling of every plane; padding counts as −∞. See {@link Pool2dSpec}. */
  maxPool2d(x: FloatArray, spec: Pool2dSpec): MaxPoolResult;
  /** Adjoint of {@link maxPool2d}: `g` (`[planes, outH, outW]`) added into zeros at `indices`. */
  maxPool2dGrad(g: FloatArray, indices: Int32Array, spec: Pool2dSpec): FloatArray;
  /** Average pooling of every plane; see {@link AvgPool2dSpec} for the divisor. */
  avgPool2d(x: FloatArray, spec: AvgPool2dSpec): FloatArray;
  /** Adjoint of {@link avgPool2d}: every window's gradient spread evenly over the input it covers. */
  avgPool2dGrad(g: FloatArray, spec: AvgPool2dSpec): FloatArray;
  /**
   * Adaptive average pooling of `[planes, inH, inW]` to `[planes, outH, outW]`: output `o` along
   * an axis of size `n` averages `[⌊o·n/out⌋, ⌈(o+1)·n/out⌉)`, PyTorch's windows.
   */
  adaptiveAvgPool2d(x: FloatArray, planes: number, inH: number, inW: number, outH: number, outW: number): FloatArray;
  /** Adjoint of {@link adaptiveAvgPool2d}. */
  adaptiveAvgPool2dGrad(g: FloatArray, planes: number, inH: number, inW: number, outH: number, outW: number): FloatArray;

  // convolution then max pooling

  /**
   * {@link conv2d} followed by {@link maxPool2d} of its `n·outC` planes (`pool.planes`,
   * `pool.inH`, `pool.inW` describe the convolution's output): the pooled values and
   * their argmax, as the two calls give them, without handing out the convolution's
   * output.
   */
  conv2dMaxPool2d(x: FloatArray, weight: FloatArray, bias: FloatArray | null, spec: Conv2dSpec, pool: Pool2dSpec): MaxPoolResult;
  /**
   * {@link conv2dGradInput} for the gradient `g` of {@link conv2dMaxPool2d}'s pooled output:
   * of `maxPool2dGrad(g, indices, pool)`, which is never handed out.
   */
  conv2dMaxPoolGradInput(g: FloatArray, indices: Int32Array, weight: FloatArray, spec: Conv2dSpec, pool: Pool2dSpec): FloatArray;
  /** {@link conv2dGradWeight} for the pooled gradient `g`, as {@link conv2dMaxPoolGradInput}. */
  conv2dMaxPoolGradWeight(x: FloatArray, g: FloatArray, indices: Int32Array, spec: Conv2dSpec, pool: Pool2dSpec): Conv2dWeightGrads;
}
