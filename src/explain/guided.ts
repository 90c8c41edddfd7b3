/**
 * Guided backpropagation (Springenberg et al., 2015) and Guided Grad-CAM (Selvaraju et
 * al., 2017), with the semantics of Captum's `GuidedBackprop` and `GuidedGradCam`: the
 * gradient of the target with respect to the inputs, where every `ReLU` module lets only
 * positive gradients pass back; and that, times the (ReLU'd, upsampled) Grad-CAM map.
 * @module
 */
import { type HookHandle, registerHook } from '../autograd/hooks.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { ReLU } from '../nn/activation.js';
import { Module } from '../nn/module.js';
import type { RemovableHandle } from '../nn/hooks.js';
import { relu } from '../ops/activation.js';
import { checkInput, type Explained, gradientsAt, type TargetOptions } from './common.js';
import { type GradCamOptions, gradCam } from './gradcam.js';
import { type InterpolateMode, interpolateAttribution } from './interpolate.js';

/**
 * The gradient of each example's targeted output with respect to its inputs, with the
 * backward pass of every `ReLU` module of the model changed to pass only positive
 * gradients (Captum's `GuidedBackprop`). ReLUs applied as functions, not modules, keep
 * their ordinary gradient, as in Captum. The model must be a Module.
 *
 * @example
 * ```ts
 * const g = guidedBackprop(cnn, images, { target: 3 }); // shape of images
 * ```
 */
export function guidedBackprop(model: Explained, x: Tensor, opts: TargetOptions = {}): Tensor {
  const method = 'guidedBackprop';
  checkInput(method, x);
  if (!(model instanceof Module)) throw new ArgumentError(`${method}: the model must be a Module, so that its ReLU modules can be found`);
  const forward: RemovableHandle[] = [];
  const backward: HookHandle[] = [];
  for (const m of model.modules()) {
    if (!(m instanceof ReLU)) continue;
    forward.push(
      m.registerForwardHook((_m, _inputs, out) => {
        if (out.requiresGrad) backward.push(registerHook(out, (g) => relu(g)));
      }),
    );
  }
  try {
    const { grad } = gradientsAt(method, model, x, opts.target);
    return new Tensor(grad, x.shape);
  } finally {
    for (const h of forward) h.remove();
    for (const h of backward) h.remove();
  }
}

/** Options of {@link guidedGradCam}. */
export interface GuidedGradCamOptions extends TargetOptions {
  /** The layer of the Grad-CAM part (see {@link GradCamOptions.layer}). */
  layer: GradCamOptions['layer'];
  /** How the Grad-CAM map is resized to the input (Captum's default 'nearest'). */
  interpolateMode?: InterpolateMode;
}

/**
 * Guided Grad-CAM (Captum's `GuidedGradCam`): {@link guidedBackprop} times the Grad-CAM map
 * at `layer` with ReLU applied, resized to the input's spatial size (nearest by default)
 * and broadcast over the channels. Same shape as the inputs [N, C, H, W] (or [N, C, L]).
 *
 * @example
 * ```ts
 * const a = guidedGradCam(cnn, images, { layer: cnn.at(1), target: labels });
 * ```
 */
export function guidedGradCam(model: Explained, x: Tensor, opts: GuidedGradCamOptions): Tensor {
  const method = 'guidedGradCam';
  const cam = gradCam(model, x, { layer: opts.layer, target: opts.target, relu: true });
  if (x.ndim !== cam.ndim) {
    throw new ArgumentError(`${method}: inputs of shape [${x.shape.join(', ')}] have not the spatial axes of the layer's map [${cam.shape.join(', ')}]`);
  }
  const up = interpolateAttribution(cam, x.shape.slice(2), opts.interpolateMode ?? 'nearest');
  const g = guidedBackprop(model, x, { target: opts.target });
  return g.mul(up);
}
