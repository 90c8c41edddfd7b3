/**
 * The WASM backend's layer normalisation and its gradient (`asm/norm.ts`). Float32 only;
 * float64, mixed dtypes and inconsistent lengths are declined (the reference backend takes
 * them), and so are rows wider than {@link MAX_WIDTH} (the gradient's f64 column sums live in
 * the thread's scratch). A missing weight or bias is passed as ones or zeros.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { LayerNormGradResult, LayerNormResult } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { CHEAP, elementParts } from './jobs.js';

/** Widest row handled: 2·n doubles of scratch (512 KiB) for the gradient's column sums. */
const MAX_WIDTH = 32768;

let ones = new Float32Array(0);
let zeros = new Float32Array(0);

/** A cached array of `n` ones or zeros standing in for a missing weight or bias. */
function filled(n: number, one: boolean): Float32Array {
  if (one) {
    if (ones.length !== n) ones = new Float32Array(n).fill(1);
    return ones;
  }
  if (zeros.length !== n) zeros = new Float32Array(n);
  return zeros;
}

/** A float32 array of length n, or null (then usable as the default); undefined when neither. */
function vec(v: FloatArray | null, n: number, one: boolean): Float32Array | undefined {
  if (v === null) return filled(n, one);
  return v instanceof Float32Array && v.length === n ? v : undefined;
}

/** Layer norm of the rows of x [rows, n]; see `Backend.layerNorm`. */
export function layerNorm(
  x: FloatArray,
  rows: number,
  n: number,
  weight: FloatArray | null,
  bias: FloatArray | null,
  eps: number,
): LayerNormResult | Declined {
  const size = rows * n;
  if (!(x instanceof Float32Array) || x.length !== size || n > MAX_WIDTH) return DECLINE;
  const w = vec(weight, n, true);
  const b = vec(bias, n, false);
  if (w === undefined || b === undefined) return DECLINE;
  if (size === 0) return { y: new Float32Array(0), mean: new Float32Array(rows), rstd: new Float32Array(rows).fill(1 / Math.sqrt(eps)) };
  const [y, mean, rstd] = callJob('layerNorm', [x, w, b, size, rows, rows, rows, n, eps], elementParts(CHEAP));
  return { y, mean, rstd };
}

/** dx, dweight, dbias of layer norm; see `Backend.layerNormGrad`. */
export function layerNormGrad(
  x: FloatArray,
  mean: FloatArray,
  rstd: FloatArray,
  weight: FloatArray | null,
  g: FloatArray,
  rows: number,
  n: number,
): LayerNormGradResult | Declined {
  const size = rows * n;
  if (
    !(x instanceof Float32Array) ||
    !(mean instanceof Float32Array) ||
    !(rstd instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    x.length !== size ||
    g.length !== size ||
    mean.length !== rows ||
    rstd.length !== rows ||
    n > MAX_WIDTH ||
    size === 0
  ) {
    return DECLINE;
  }
  const w = vec(weight, n, true);
  if (w === undefined) return DECLINE;
  const [dx, dweight, dbias] = callJob('layerNormGrad', [x, mean, rstd, w, g, size, n, n, rows, n], 1);
  return { dx, dweight, dbias };
}
