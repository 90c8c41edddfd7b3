import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Signatures of the optimizer-update kernels and their hyperparameters. These
 * write the new parameters and optimizer state into the caller's arrays in
 * place and return nothing, because an optimizer owns those arrays and updates
 * them every step; every array of one call has the same float type and length.
 * `backend.ts` assembles these with the other families into `Kernels`.
 * @module
 */

/**
 * Hyperparameters of one SGD update ({@link OptimizerKernels.sgdStep}), PyTorch's rule:
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
 * Hyperparameters of one Adam or AdamW update ({@link OptimizerKernels.adamStep}), PyTorch's rule:
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
 * Hyperparameters of one RMSprop update ({@link OptimizerKernels.rmspropStep}), PyTorch's rule:
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
 * Hyperparameters of one Adagrad update ({@link OptimizerKernels.adagradStep}), PyTorch's rule:
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

/**
 * The optimizer-update kernels of `Kernels` (`backend.ts`), by kernel name. Every array
 * has the same float type and length, and is updated in place.
 */
export interface OptimizerKernels {
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
}
