/**
 * The fused kernels of the WASM backend: bias-add plus activation, and
 * softmax cross-entropy with its gradient. Float32 only; float64, gelu and
 * mismatched lengths are delegated to the reference backend.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { BiasActivationOp, SoftmaxCrossEntropyResult } from '../backend.js';
import { jsBackend as js } from '../js/index.js';
import { CHEAP, put, runElementwise, span, splitElementwise, take } from './jobs.js';
import { BIAS_ACT_CODES, JOB, K_BIASACT, K_SCE, K_SCEGRAD } from './layout.js';
import { arenaBase, f32, i32, reserve, select } from './runtime.js';

/** Activations built on the vector exp: worth splitting over threads from the element cut-off. */
const COSTLY_ACT = new Set<BiasActivationOp>(['sigmoid', 'tanh', 'softplus', 'elu']);

/** Copies int32 labels into the arena at byte address `p`. */
function putLabels(labels: Int32Array, p: number): void {
  i32.set(labels, p >>> 2);
}

/** `act(x + bias)` for x viewed as [m, n]; see `Backend.biasActivation`. */
export function biasActivation(
  op: BiasActivationOp,
  x: FloatArray,
  m: number,
  n: number,
  bias: FloatArray | null,
  a: number,
): FloatArray {
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
    return js.biasActivation(op, x, m, n, bias, a);
  }
  if (size === 0) return new Float32Array(0);
  const parallel = splitElementwise(COSTLY_ACT.has(op) && m > 1 ? size : CHEAP);
  select(parallel);
  const px = arenaBase;
  const pb = px + span(size);
  const py = pb + span(n);
  reserve(py + span(size) - arenaBase);
  put(x, px);
  put(bias, pb);
  i32[JOB] = K_BIASACT;
  i32[JOB + 1] = code;
  i32[JOB + 2] = px;
  i32[JOB + 3] = pb;
  i32[JOB + 4] = py;
  i32[JOB + 5] = m;
  i32[JOB + 6] = n;
  f32[JOB + 7] = a;
  runElementwise(parallel);
  return take(py, size);
}

/** Per-row loss and softmax of logits [n, c]; see `Backend.softmaxCrossEntropy`. */
export function softmaxCrossEntropy(
  logits: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): SoftmaxCrossEntropyResult {
  const size = n * c;
  // Empty rows (c = 0) have no label to pick: the reference gives their NaN losses.
  if (!(logits instanceof Float32Array) || logits.length !== size || labels.length !== n || size === 0) {
    return js.softmaxCrossEntropy(logits, n, c, labels);
  }
  const parallel = splitElementwise(n > 1 ? size : CHEAP);
  select(parallel);
  const px = arenaBase;
  const pl = px + span(size);
  const ploss = pl + span(n);
  const pp = ploss + span(n);
  reserve(pp + span(size) - arenaBase);
  put(logits, px);
  putLabels(labels, pl);
  i32[JOB] = K_SCE;
  i32[JOB + 1] = px;
  i32[JOB + 2] = pl;
  i32[JOB + 3] = ploss;
  i32[JOB + 4] = pp;
  i32[JOB + 5] = n;
  i32[JOB + 6] = c;
  runElementwise(parallel);
  return { losses: take(ploss, n), probs: take(pp, size) };
}

/** `(probs − onehot(labels)) · g[row]`; see `Backend.softmaxCrossEntropyGrad`. */
export function softmaxCrossEntropyGrad(
  probs: FloatArray,
  g: FloatArray,
  n: number,
  c: number,
  labels: Int32Array,
): FloatArray {
  const size = n * c;
  if (
    !(probs instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    probs.length !== size ||
    g.length !== n ||
    labels.length !== n
  ) {
    return js.softmaxCrossEntropyGrad(probs, g, n, c, labels);
  }
  if (size === 0) return new Float32Array(0);
  const parallel = splitElementwise(CHEAP);
  select(parallel);
  const pp = arenaBase;
  const pg = pp + span(size);
  const pl = pg + span(n);
  const po = pl + span(n);
  reserve(po + span(size) - arenaBase);
  put(probs, pp);
  put(g, pg);
  putLabels(labels, pl);
  i32[JOB] = K_SCEGRAD;
  i32[JOB + 1] = pp;
  i32[JOB + 2] = pg;
  i32[JOB + 3] = pl;
  i32[JOB + 4] = po;
  i32[JOB + 5] = n;
  i32[JOB + 6] = c;
  runElementwise(parallel);
  return take(po, size);
}

