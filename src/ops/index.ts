/** Every op as a function. Importing this module also loads the Tensor class. @module */
export { Tensor } from '../autograd/tensor.js';
export { elu, gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, softplus, tanh } from './activation.js';
export * from './creation.js';
export { softmaxCrossEntropy } from './crossentropy.js';
export {
  abs,
  add,
  clamp,
  div,
  eq,
  exp,
  ge,
  gt,
  le,
  log,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  sign,
  sqrt,
  sub,
  where,
} from './elementwise.js';
export { gather, indexSelect, oneHot } from './indexing.js';
export { add_, copy_, fill_, mul_, zero_ } from './inplace.js';
export { type LinearActivation, linear, matmul } from './linalg.js';
export {
  broadcastTo,
  cast,
  concat,
  contiguous,
  expand,
  flatten,
  narrow,
  pad,
  permute,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
} from './movement.js';
export { erf } from './special.js';
export { type Axes, argmax, argmin, logSumExp, max, mean, min, std, sum, variance } from './reduce.js';
export type { TensorLike } from './util.js';
// convolution
export {
  type ConvOptions,
  type ConvPadding,
  type ConvTransposeOptions,
  type SpatialArg,
  conv1d,
  conv2d,
  convTranspose2d,
} from './conv.js';
// pooling and normalisation
export {
  type AvgPoolOptions,
  type MaxPoolOptions,
  type Size2,
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool1d,
  maxPool1dWithIndices,
  maxPool2d,
  maxPool2dWithIndices,
} from './pool.js';
// attention
export { type AttentionOptions, scaledDotProductAttention } from './attention.js';
// layer norm
export { layerNorm } from './layer-norm.js';
// dropout
export { type DropoutOptions, dropout } from './dropout.js';
// convolution then max pooling
export { conv2dMaxPool2d } from './conv.js';
