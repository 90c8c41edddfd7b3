/**
 * The fused kernels of the WASM backend: bias-add plus activation, and
 * softmax cross-entropy with its gradient. Float32 only; float64 and
 * mismatched lengths are declined (the reference backend takes them).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { BiasActivationOp, SoftmaxCrossEntropyResult } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, elementParts } from './jobs.js';
import { BIAS_ACT_CODES } from './opcodes.generated.js';

/** Activations built on the vector exp: worth splitting over threads from the element cut-off. */
const COSTLY_ACT = new Set<BiasActivationOp>(['sigmoid', 'tanh', 'softplus', 'elu', 'gelu']);

/** `act(x + bias)` for x viewed as [m, n]; see `Backend.biasActivation`. */
export function biasActivation(
  op: BiasActivationOp,
  x: FloatArray,
  m: number,
  n: number,
  bias: FloatArray | null,
  a: number,
): FloatArray | Declined {
  const code = BIAS_ACT_CODES[op];
  const size = m * n;
  if (
    code === undefined ||
    bias === null ||
    !(x instanceof Float32Array) ||
    !(bias instanceof Float32Array) ||
    x.length !== size ||
    bias.length !== n
  ) {
    return DECLINE;
  }
  if (size === 0) return new Float32Array(0);
  const parts = elementParts(COSTLY_ACT.has(op) && m > 1 ? size : CHEAP);
  return callJob('biasActivation', [code, x, bias, size, m, n, a], parts);
}

/** Per-row loss and softmax of logits [n, c]; see `Backend.softmaxCrossEntropy`. */
export function softmaxCrossEntropy(
  logits: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): SoftmaxCrossEntropyResult | Declined {
  const size = n * c;
  // Empty rows (c = 0) have no label to pick: the reference gives their NaN losses.
  if (!(logits instanceof Float32Array) || logits.length !== size || labels.length !== n || size === 0) return DECLINE;
  const [losses, probs] = callJob('softmaxCrossEntropy', [logits, labels, n, size, n, c], elementParts(n > 1 ? size : CHEAP));
  return { losses, probs };
}

/** `(probs − onehot(labels)) · g[row]`; see `Backend.softmaxCrossEntropyGrad`. */
export function softmaxCrossEntropyGrad(
  probs: FloatArray,
  g: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): FloatArray | Declined {
  const size = n * c;
  if (
    !(probs instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    probs.length !== size ||
    g.length !== n ||
    labels.length !== n
  ) {
    return DECLINE;
  }
  if (size === 0) return new Float32Array(0);
  return callJob('softmaxCrossEntropyGrad', [probs, g, labels, size, n, c], elementParts(CHEAP));
}
