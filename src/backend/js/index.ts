import type { Backend } from '../backend.js';
import { col2im, im2col } from './conv.js'; // convolution
import { conv2d, conv2dGradInput, conv2dGradWeight, conv2dMaxPool2d, conv2dMaxPoolGradInput, conv2dMaxPoolGradWeight } from './conv-fused.js';
import { activationGrad, binary, scalar, unary, where } from './elementwise.js';
import { biasActivation, softmaxCrossEntropy, softmaxCrossEntropyGrad } from './fused.js';
import { matmul } from './matmul.js';
import { concat, expand, gather, indexAdd, indexSelect, pad, permute, scatterAdd, slice } from './movement.js';
import { accumulate, adagradStep, adamStep, rmspropStep, sgdStep } from './optim.js';
import { argReduce, reduce } from './reduce.js';
// pooling and normalisation
import { adaptiveAvgPool2d, adaptiveAvgPool2dGrad, avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad } from './pool.js';
import { softmax, softmaxGrad } from './softmax.js';
// attention
import { maskedSoftmax, maskedSoftmaxGrad } from './attention.js';
// layer norm
import { layerNorm, layerNormGrad } from './norm.js';
import { zigguratFast } from './noise.js';
// dropout
import { dropout } from './dropout.js';
// fused causal attention
import { causalAttention, causalAttentionGrad } from './causal-attention.js';

/**
 * The plain TypeScript reference backend. It is the specification of every
 * kernel: simple loops, float64 accumulation, and no cleverness. It runs
 * everywhere and handles float32 and float64 (and int32 where a kernel's
 * signature says so). The registry registers it as `'js'` and runs its
 * kernels wherever another backend has none or declines a call.
 */
export const jsBackend: Backend = {
  name: 'js',
  unary,
  scalar,
  activationGrad,
  biasActivation,
  binary,
  where,
  reduce,
  argReduce,
  matmul,
  softmax,
  softmaxGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  permute,
  expand,
  slice,
  pad,
  concat,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  sgdStep,
  adamStep,
  rmspropStep,
  adagradStep,
  accumulate,
  // convolution
  im2col,
  col2im,
  conv2d,
  conv2dGradInput,
  conv2dGradWeight,
  // pooling and normalisation
  maxPool2d,
  maxPool2dGrad,
  avgPool2d,
  avgPool2dGrad,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dGrad,
  // attention
  maskedSoftmax,
  maskedSoftmaxGrad,
  // layer norm
  layerNorm,
  layerNormGrad,
  // Gaussian noise (differential privacy)
  zigguratFast,
  // dropout
  dropout,
  // convolution then max pooling
  conv2dMaxPool2d,
  conv2dMaxPoolGradInput,
  conv2dMaxPoolGradWeight,
  // fused causal attention
  causalAttention,
  causalAttentionGrad,
};
