/**
 * `dropout` as one primitive over the backend's counter-based kernel (`Backend.dropout`):
 * the mask is a pure function of two keys drawn from the generator once per call and of
 * the element index, so the reference and WASM backends draw the same mask at every
 * thread count, no mask array is kept for the backward pass, and the gradient is the same
 * kernel with the same keys applied to the incoming gradient (the op is linear in `x`).
 * @module
 */
import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import { ArgumentError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';
import { backend, floats } from './util.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Drop elements (default true); false returns the input unchanged. */
  training?: boolean;
  /** Source of the mask's two keys (default: the global generator). */
  generator?: Generator;
}

/** The mask parameters of one call: two keys, the 24-bit keep threshold and the scale. */
interface Mask {
  key0: number;
  key1: number;
  threshold: number;
  scale: number;
}

function apply(t: Tensor, m: Mask): Tensor {
  const data = backend().dropout(valuesOf(t) as FloatArray, m.key0, m.key1, m.threshold, m.scale);
  const out = make(data, t.shape);
  if (!recording(t)) return out;
  // Linear in t, with a diagonal matrix: its own adjoint, to every order.
  const def: OpDef = { name: 'dropout', backward: (g) => [apply(g, m)] };
  return record(def, [t], out);
}

/**
 * Zeroes each element with probability `p` and scales the others by `1/(1−p)`, as
 * `torch.nn.functional.dropout` (a dropped NaN or ±∞ gives NaN, as `x·0`). Element `i`
 * is kept when a 24-bit hash of (key0, key1, i) is below `(1−p)·2²⁴`; the keys are two
 * 32-bit words drawn from `generator`, so a seeded generator reproduces the masks on any
 * backend and thread count.
 *
 * @example
 * ```ts
 * const y = dropout(x, 0.25, { generator: new Generator(7) });
 * ```
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}, layer = 'dropout'): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`${layer}: p must be in [0, 1), got ${p}`);
  if (!(options.training ?? true) || p === 0) return x;
  floats(layer, x);
  const g = options.generator ?? getDefaultGenerator();
  const keep = 1 - p;
  const m: Mask = {
    key0: g.nextUint32() | 0,
    key1: g.nextUint32() | 0,
    threshold: Math.round(keep * 2 ** 24),
    scale: 1 / keep,
  };
  if (x.size === 0) return x;
  return apply(x, m);
}
