/**
 * Neural-network building blocks: `Module`, layers, initialisers and losses.
 * @module
 */
export {
  type AnyModule,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  Parameter,
  type StateDict,
  StateDictError,
} from './module.js';
export type {
  ForwardHook,
  ForwardPreHook,
  HookOptions,
  ModuleInputs,
  ModuleOutput,
  RemovableHandle,
} from './hooks.js';
export { Sequential } from './container.js';
export { Embedding, Flatten, type LayerOptions, Linear } from './linear.js';
export {
  type ActivationName,
  activationModule,
  ELU,
  GELU,
  Identity,
  LeakyReLU,
  LogSoftmax,
  ReLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from './activation.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, type BatchNormOptions, LayerNorm } from './norm.js';
export * as init from './init.js';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type CrossEntropyOptions,
  crossEntropy,
  huberLoss,
  l1Loss,
  type LossFn,
  type LossName,
  type LossOptions,
  lossByName,
  mseLoss,
  nllLoss,
  type Reduction,
  smoothL1Loss,
} from './losses.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  L1Loss,
  Loss,
  type LossModule,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from './loss-modules.js';
export { type SummaryTarget, summary } from './summary.js';
// convolution
export { Conv1d, Conv2d, type ConvLayerOptions, ConvTranspose2d, type ConvTransposeLayerOptions } from './conv.js';
// pooling and normalisation
export { AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d } from './pool.js';
export { BatchNorm2d, type BatchNorm2dFnOptions, batchNorm2d, GroupNorm, type GroupNormOptions, groupNorm } from './norm2d.js';
export { Dropout2d, type Dropout2dOptions, dropout2d } from './dropout2d.js';
export { Unflatten, unflatten } from './unflatten.js';
// recurrent layers
export { GRU, LSTM, RecurrentBase, type RecurrentOptions, RNN, type SequenceLengths } from './recurrent.js';
export { type CellOptions, GRUCell, LSTMCell, RNNCell, type RNNNonlinearity } from './rnn-cells.js';
// attention and transformers
export { MultiheadAttention, type MultiheadAttentionForwardOptions, type MultiheadAttentionOptions } from './attention.js';
export {
  type TransformerActivation,
  TransformerEncoder,
  type TransformerEncoderForwardOptions,
  TransformerEncoderLayer,
  type TransformerEncoderLayerOptions,
} from './transformer.js';
export { PositionalEmbedding, SinusoidalPositionalEncoding } from './positional.js';
// char-gpt: nanoGPT's GPT language model
export { CausalSelfAttention, GPT, GPTBlock, type GPTConfig, GPTMLP, GPTTrunk, type FullGPTConfig } from './gpt.js';
// rnn-seq: a one-tensor adapter for the recurrent layers (Sequential, model files, ONNX)
export { RecurrentOutput, type RecurrentLayer, type SequenceSelect } from './recurrent-output.js';
