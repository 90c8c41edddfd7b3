/**
 * Training: `fit`, `evaluate`, `predict`, callbacks, metrics and the seed's
 * `NeuralNetwork` API.
 * @module
 */
export {
  type EvaluateOptions,
  type Evaluation,
  evaluate,
  type FitOptions,
  fit,
  type MetricSpec,
  type OptimizerName,
  predict,
  resolveLoss,
  resolveOptimizer,
} from './fit.js';
export {
  type BatchInfo,
  type Callback,
  EarlyStopping,
  type EarlyStoppingOptions,
  type EpochInfo,
  type FitWarning,
  History,
  type HistoryJSON,
  type Logs,
  ProgressCallback,
  SchedulerStep,
  type TrainContext,
  valKey,
} from './callbacks.js';
export type { BatchDataset, TrainData, XY } from './data.js';
export {
  accuracy,
  binaryAccuracy,
  confusionMatrix,
  f1Score,
  METRICS,
  type MetricFn,
  type MetricName,
  macroScores,
  mae,
  metricGreaterIsBetter,
  mse,
  precision,
  r2Score,
  recall,
  type ShapedData,
  type MetricInput,
} from './metrics.js';
export {
  NeuralNetwork,
  type NeuralNetworkJSON,
  type NeuralNetworkOptions,
  type NeuralNetworkTrainOptions,
} from './neural-network.js';
// char-gpt: sampling from a language model
export { type GenerateOptions, generate, type LanguageModel, sampleToken } from './generate.js';
export { type EstimateLossOptions, estimateLoss, nextTokenLoss, type NextTokenStepOptions, nextTokenStep } from './lm-loss.js';
