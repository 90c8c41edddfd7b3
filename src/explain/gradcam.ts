/**
 * Grad-CAM (Selvaraju et al., 2017) with the semantics of Captum's `LayerGradCam`: the
 * activations of one layer, weighted per channel by the spatial mean of the targeted
 * output's gradient with respect to them, summed over channels.
 * @module
 */
import { grad } from '../autograd/grad.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { type AnyModule, Module } from '../nn/module.js';
import { checkInput, type Explained, run, select, type TargetOptions } from './common.js';
import { type InterpolateMode, interpolateAttribution } from './interpolate.js';

/** Options of {@link gradCam}. */
export interface GradCamOptions extends TargetOptions {
  /** The layer whose output is explained: a module inside the model, usually the last Conv2d (or its activation). */
  layer: AnyModule;
  /** Keep only the positive evidence, as the original Grad-CAM (Captum's `relu_attributions`, default false as in Captum). */
  relu?: boolean;
  /** Resize the map to the input's spatial size (default false: the layer's resolution, as Captum). */
  upsample?: boolean;
  /** How to resize when `upsample` is set (default 'bilinear'; 'linear' along one axis for [N, C, L] layers). */
  interpolateMode?: InterpolateMode;
}

/**
 * Grad-CAM of the targeted output of each example at `layer`: with A the layer's output
 * [N, C, H, W] (or [N, C, L]) and G the gradient of the targeted output with respect to A,
 * the map is Σ_c mean_{h,w}(G[c]) · A[c], of shape [N, 1, H, W] (or [N, 1, L]). With
 * `relu` negative values become 0; with `upsample` the map is resized to the input's
 * spatial size (Captum's `LayerAttribution.interpolate`).
 *
 * @throws ArgumentError when the layer is not inside the model, is not called by its
 * forward pass, or is called more than once
 * @throws ShapeError when the layer's output is not a [N, C, H, W] or [N, C, L] tensor
 *
 * @example
 * ```ts
 * const conv = model.at(3) as Conv2d;
 * const cam = gradCam(model, images, { layer: conv, target: labels, relu: true, upsample: true });
 * // cam: [N, 1, 28, 28], high where the evidence for each label is
 * ```
 */
export function gradCam(model: Explained, x: Tensor, opts: GradCamOptions): Tensor {
  const method = 'gradCam';
  checkInput(method, x);
  const layer = opts.layer;
  if (!(layer instanceof Module)) throw new ArgumentError(`${method}: layer must be a Module inside the model, got ${typeof layer}`);
  const name = layer.constructor.name;
  if (model instanceof Module && !model.modules().includes(layer)) {
    throw new ArgumentError(`${method}: the layer (${name}) is not inside the model; pass one of its own modules, e.g. its last Conv2d`);
  }
  const mode = opts.interpolateMode ?? 'bilinear';
  if (mode !== 'bilinear' && mode !== 'nearest') throw new ArgumentError(`${method}: interpolateMode must be 'bilinear' or 'nearest', got '${String(mode)}'`);
  const n = x.shape[0]!;
  let act: Tensor | undefined;
  let calls = 0;
  // The layer's output is replaced by a copy that is a leaf of the graph, so its gradient
  // is there to take even when nothing before it requires gradients.
  const handle = layer.registerForwardHook((_m, _inputs, out) => {
    calls++;
    if (!(out instanceof Tensor) || (out.ndim !== 3 && out.ndim !== 4)) {
      const got = out instanceof Tensor ? `shape [${out.shape.join(', ')}]` : 'a value that is not one tensor';
      throw new ShapeError(`${method}: the layer (${name}) gave ${got}; Grad-CAM needs a convolutional output [N, C, H, W] or [N, C, L]`);
    }
    act = out.clone();
    act.requiresGrad = true;
    return act;
  });
  let y: Tensor;
  try {
    y = select(method, run(model, x), n, opts.target);
  } finally {
    handle.remove();
  }
  if (act === undefined) throw new ArgumentError(`${method}: the layer (${name}) was not called by the model's forward pass; pass a layer the model uses`);
  if (calls > 1) throw new ArgumentError(`${method}: the layer (${name}) was called ${calls} times in one forward pass; Grad-CAM needs a layer used once`);
  const a = act;
  const [g] = grad(y.sum(), a, { allowUnused: true });
  const gv = g === null ? new Float32Array(a.size) : g.contiguous().dataSync();
  const av = a.dataSync();
  const channels = a.shape[1]!;
  const per = a.size / (n * channels);
  const cam = new Float64Array(n * per);
  for (let e = 0; e < n; e++) {
    for (let c = 0; c < channels; c++) {
      const off = (e * channels + c) * per;
      let mean = 0;
      for (let k = 0; k < per; k++) mean += gv[off + k]!;
      mean /= per;
      for (let k = 0; k < per; k++) cam[e * per + k]! += mean * av[off + k]!;
    }
  }
  if (opts.relu ?? false) for (let i = 0; i < cam.length; i++) cam[i] = Math.max(cam[i]!, 0);
  const map = new Tensor(Float32Array.from(cam), [n, 1, ...a.shape.slice(2)]);
  if (!(opts.upsample ?? false)) return map;
  if (x.ndim !== a.ndim) {
    throw new ShapeError(`${method}: cannot upsample a map [${map.shape.join(', ')}] to inputs of shape [${x.shape.join(', ')}]; the inputs need the same number of spatial axes as the layer`);
  }
  return interpolateAttribution(map, x.shape.slice(2), mode);
}
