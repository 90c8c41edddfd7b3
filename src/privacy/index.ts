/**
 * Training with differential privacy: the privacy accountants (Rényi DP of the sampled
 * Gaussian mechanism and PRV composition, with Opacus's formulas) and the noise a budget needs;
 * per-sample gradients and DP-SGD (`makePrivate`).
 * @module
 */
export { getNoiseMultiplier, type NoiseMultiplierOptions, RDPAccountant } from './accountant.js';
export {
  AccountantBase,
  type AccountantJSON,
  type AccountantMechanism,
  type AccountantStep,
  type AccountantStepOptions,
  type RDPAccountantJSON,
} from './history.js';
export { PRVAccountant, type PrvOptions } from './prv.js';
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
