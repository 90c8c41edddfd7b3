/**
 * Cortex: deep learning in TypeScript.
 *
 * Tensors with reverse-mode autodiff, a seeded generator, a reference
 * backend and a registry for faster ones. See the README for a tour.
 * @packageDocumentation
 */
import { loadDefaultBackend } from './backend/default.js';

export { gradcheck, gradgradcheck, type GradcheckOptions, type GradcheckReport } from './autograd/gradcheck.js';
export { grad, type GradOptions, type TensorFunction } from './autograd/grad.js';
export type { BackwardOptions } from './autograd/backprop.js';
export type { GradHook, HookHandle } from './autograd/hooks.js';
export { enableGrad, isGradEnabled, noGrad } from './autograd/engine.js';
export { type NestedArray, Tensor } from './autograd/tensor.js';
export type { Backend, MatmulSpec } from './backend/backend.js';
export { type BackendStatus, backendStatus } from './backend/default.js';
export { getBackend, listBackends, registerBackend, setBackend } from './backend/registry.js';
export type { KernelName, Kernels } from './backend/backend.js';
export {
  DECLINE,
  fallbackCounts,
  type KernelConfig,
  type KernelFn,
  listKernels,
  registerKernel,
  resetFallbackCounts,
  unregisterKernel,
} from './backend/registry.js';
export {
  getNumThreads,
  initWasmBackend,
  type ResidentStatus,
  residentBudget,
  residentStatus,
  setNumThreads,
  setResidentBudget,
  shutdownWasmThreads,
  type WasmInfo,
  type WasmInitOptions,
  wasmInfo,
} from './backend/wasm/index.js';
export {
  ArgumentError,
  CortexError,
  DataError,
  type DataErrorCode,
  type DataErrorDetail,
  DTypeError,
  GradientError,
  ModelFormatError,
  OnnxError,
  type OnnxLocation,
  ShapeError,
  TrainingDivergedError,
} from './errors.js';
export * from './ops/index.js';
export type { DType } from './tensor/dtype.js';
export { Generator, type GeneratorState, getDefaultGenerator, manualSeed } from './tensor/random.js';
export type { Shape } from './tensor/shape.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './train/index.js';
export * from './explain/index.js';
export * from './data/index.js';
export * from './io/index.js';
// Differential privacy (accountant; DP-SGD)
export * from './privacy/index.js';
// text: character tokenizer
export { UnknownCharacterError } from './errors.js';
// DP-SGD's typed error (issue 15)
export { PrivacyError } from './errors.js';

// The WASM SIMD backend is the default wherever it loads (Node, and browsers
// with SIMD; threads where shared memory is available). Loading finishes before
// any op of the importing program runs, so a program never switches backends midway.
await loadDefaultBackend();
