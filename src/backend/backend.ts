import type { FloatArray, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

/**
 * The kernel interface every backend implements.
 *
 * Kernels are pure functions on row-major typed arrays: they never keep a
 * reference to their inputs and always return freshly allocated outputs of the
 * same array type as their inputs (float32 in, float32 out; float64 in,
 * float64 out; int32 in, int32 out where a kernel takes int32). Shape
 * checking and dtype promotion happen above, in the tensor layer, so a kernel
 * may assume its arguments are consistent.
 *
 * The exceptions are the optimizer updates ({@link Backend.sgdStep} and its
 * siblings): they write the new parameters and optimizer state into the
 * caller's arrays in place and return nothing, because an optimizer owns those
 * arrays and updates them every step.
 *
 * The plain TypeScript backend (`backend/js`) is the specification of every
 * kernel: a fast backend must agree with it on the conformance suite. A fast
 * backend registers only the kernels it has (see `registry.ts`); the others,
 * and the calls it declines (say float64 arrays on WASM), run on the reference
 * backend, and each such fallback is counted in `backendStatus().fallbacks`.
 * @module
 */

/**
 * Elementwise functions of one argument. Float arrays take every op; int32
 * arrays only `neg`, `abs` and `sign`, computed exactly in int32 (two's
 * complement wrap-around: `neg` and `abs` of −2³¹ give −2³¹, as in PyTorch).
 */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'sign'
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'softplus'
  | 'gelu';

/**
 * Elementwise functions of one argument with one or two scalar parameters.
 * Int32 arrays take only `clamp`, with integer (or infinite) bounds.
 */
export type ScalarOp =
  | 'leakyRelu' // x > 0 ? x : a * x
  | 'elu' // x > 0 ? x : a * (exp(x) - 1)
  | 'clamp'; // min(max(x, a), b)

/** Activations with a fused backward kernel. */
export type ActivationOp = 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'gelu' | 'leakyRelu' | 'elu';

/** The activation a fused bias-add applies: one of {@link ActivationOp}, or `'none'` for the bias alone. */
export type BiasActivationOp = 'none' | ActivationOp;

/** Result of {@link Backend.softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyResult {
  /** Per-row loss, `logSumExp(row) − row[label]`: length `n`. */
  losses: FloatArray;
  /** The softmax of every row, `[n, c]`, kept for the backward pass. */
  probs: FloatArray;
}

/**
 * Elementwise functions of two arguments, with NumPy broadcasting. Comparisons
 * give 1 or 0 in the inputs' array type. Int32 arrays take every op but `div`
 * and `pow` (the op layer computes those in float), exactly: `add`, `sub` and
 * `mul` wrap around modulo 2³² (two's complement), as PyTorch's int32 does.
 */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'max' | 'min';

/** Geometry of a (batched) matrix product `C[b] = op(A[b]) · op(B[b])`. */
export interface MatmulSpec {
  /** Number of matrices in the batch (1 for a plain product). */
  batch: number;
  /** Rows of op(A) and of C. */
  m: number;
  /** Columns of op(A), rows of op(B). */
  k: number;
  /** Columns of op(B) and of C. */
  n: number;
  /** A is stored as [k, m] and used transposed (Aᵀ·B). */
  transA: boolean;
  /** B is stored as [n, k] and used transposed (A·Bᵀ). */
  transB: boolean;
  /** Elements between consecutive matrices of A; 0 broadcasts one matrix over the batch. */
  strideA: number;
  /** Elements between consecutive matrices of B; 0 broadcasts one matrix over the batch. */
  strideB: number;
  /**
   * Where to write C (`batch·m·n` elements of A's type, overwritten): the
   * kernel returns this array. The engine passes the block of a parameter's
   * previous gradient here, so the product lands where the gradient lives.
   * Absent: the kernel returns a new array.
   */
  out?: FloatArray;
}

/**
 * Hyperparameters of one SGD update ({@link Backend.sgdStep}), PyTorch's rule:
 * `d = g + weightDecay·w`; with a momentum buffer `b = fresh ? d : momentum·b + (1 − dampening)·d`
 * and `w -= lr·(nesterov ? d + momentum·b : b)`; without one `w -= lr·d`.
 */
export interface SgdStepOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (used only with a momentum buffer). */
  momentum: number;
  /** Dampening of the momentum's gradient term. */
  dampening: number;
  /** Nesterov momentum: step along `d + momentum·b` instead of `b`. */
  nesterov: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** The buffer is new: it is set to `d`, ignoring its contents and the dampening (PyTorch's first step). */
  fresh: boolean;
}

/**
 * Hyperparameters of one Adam or AdamW update ({@link Backend.adamStep}), PyTorch's rule:
 * `w' = decoupled ? w·(1 − lr·weightDecay) : w`, `d = g + (decoupled ? 0 : weightDecay)·w'`,
 * `m = β1·m + (1 − β1)·d`, `v = β2·v + (1 − β2)·d·d`, with AMSGrad `vmax = max(vmax, v)` used
 * in place of `v`, and `w = w' − (lr / (1 − β1^step))·m / (√v / √(1 − β2^step) + eps)`.
 */
export interface AdamStepOptions {
  /** Learning rate. */
  lr: number;
  /** Decay rate of the first moment. */
  beta1: number;
  /** Decay rate of the second moment. */
  beta2: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay factor. */
  weightDecay: number;
  /** AdamW's decoupled weight decay instead of Adam's L2 penalty. */
  decoupled: boolean;
  /** The 1-based number of this update, for the bias corrections. */
  step: number;
}

/**
 * Hyperparameters of one RMSprop update ({@link Backend.rmspropStep}), PyTorch's rule:
 * `d = g + weightDecay·w`, `s = α·s + (1 − α)·d·d`; centered: `a = α·a + (1 − α)·d` and
 * `avg = √(s − a·a) + eps`, else `avg = √s + eps`; with a momentum buffer
 * `b = momentum·b + d / avg` and `w -= lr·b`, else `w -= lr·d / avg`.
 */
export interface RmspropStepOptions {
  /** Learning rate. */
  lr: number;
  /** Smoothing constant of the averages. */
  alpha: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Momentum factor (used only with a momentum buffer). */
  momentum: number;
}

/**
 * Hyperparameters of one Adagrad update ({@link Backend.adagradStep}), PyTorch's rule:
 * `d = g + weightDecay·w`, `s += d·d`, `w -= (lr / (1 + (step − 1)·lrDecay))·d / (√s + eps)`.
 */
export interface AdagradStepOptions {
  /** Learning rate. */
  lr: number;
  /** Learning-rate decay per step. */
  lrDecay: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** The 1-based number of this update. */
  step: number;
}

// convolution

/**
 * Geometry of {@link Kernels.im2col} and {@link Kernels.col2im}: a batch of
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
 * Geometry of the fused convolution kernels ({@link Kernels.conv2d} and its
 * gradients): the im2col geometry of the input plus `outC` output channels in
 * `groups` groups (the weight is `[outC, c/groups, kh, kw]`).
 */
export interface Conv2dSpec extends Im2colSpec {
  outC: number;
  groups: number;
}

/** The gradients {@link Kernels.conv2dGradWeight} returns. */
export interface Conv2dWeightGrads {
  /** dL/dweight, `[outC, c/groups·kh·kw]`. */
  weight: FloatArray;
  /** dL/dbias, `[outC]`: the sums of `g` over the batch and the positions. */
  bias: FloatArray;
}

// pooling and normalisation

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

/** Result of {@link Kernels.maxPool2d}. */
export interface MaxPoolResult {
  /** The largest element of every window: `[planes, outH, outW]`. */
  values: FloatArray;
  /** Where it sits in its plane, as the flat index `h·inW + w`: the first one on ties. */
  indices: Int32Array;
}

// attention

/**
 * Geometry of {@link Kernels.maskedSoftmax}: `batch` score matrices of
 * `[rows, cols]` (queries by keys), each row softmaxed after scaling, adding a
 * mask and hiding the causal upper triangle.
 */
export interface MaskedSoftmaxSpec {
  batch: number;
  rows: number;
  cols: number;
  /** Factor on the scores before the mask is added. */
  scale: number;
  /** Row `i` sees only columns `j ≤ i` (the others get probability 0). */
  causal: boolean;
  /**
   * The additive mask holds `maskBatch` matrices of `[rows, cols]`; score matrix `b`
   * adds mask matrix `⌊b / maskRepeat⌋ mod maskBatch`. Unused without a mask.
   */
  maskBatch: number;
  /** See {@link MaskedSoftmaxSpec.maskBatch}. */
  maskRepeat: number;
}

// layer norm

/** Result of {@link Kernels.layerNorm}. */
export interface LayerNormResult {
  /** `(x − mean)·rstd·weight + bias`, `[rows, n]`. */
  y: FloatArray;
  /** Per-row mean, length `rows`, kept for the backward pass. */
  mean: FloatArray;
  /** Per-row `1/√(var + eps)` (biased variance), length `rows`, kept for the backward pass. */
  rstd: FloatArray;
}

/** Result of {@link Kernels.layerNormGrad}. */
export interface LayerNormGradResult {
  /** dL/dx, `[rows, n]`. */
  dx: FloatArray;
  /** `Σ_rows g ⊙ x̂` (the weight's gradient), length `n`. */
  dweight: FloatArray;
  /** `Σ_rows g` (the bias's gradient), length `n`. */
  dbias: FloatArray;
}

/**
 * The signature of every kernel, by kernel name: the registry
 * (`registry.ts`) is keyed by these names, and a backend registers any subset
 * of them. Each entry is that kernel's own function type, so argument types
 * are per kernel (today typed arrays; a kernel may take other storage types
 * tomorrow without touching the others). Adding a kernel starts here.
 */
export interface Kernels {
  /** `f(x)` elementwise; see {@link UnaryOp} for int32. */
  unary<T extends TypedArray>(op: UnaryOp, x: T): T;
  /** `f(x; a, b)` elementwise; see {@link ScalarOp} for int32. */
  scalar<T extends TypedArray>(op: ScalarOp, x: T, a: number, b: number): T;
  /** Gradient of an activation: given input `x`, output `y` and upstream `g`, returns dL/dx. `a` is the op's parameter. */
  activationGrad(op: ActivationOp, x: FloatArray, y: FloatArray, g: FloatArray, a: number): FloatArray;
  /**
   * Fused bias-add and activation: `y[i, j] = act(x[i, j] + bias[j])` for `x`
   * viewed as `[m, n]` (bias `[n]`, or null for none). The sum is rounded to the
   * array's float type before the activation, so the result equals `binary('add')`
   * followed by the activation. `a` is the parameter of leakyRelu and elu.
   */
  biasActivation(op: BiasActivationOp, x: FloatArray, m: number, n: number, bias: FloatArray | null, a: number): FloatArray;
  /** `f(a, b)` with broadcasting of `aShape` and `bShape` to `outShape`. Both inputs have the same array type; see {@link BinaryOp}. */
  binary<T extends TypedArray>(op: BinaryOp, a: T, aShape: Shape, b: T, bShape: Shape, outShape: Shape): T;
  /** `cond != 0 ? a : b`, broadcasting all three to `outShape`; the result has `a`'s array type (`a` and `b` share it). */
  where<T extends TypedArray>(
    cond: TypedArray,
    condShape: Shape,
    a: T,
    aShape: Shape,
    b: T,
    bShape: Shape,
    outShape: Shape,
  ): T;

  /** Reduces the sorted, distinct `axes` of `x`; the result has the remaining axes in order. */
  reduce(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray;
  /** Index of the max (or min) along `axis`; the first one on ties. */
  argReduce(op: 'argmax' | 'argmin', x: FloatArray, shape: Shape, axis: number): Int32Array;

  /** Batched matrix product; see {@link MatmulSpec}. */
  matmul(a: FloatArray, b: FloatArray, spec: MatmulSpec): FloatArray;

  /** Softmax (or log-softmax) of `x` viewed as [outer, n, inner] along the middle axis. */
  softmax(x: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray;
  /** Gradient of {@link softmax} from its output `y` and upstream `g`. */
  softmaxGrad(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray;

  /**
   * Softmax cross-entropy of `logits` viewed as `[n, c]` against class ids
   * `labels` (length `n`, each in `[0, c)`): the per-row loss and the softmax
   * probabilities. Stable for logits of any finite size.
   */
  softmaxCrossEntropy(logits: FloatArray, n: number, c: number, labels: Int32Array): SoftmaxCrossEntropyResult;
  /** Gradient of {@link softmaxCrossEntropy}: `dx[i, j] = (probs[i, j] − [j = labels[i]]) · g[i]`. */
  softmaxCrossEntropyGrad(probs: FloatArray, g: FloatArray, n: number, c: number, labels: Int32Array): FloatArray;

  /** Transposes axes: output axis i is input axis `perm[i]`. Works on any dtype. */
  permute<T extends TypedArray>(x: T, shape: Shape, perm: readonly number[]): T;
  /** Broadcasts `x` of `shape` to `outShape` by copying. */
  expand<T extends TypedArray>(x: T, shape: Shape, outShape: Shape): T;
  /** The box `begin .. begin+size` of `x`. */
  slice<T extends TypedArray>(x: T, shape: Shape, begin: readonly number[], size: readonly number[]): T;
  /** Pads every axis with `before[i]` and `after[i]` copies of `value`. */
  pad<T extends TypedArray>(x: T, shape: Shape, before: readonly number[], after: readonly number[], value: number): T;
  /** Joins arrays along `axis`; all shapes agree elsewhere. */
  concat<T extends TypedArray>(xs: readonly T[], shapes: readonly Shape[], axis: number): T;
  /** Selects `indices` (already validated, non-negative) along `axis`: out = shape[:axis] + [indices.length] + shape[axis+1:]. */
  indexSelect<T extends TypedArray>(x: T, shape: Shape, axis: number, indices: Int32Array): T;
  /** Adjoint of {@link indexSelect}: adds slices of `g` into a zero tensor of `outShape` at `indices`. */
  indexAdd(g: FloatArray, outShape: Shape, axis: number, indices: Int32Array): FloatArray;
  /** PyTorch `gather`: out[..i..] = x[..index[..i..]..] along `axis`; `index` has the output's shape. */
  gather<T extends TypedArray>(x: T, shape: Shape, axis: number, index: Int32Array, indexShape: Shape): T;
  /** Adjoint of {@link gather}: adds `g` (of `indexShape`) into zeros of `outShape`. */
  scatterAdd(g: FloatArray, outShape: Shape, axis: number, index: Int32Array, indexShape: Shape): FloatArray;

  // Optimizer updates: every array has the same float type and length, and is updated in place.

  /** One SGD update of parameters `w` from gradient `g`, with momentum buffer `buf` or null for none; see {@link SgdStepOptions}. */
  sgdStep(w: FloatArray, g: FloatArray, buf: FloatArray | null, o: SgdStepOptions): void;
  /** One Adam/AdamW update of `w` and the moments `m`, `v` (and AMSGrad's `vmax`, or null); see {@link AdamStepOptions}. */
  adamStep(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, o: AdamStepOptions): void;
  /**
   * One RMSprop update of `w` and the squared average `sq`; `gradAvg` (centered) and
   * `buf` (momentum) are null when unused. See {@link RmspropStepOptions}.
   */
  rmspropStep(
    w: FloatArray,
    g: FloatArray,
    sq: FloatArray,
    gradAvg: FloatArray | null,
    buf: FloatArray | null,
    o: RmspropStepOptions,
  ): void;
  /** One Adagrad update of `w` and the squared-gradient sum `sum`; see {@link AdagradStepOptions}. */
  adagradStep(w: FloatArray, g: FloatArray, sum: FloatArray, o: AdagradStepOptions): void;
  /** `acc += x` elementwise, in place (a gradient added into an existing `.grad`). */
  accumulate(acc: FloatArray, x: FloatArray): void;

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
  // pooling and normalisation

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
  // attention

  /**
   * `y = softmax(scale·x + mask)` along the rows of `batch` matrices `[rows, cols]`,
   * with columns `j > i` of row `i` left out when causal (see {@link MaskedSoftmaxSpec}).
   * A row with nothing left (every entry −∞ or hidden) is all zeros.
   */
  maskedSoftmax(x: FloatArray, spec: MaskedSoftmaxSpec, mask: FloatArray | null): FloatArray;
  /** Gradient of {@link maskedSoftmax} with respect to `x`: `scale · y ⊙ (g − Σ_row g⊙y)`. */
  maskedSoftmaxGrad(y: FloatArray, g: FloatArray, spec: MaskedSoftmaxSpec): FloatArray;
  // layer norm

  /**
   * Layer normalisation of the rows of `x` viewed as `[rows, n]`:
   * `y = (x − mean)·rstd ⊙ weight + bias` with the biased variance and `rstd = 1/√(var + eps)`;
   * `weight` and `bias` (length `n`) may each be null (1 and 0). Returns the per-row statistics too.
   */
  layerNorm(x: FloatArray, rows: number, n: number, weight: FloatArray | null, bias: FloatArray | null, eps: number): LayerNormResult;
  /**
   * Gradient of {@link layerNorm} from its input, saved statistics and upstream `g`: with
   * `x̂ = (x − mean)·rstd` and `ĝ = g ⊙ weight`, `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂))` per row,
   * and the column sums `dweight = Σ g⊙x̂`, `dbias = Σ g`.
   */
  layerNormGrad(
    x: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    weight: FloatArray | null,
    g: FloatArray,
    rows: number,
    n: number,
  ): LayerNormGradResult;

  // Gaussian noise (differential privacy)

  /**
   * The fast path of the ziggurat normal sampler, over `out.length` draws. Draw `j` reads
   * group `g = ⌊j/4⌋` of five words of `words`: word `5g + j mod 4` is the signed abscissa
   * w, bits `8·(j mod 4)`.. of word `5g + 4` (7 of them) the layer l. With u = w·2⁻³¹
   * (in float32), `out[j] = u · table[l] · std` when `|u| < table[128 + l]`, else NaN:
   * the caller finishes that draw exactly. `table` holds the 128 layer widths, then the
   * 128 thresholds (rounded down, so nothing is accepted that the exact test rejects).
   */
  zigguratFast(words: Int32Array, table: Float32Array, out: Float32Array, std: number): void;

  // dropout

  /**
   * Dropout with a counter-based mask: `y[i] = x[i] · (kept(i) ? scale : 0)`, where element
   * `i` is kept when `h(i) < threshold`, `h(i)` being the top 24 bits of
   * `fmix32((fmix32(i·0x9E3779B1 ⊕ key0) + key1) mod 2³²)` (murmur3's finalizer), and
   * `threshold` is `keep·2²⁴` rounded (0..2²⁴). The mask depends on the keys and the index
   * only, so every backend and thread count draws the same one, and the adjoint is the
   * same call on the gradient. Float32 multiplies in float32.
   */
  dropout(x: FloatArray, key0: number, key1: number, threshold: number, scale: number): FloatArray;

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

/** The name of a kernel: a key of {@link Kernels}. */
export type KernelName = keyof Kernels;

/**
 * A complete backend as the ops see it: every kernel, under the backend's
 * registry name. `getBackend()` returns one whose kernels dispatch through the
 * registry (falling back to the reference backend where this one has none).
 */
export interface Backend extends Kernels {
  /** Registry name, such as `'js'` or `'wasm'`. */
  readonly name: string;
}
