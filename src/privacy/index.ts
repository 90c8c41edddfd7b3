/** Differentially private training: per-sample gradients, DP-SGD and its accounting. @module */
// per-sample gradients and DP-SGD (dp-sgd)
export { checkPrivacyCompatible, type LossReduction, PerSampleGradients, type PerSampleOptions } from './per-sample.js';
export { type SampleGradFn, type SampleGrads, sampleGradFnFor } from './per-sample-layers.js';
