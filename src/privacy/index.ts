/**
 * Training with differential privacy: the privacy accountants (Rényi DP of the sampled
 * Gaussian mechanism and PRV composition, with Opacus's formulas) and the noise a budget needs.
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
