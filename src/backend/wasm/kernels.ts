/**
 * Registers the WASM backend's kernels under `'wasm'`: the one list of what
 * this backend implements. Every other kernel (`where`, `argReduce`, the
 * movement and indexing kernels) and every call a kernel declines (float64,
 * int32, shapes it does not handle) runs on the reference backend, counted in
 * `backendStatus().fallbacks`.
 * @module
 */
import type { Backend } from '../backend.js';
import { backendView, registerKernel } from '../registry.js';
import { activationGrad, binary, matmul, reduce, scalar, softmax, softmaxGrad, unary } from './backend.js';
import { adaptiveAvgPool2d, adaptiveAvgPool2dGrad, avgPool2d, avgPool2dGrad, col2im, im2col, maxPool2d, maxPool2dGrad } from './conv.js';
import { conv2d, conv2dGradInput, conv2dGradWeight, conv2dMaxPool2d, conv2dMaxPoolGradInput, conv2dMaxPoolGradWeight } from './convfused.js';
import { biasActivation, softmaxCrossEntropy, softmaxCrossEntropyGrad } from './fused.js';
import { accumulate, adagradStep, adamStep, rmspropStep, sgdStep } from './optim.js';
// attention
import { maskedSoftmax, maskedSoftmaxGrad } from './attention.js';
// layer norm
import { layerNorm, layerNormGrad } from './norm.js';
import { zigguratFast } from './noise.js';
// dropout
import { dropout } from './dropout.js';
// fused causal attention
import { causalAttention, causalAttentionGrad } from './attention.js';

/** The registry name of the WASM backend. */
export const WASM = 'wasm';

registerKernel({ name: 'unary', backend: WASM, fn: unary });
registerKernel({ name: 'scalar', backend: WASM, fn: scalar });
registerKernel({ name: 'activationGrad', backend: WASM, fn: activationGrad });
registerKernel({ name: 'biasActivation', backend: WASM, fn: biasActivation });
registerKernel({ name: 'binary', backend: WASM, fn: binary });
registerKernel({ name: 'reduce', backend: WASM, fn: reduce });
registerKernel({ name: 'matmul', backend: WASM, fn: matmul });
registerKernel({ name: 'softmax', backend: WASM, fn: softmax });
registerKernel({ name: 'softmaxGrad', backend: WASM, fn: softmaxGrad });
registerKernel({ name: 'softmaxCrossEntropy', backend: WASM, fn: softmaxCrossEntropy });
registerKernel({ name: 'softmaxCrossEntropyGrad', backend: WASM, fn: softmaxCrossEntropyGrad });
registerKernel({ name: 'im2col', backend: WASM, fn: im2col });
registerKernel({ name: 'col2im', backend: WASM, fn: col2im });
registerKernel({ name: 'maxPool2d', backend: WASM, fn: maxPool2d });
registerKernel({ name: 'maxPool2dGrad', backend: WASM, fn: maxPool2dGrad });
registerKernel({ name: 'avgPool2d', backend: WASM, fn: avgPool2d });
registerKernel({ name: 'avgPool2dGrad', backend: WASM, fn: avgPool2dGrad });
registerKernel({ name: 'adaptiveAvgPool2d', backend: WASM, fn: adaptiveAvgPool2d });
registerKernel({ name: 'adaptiveAvgPool2dGrad', backend: WASM, fn: adaptiveAvgPool2dGrad });
registerKernel({ name: 'sgdStep', backend: WASM, fn: sgdStep });
registerKernel({ name: 'adamStep', backend: WASM, fn: adamStep });
registerKernel({ name: 'rmspropStep', backend: WASM, fn: rmspropStep });
registerKernel({ name: 'adagradStep', backend: WASM, fn: adagradStep });
registerKernel({ name: 'accumulate', backend: WASM, fn: accumulate });
// attention
registerKernel({ name: 'maskedSoftmax', backend: WASM, fn: maskedSoftmax });
registerKernel({ name: 'maskedSoftmaxGrad', backend: WASM, fn: maskedSoftmaxGrad });
// layer norm
registerKernel({ name: 'layerNorm', backend: WASM, fn: layerNorm });
registerKernel({ name: 'layerNormGrad', backend: WASM, fn: layerNormGrad });
// Gaussian noise (differential privacy)
registerKernel({ name: 'zigguratFast', backend: WASM, fn: zigguratFast });
// dropout
registerKernel({ name: 'dropout', backend: WASM, fn: dropout });
// convolution then max pooling
registerKernel({ name: 'conv2dMaxPool2d', backend: WASM, fn: conv2dMaxPool2d });
registerKernel({ name: 'conv2dMaxPoolGradInput', backend: WASM, fn: conv2dMaxPoolGradInput });
registerKernel({ name: 'conv2dMaxPoolGradWeight', backend: WASM, fn: conv2dMaxPoolGradWeight });
// fused convolution
registerKernel({ name: 'conv2d', backend: WASM, fn: conv2d });
registerKernel({ name: 'conv2dGradInput', backend: WASM, fn: conv2dGradInput });
registerKernel({ name: 'conv2dGradWeight', backend: WASM, fn: conv2dGradWeight });
// fused causal attention
registerKernel({ name: 'causalAttention', backend: WASM, fn: causalAttention });
registerKernel({ name: 'causalAttentionGrad', backend: WASM, fn: causalAttentionGrad });

/**
 * The WASM backend as a complete {@link Backend}: its kernels, with the
 * reference backend's (counted as fallbacks) for the rest. Usable once
 * `initWasmBackend` has loaded the kernels.
 */
export const wasmBackend: Backend = backendView(WASM);
