/**
 * Cortex: deep learning in TypeScript.
 *
 * Tensors with reverse-mode autodiff, a seeded generator, a reference
 * backend and a registry for faster ones. See the README for a tour.
 * @packageDocumentation
 */
export { gradcheck, grad, type GradcheckOptions, type GradcheckReport } from './autograd/gradcheck.js';
export { enableGrad, isGradEnabled, noGrad } from './autograd/engine.js';
export { type NestedArray, Tensor } from './autograd/tensor.js';
export type { Backend, MatmulSpec } from './backend/backend.js';
export { getBackend, listBackends, registerBackend, setBackend } from './backend/registry.js';
export {
  ArgumentError,
  CortexError,
  DataError,
  DTypeError,
  GradientError,
  ModelFormatError,
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
export * from './data/index.js';
export * from './io/index.js';
