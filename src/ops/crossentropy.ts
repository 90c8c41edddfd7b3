/**
 * Softmax cross-entropy as one primitive: the forward keeps the softmax of
 * each row, and the backward is `(probs − onehot) · g` in one kernel pass.
 * @module
 */
import { type OpDef, make, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import { softmax } from './activation.js';
import { oneHot } from './indexing.js';
import { backend, floats } from './util.js';
import { valuesOf } from '../autograd/values.js';

/** The gradient rule of one call, holding the probabilities the forward computed. */
function sceDef(probs: FloatArray, labels: Int32Array): OpDef {
  return {
    name: 'softmaxCrossEntropy',
    backward: (g, node) => [ownedGradient(sceGrad(node.inputs[0]!, g, probs, labels))],
  };
}

/**
 * (probs − onehot) ⊙ g, the gradient with respect to the logits `z`, as an op
 * of its own: the values come from the backend's fused kernel, and its rule
 * makes it differentiable for `createGraph`. With p = softmax(z) per row:
 * d/dg_i = Σ_j u_ij (p_ij − onehot_ij), d/dz = g ⊙ softmax′ applied to u.
 */
function sceGrad(z: Tensor, g: Tensor, probs: FloatArray, labels: Int32Array): Tensor {
  const [n, c] = z.shape as [number, number];
  const out = make(backend().softmaxCrossEntropyGrad(probs, valuesOf(g) as FloatArray, n, c, labels), [n, c]);
  if (!recording(z, g)) return out;
  const def: OpDef = {
    name: 'softmaxCrossEntropyGrad',
    backward: (u, node) => {
      const [zi, gi] = node.inputs as [Tensor, Tensor];
      const p = softmax(zi, 1);
      const hot = oneHot(make(labels, [n]), c).astype(zi.dtype);
      const g2 = gi.reshape([n, 1]);
      return [
        zi.requiresGrad ? p.mul(u.sub(u.mul(p).sum(1, true))).mul(g2) : null,
        gi.requiresGrad ? u.mul(p.sub(hot)).sum(1) : null,
      ];
    },
  };
  return record(def, [z, g], out);
}

/**
 * Per-sample softmax cross-entropy of `logits` `[N, C]` against class ids
 * `labels` (int32 `[N]`, each in `[0, C)`): `logSumExp(logits[i]) − logits[i, labels[i]]`,
 * as a `[N]` tensor. Computed with the row maximum subtracted, so it stays
 * finite for logits of any finite size. `crossEntropy` uses it for class-id
 * targets without label smoothing.
 *
 * @example
 * ```ts
 * const losses = softmaxCrossEntropy(logits, tensor([2, 0], { dtype: 'int32' })); // [2]
 * losses.mean().backward();
 * ```
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const name = 'softmaxCrossEntropy';
  const x = floats(name, logits);
  if (logits.ndim !== 2) throw new ShapeError(`${name}: logits must be [N, C], got ${fmt(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  if (labels.dtype !== 'int32') {
    throw new DTypeError(`${name}: labels must be an int32 tensor of class ids, got ${labels.dtype}; convert with .int()`);
  }
  if (labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`${name}: labels must have shape [${n}] for logits ${fmt(logits.shape)}, got ${fmt(labels.shape)}`);
  }
  const ids = valuesOf(labels) as Int32Array;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= c) throw new ArgumentError(`${name}: label ${v} at index ${i} is not a class id in [0, ${c})`);
  }
  const { losses, probs } = backend().softmaxCrossEntropy(x, n, c, ids);
  const out = make(losses, [n]);
  return recording(logits) ? record(sceDef(probs, ids), [logits], out) : out;
}
