/**
 * Optimizers, learning-rate schedulers and gradient clipping.
 * @module
 */
export {
  type BaseOptimizerOptions,
  type OptimizableParam,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  LinearWarmup,
  LRScheduler,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type ScheduledOptimizer,
  type Scheduler,
  type SchedulerStateDict,
  StepLR,
} from './scheduler.js';
export { clipGradNorm, clipGradValue } from './clip.js';
