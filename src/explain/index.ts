/**
 * Why a model predicts what it does: attribution methods with Captum's semantics.
 * @module
 */
export type { Explained, Target, TargetOptions } from './common.js';
export {
  type GradientShapOptions,
  gradientShap,
  type IntegratedGradientsOptions,
  type IntegratedGradientsResult,
  inputXGradient,
  integratedGradients,
  type NoiseTunnelOptions,
  type NoiseTunnelType,
  noiseTunnel,
  type SaliencyOptions,
  saliency,
  smoothGrad,
} from './gradient.js';
export {
  type FeatureAblationOptions,
  featureAblation,
  type OcclusionOptions,
  occlusion,
  type PermutationImportance,
  type PermutationImportanceOptions,
  permutationImportance,
} from './perturbation.js';
export { INTEGRATION_METHODS, type IntegrationMethod, pathPoints } from './quadrature.js';
// Grad-CAM (layer attribution) and the resizing of layer maps to the input
export { type GradCamOptions, gradCam } from './gradcam.js';
export { type InterpolateMode, interpolateAttribution } from './interpolate.js';
export { type GuidedGradCamOptions, guidedBackprop, guidedGradCam } from './guided.js';
