/**
 * Training with differential privacy: the privacy accountant (Rényi DP of the sampled
 * Gaussian mechanism, with Opacus's formulas) and the noise a budget needs.
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
