import type { AttentionNormKernels } from './signatures/attention-norm.js';
import type { ConvPoolKernels } from './signatures/conv-pool.js';
import type { ElementwiseKernels } from './signatures/elementwise.js';
import type { MovementKernels } from './signatures/movement.js';
import type { OptimizerKernels } from './signatures/optimizer.js';
import type { ReductionKernels } from './signatures/reduction.js';

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
 * arrays and updates them every step; and `zigguratFast`, which writes its normal
 * draws into the caller's `out` (the noise buffer of a private step).
 *
 * The plain TypeScript backend (`backend/js`) is the specification of every
 * kernel: a fast backend must agree with it on the conformance suite. A fast
 * backend registers only the kernels it has (see `registry.ts`); the others,
 * and the calls it declines (say float64 arrays on WASM), run on the reference
 * backend, and each such fallback is counted in `backendStatus().fallbacks`.
 *
 * The signatures themselves live by kernel family in `signatures/` (elementwise,
 * reduction, movement, optimizer, conv-pool, attention-norm), each with the op
 * names, geometries and results its kernels take; this module joins them into
 * {@link Kernels} and re-exports those types, so importers take them from here.
 * @module
 */

export type {
  CausalAttentionGrads,
  CausalAttentionResult,
  CausalAttentionSpec,
  LayerNormGradResult,
  LayerNormResult,
  MaskedSoftmaxSpec,
} from './signatures/attention-norm.js';
export type { AvgPool2dSpec, Conv2dSpec, Conv2dWeightGrads, Im2colSpec, MaxPoolResult, Pool2dSpec } from './signatures/conv-pool.js';
export type { ActivationOp, BiasActivationOp, BinaryOp, ScalarOp, UnaryOp } from './signatures/elementwise.js';
export type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from './signatures/optimizer.js';
export type { MatmulSpec, ReduceOp, SoftmaxCrossEntropyResult } from './signatures/reduction.js';

/**
 * The signature of every kernel, by kernel name: the registry
 * (`registry.ts`) is keyed by these names, and a backend registers any subset
 * of them. Each entry is that kernel's own function type, so argument types
 * are per kernel (today typed arrays; a kernel may take other storage types
 * tomorrow without touching the others). Adding a kernel starts here, in the
 * family interface it belongs to (or a new family added to this list).
 */
export interface Kernels
  extends ElementwiseKernels,
    ReductionKernels,
    MovementKernels,
    OptimizerKernels,
    ConvPoolKernels,
    AttentionNormKernels {}

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
