import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

/**
 * Signatures of the elementwise kernels: functions of one argument (with or
 * without scalar parameters), the activations' fused backward and bias-add,
 * functions of two broadcast arguments, `where`, and the two kernels that draw
 * per element from a counter or random words (dropout, Gaussian noise).
 * `backend.ts` assembles these with the other families into `Kernels`.
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

/** The elementwise kernels of `Kernels` (`backend.ts`), by kernel name. */
export interface ElementwiseKernels {
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
}
