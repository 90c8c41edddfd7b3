/**
 * The fixed layout of the kernel module's memory, and the numeric codes the
 * kernels use for ops. These constants mirror `asm/index.ts`,
 * `asm/elementwise.ts`, `asm/reduce.ts` and `asm/optim.ts`; change both sides together.
 * @module
 */
import type { ActivationOp, BiasActivationOp, BinaryOp, ReduceOp, ScalarOp, UnaryOp } from '../backend.js';

/** Int32 index of the pool's control words (byte 256). */
export const CTRL = 64;
/** Control word: job generation times 2, plus 1 once the job is closed to late joiners. */
export const CTRL_GEN = CTRL;
/** Control word: threads that may join the current job (main thread included). */
export const CTRL_THREADS = CTRL + 1;
/** Control word: workers parked in `Atomics.wait`. */
export const CTRL_SLEEPERS = CTRL + 2;
/** Control word: non-zero asks every worker to exit. */
export const CTRL_QUIT = CTRL + 3;
/** Control word: non-zero while the main thread is parked waiting for `CTRL_ACTIVE` to reach 0. */
export const CTRL_MAIN_WAITING = CTRL + 4;
/** Control word: the next unclaimed part of the current job. */
export const CTRL_NEXT = CTRL + 5;
/** Control word: number of parts of the current job. */
export const CTRL_PARTS = CTRL + 6;
/** Control word: workers currently inside the job. */
export const CTRL_ACTIVE = CTRL + 7;

/** Int32 index of the job descriptor (byte 1024); slot i is `JOB + i`. */
export const JOB = 256;
/** Descriptor slot with the scratch base address. */
export const SLOT_SCRATCH = JOB + 62;
/** Descriptor slot with the per-thread scratch stride in bytes. */
export const SLOT_STRIDE = JOB + 63;

/** Most threads a job can use (scratch areas are reserved for this many). */
export const MAX_THREADS = 16;

/** Job kinds (descriptor slot 0). */
export const K_GEMM = 1;
/** Unary map job. */
export const K_UNARY = 2;
/** Binary op job. */
export const K_BINARY = 3;
/** Activation gradient job. */
export const K_AGRAD = 4;
/** Reduction job. */
export const K_REDUCE = 5;
/** Softmax job. */
export const K_SOFTMAX = 6;
/** Softmax gradient job. */
export const K_SOFTGRAD = 7;
/** Fused bias-add plus activation job. */
export const K_BIASACT = 8;
/** Softmax cross-entropy job. */
export const K_SCE = 9;
/** Softmax cross-entropy gradient job. */
export const K_SCEGRAD = 10;
/** SGD update job (in place; never split). */
export const K_SGD = 11;
/** Adam/AdamW update job. */
export const K_ADAM = 12;
/** RMSprop update job. */
export const K_RMSPROP = 13;
/** Adagrad update job. */
export const K_ADAGRAD = 14;
/** In-place `acc += x` job (gradient accumulation; never split). */
export const K_ACCUMULATE = 15;
/** Flag bits of the SGD job's slot 5 (`asm/optim.ts`): a fresh momentum buffer, Nesterov momentum. */
export const SGD_FRESH = 1;
/** See {@link SGD_FRESH}. */
export const SGD_NESTEROV = 2;

/** Codes of the unary ops the kernels implement; the others fall back to the reference backend. */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  abs: 4,
  relu: 5,
  sigmoid: 6,
  tanh: 7,
  square: 8,
  reciprocal: 9,
  softplus: 14,
};

/** Codes of the scalar-parameter ops the kernels implement. */
export const SCALAR_CODES: Partial<Record<ScalarOp, number>> = {
  affine: 10,
  leakyRelu: 11,
  clamp: 12,
  elu: 13,
};

/** Codes of the binary ops the kernels implement (`pow` falls back). */
export const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  eq: 6,
  ne: 7,
  lt: 8,
  le: 9,
  gt: 10,
  ge: 11,
};

/** Codes of the activation gradients the kernels implement. */
export const GRAD_CODES: Partial<Record<ActivationOp, number>> = {
  relu: 0,
  sigmoid: 1,
  tanh: 2,
  leakyRelu: 3,
  softplus: 4,
  elu: 5,
};

/** Codes of the activations the fused bias-add kernel applies (`asm/fused.ts`; gelu falls back). */
export const BIAS_ACT_CODES: Partial<Record<BiasActivationOp, number>> = {
  none: -1,
  relu: 5,
  sigmoid: 6,
  tanh: 7,
  leakyRelu: 11,
  elu: 13,
  softplus: 14,
};

/** Codes of the reductions. */
export const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2 };
