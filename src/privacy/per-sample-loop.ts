/**
 * The generic per-sample gradient of a layer that has no vectorised rule: one small
 * forward and backward pass per sample, through the layer alone (not the whole model),
 * with the sample's slice of the gradient that reached the layer's output.
 * @module
 */
import { enableGrad } from '../autograd/engine.js';
import { grad } from '../autograd/grad.js';
import { Tensor } from '../autograd/tensor.js';
import { PrivacyError } from '../errors.js';
import type { AnyModule, Parameter } from '../nn/module.js';
import { narrow, stack, zerosLike } from '../ops/index.js';
import type { SampleGrads } from './per-sample-layers.js';
import { DenseSampleGrad } from './sample-grad.js';

/**
 * Per-sample gradients of `params` (the layer's own parameters) by a loop over the
 * `n` samples. `inputs` are the layer's recorded inputs: every tensor whose first
 * dimension is `n` is sliced per sample, anything else is passed unchanged. The
 * layer's class `forward` runs, so its forward hooks do not.
 */
export function loopSampleGrads(layer: AnyModule, params: readonly Parameter[], inputs: readonly unknown[], gradOutput: Tensor): SampleGrads {
  const n = gradOutput.shape[0]!;
  const forward = (Object.getPrototypeOf(layer) as { forward: (...a: unknown[]) => unknown }).forward;
  const per: Tensor[][] = params.map(() => []);
  for (let s = 0; s < n; s++) {
    const xs = inputs.map((t) => (t instanceof Tensor && t.ndim > 0 && t.shape[0] === n ? narrow(t, 0, s, 1) : t));
    const out = enableGrad(() => forward.call(layer, ...xs));
    if (!(out instanceof Tensor)) {
      throw new PrivacyError(
        `${layer.constructor.name}: per-sample gradients by the generic loop need a layer whose forward returns one tensor; give this layer a vectorised rule or freeze its parameters`,
      );
    }
    const gs = grad(out, [...params], { gradOutputs: narrow(gradOutput, 0, s, 1).contiguous(), allowUnused: true });
    gs.forEach((g, i) => {
      per[i]!.push(g ?? zerosLike(params[i]!));
    });
  }
  const res: SampleGrads = new Map();
  params.forEach((p, i) => {
    res.set(p, new DenseSampleGrad(stack(per[i]!, 0)));
  });
  return res;
}
