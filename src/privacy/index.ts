/**
 * Training with differential privacy: the privacy accountant (Rényi DP of the sampled
 * Gaussian mechanism, with Opacus's formulas) and the noise a budget needs;
 * per-sample gradients and DP-SGD (`makePrivate`).
 * @module
 */
export {
  type AccountantStep,
  type AccountantStepOptions,
  getNoiseMultiplier,
  type NoiseMultiplierOptions,
  RDPAccountant,
  type RDPAccountantJSON,
} from './accountant.js';
export { computeRdp, DEFAULT_ORDERS, type PrivacySpent, type RdpConversion, rdpToEpsilon } from './rdp.js';
// per-sample gradients and DP-SGD (dp-sgd)
export { checkPrivacyCompatible, type LossReduction, PerSampleGradients, type PerSampleOptions } from './per-sample.js';
export { type SampleGradFn, type SampleGrads, sampleGradFnFor } from './per-sample-layers.js';
export { type NoiseOption, type RandomSource, randomSource } from './noise.js';
export { PoissonLoader, type PoissonLoaderOptions, ShuffledLoader } from './poisson.js';
export { DPOptimizer, type DPOptimizerOptions, type DPStepInfo, type StepAccountant } from './dp-optimizer.js';
export {
  type DatasetLoader,
  makePrivate,
  type MakePrivateOptions,
  makePrivateWithEpsilon,
  type MakePrivateWithEpsilonOptions,
  type PrivateTraining,
  samplingOf,
} from './make-private.js';
export { DenseSampleGrad, OuterSampleGrad, type SampleGrad } from './sample-grad.js';
