/**
 * Softmax cross-entropy as one primitive: the forward keeps the softmax of
 * each row, and the backward is `(probs − onehot) · g` in one kernel pass.
 * @module
 */
import { type OpDef, isGradEnabled, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import { softmax } from './activation.js';
import { oneHot } from './indexing.js';
import { backend, floats } from './util.js';

/**
 * The gradient rule of one call, holding the probabilities the forward
 * computed. When the backward records (createGraph) it recomputes them with
 * `softmax`, so the gradient is differentiable: (softmax(z) − onehot) · g.
 */
function sceDef(probs: FloatArray, labels: Int32Array, n: number, c: number): OpDef {
  return {
    name: 'softmaxCrossEntropy',
    backward: (g, node) => {
      if (isGradEnabled()) {
        const z = node.inputs[0]!;
        const hot = oneHot(make(labels, [n]), c).astype(z.dtype);
        return [softmax(z, 1).sub(hot).mul(g.reshape([n, 1]))];
      }
      return [make(backend().softmaxCrossEntropyGrad(probs, g.data as FloatArray, n, c, labels), [n, c])];
    },
  };
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
  const ids = labels.data as Int32Array;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= c) throw new ArgumentError(`${name}: label ${v} at index ${i} is not a class id in [0, ${c})`);
  }
  const { losses, probs } = backend().softmaxCrossEntropy(x, n, c, ids);
  const out = make(losses, [n]);
  return recording(logits) ? record(sceDef(probs, ids, n, c), [logits], out) : out;
}
