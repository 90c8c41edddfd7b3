/**
 * The WASM backend's elementwise, reduction, matmul and softmax kernels.
 * Each checks that it can take the call (float32 arrays, a code for the op, a
 * broadcast or axis pattern the kernel handles) and otherwise returns
 * `DECLINE`, so the registry runs the reference kernel and counts the
 * fallback. Accepted calls go through the one generic job call (`call.ts`).
 *
 * The kernels are registered under `'wasm'` when this module loads (see
 * `kernels.ts`); the backend becomes selectable once `initWasmBackend` has
 * loaded the module.
 * @module
 */
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { ActivationOp, BinaryOp, MatmulSpec, ReduceOp, ScalarOp, UnaryOp } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { broadcastPlan, columnPlan, expandLeading, needsExpand, plan, slicedPlan } from './broadcast.js';
import { callJob } from './call.js';
import { CHEAP, elementParts, gemmParts } from './jobs.js';
import { BINARY_CODES, GRAD_CODES, REDUCE_CODES, SCALAR_CODES, UNARY_CODES } from './opcodes.generated.js';

export { DEFAULT_ELEMENT_PARALLEL_SIZE, DEFAULT_GEMM_PARALLEL_FLOPS, setKernelThreads, setParallelCutoffs } from './jobs.js';

/** Unary ops built on the vector exp or log: about 1.5-4 ns per element. */
const COSTLY = new Set([
  UNARY_CODES.exp,
  UNARY_CODES.log,
  UNARY_CODES.sigmoid,
  UNARY_CODES.tanh,
  UNARY_CODES.softplus,
  UNARY_CODES.gelu,
]);

/**
 * Work units per element of a unary op, for the thread cut-off. Only the
 * exp/log family counts: a split job must copy in and out of the shared
 * memory, which costs about 0.5 ns per element more than the plain one, and
 * that is more than half of what an add, a compare or a relu costs.
 */
function unaryCost(code: number): number {
  return COSTLY.has(code) ? 1 : 0;
}

export function unary(op: UnaryOp, x: TypedArray): TypedArray | Declined {
  const code = UNARY_CODES[op];
  if (code === undefined || !(x instanceof Float32Array)) return DECLINE;
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  return callJob('unary', [code, x, n, n, 0, 0], elementParts(n * unaryCost(code)));
}

export function scalar(op: ScalarOp, x: TypedArray, a: number, b: number): TypedArray | Declined {
  const code = SCALAR_CODES[op];
  if (code === undefined || !(x instanceof Float32Array)) return DECLINE;
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  return callJob('unary', [code, x, n, n, a, b], elementParts(code === SCALAR_CODES.elu ? n : 0));
}

export function activationGrad(op: ActivationOp, x: FloatArray, y: FloatArray, g: FloatArray, a: number): FloatArray | Declined {
  const code = GRAD_CODES[op];
  if (
    code === undefined ||
    !(x instanceof Float32Array) ||
    !(y instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    x.length !== g.length ||
    y.length !== g.length
  ) {
    return DECLINE;
  }
  const n = g.length;
  if (n === 0) return new Float32Array(0);
  // The kernel reads only x for these and only y for sigmoid and tanh: the unread array is
  // passed as its twin, which callJob copies in once.
  if (op === 'relu' || op === 'leakyRelu' || op === 'softplus' || op === 'gelu') y = x;
  else if (op === 'sigmoid' || op === 'tanh') x = y;
  // GELU's and softplus's gradients evaluate an exp (two for GELU) per element: split those.
  const costly = op === 'gelu' || op === 'softplus';
  return callJob('activationGrad', [code, x, y, g, n, n, a], elementParts(costly ? n : CHEAP));
}

export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
): TypedArray | Declined {
  const code = BINARY_CODES[op];
  if (code === undefined || !(a instanceof Float32Array) || !(b instanceof Float32Array)) return DECLINE;
  if (!broadcastPlan(aShape, bShape, outShape)) {
    // Slices of fewer than MIN_SLICE elements would cost more in job calls than the reference loop.
    const slices = slicedPlan(aShape, bShape, outShape);
    if (slices > 0 && plan.rows * plan.cols >= MIN_SLICE) return binarySliced(code, a, b, slices);
    // Otherwise (small slices, or the broadcast operand first): a per-channel operand ([1, C, 1, 1]
    // against [N, C, H, W]) repeated into a column over the leading axes, in jobs of CHUNK elements.
    const s = columnPlan(aShape, bShape, outShape);
    if (s < 0) return DECLINE;
    const { ra, sa, rb, sb, rows, cols } = plan;
    const ea = needsExpand(aShape, outShape, s) ? expandLeading(a, aShape, outShape, s) : a;
    const eb = needsExpand(bShape, outShape, s) ? expandLeading(b, bShape, outShape, s) : b;
    if (rows * cols === 0) return new Float32Array(0);
    if (rows * cols <= CHUNK) return callJob('binary', [code, ea, ra, sa, eb, rb, sb, rows * cols, rows, cols], elementParts(CHEAP));
    return binaryChunked(code, ea, eb, Math.max(1, Math.floor(CHUNK / cols)));
  }
  const n = plan.rows * plan.cols;
  if (n === 0) return new Float32Array(0);
  const { ra, sa, rb, sb, rows, cols } = plan;
  return callJob('binary', [code, a, ra, sa, b, rb, sb, n, rows, cols], elementParts(CHEAP));
}

/**
 * Elements per job of a large channel broadcast the slice-by-slice path does not take. One job
 * over all of [N, C, H, W] copies megabytes through the arena and measured slower (noisily) than
 * jobs of about a sample each, as {@link binarySliced} runs them.
 */
const CHUNK = 32768;

/** Rows `r0..r1` of a {@link plan} operand with row step `r` (0: the same for every row). */
function rowsOf(x: Float32Array, r: number, cols: number, r0: number, r1: number): Float32Array {
  if (r === 0) return x;
  return r === 1 ? x.subarray(r0, r1) : x.subarray(r0 * cols, r1 * cols);
}

/** The op over {@link plan}'s [rows, cols] view, `chunk` rows per job, each writing its part of one output. */
function binaryChunked(code: number, a: Float32Array, b: Float32Array, chunk: number): Float32Array {
  const { ra, sa, rb, sb, rows, cols } = plan;
  const out = new Float32Array(rows * cols);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    callJob('binary', [code, rowsOf(a, ra, cols, r0, r1), ra, sa, rowsOf(b, rb, cols, r0, r1), rb, sb, out.subarray(r0 * cols, r1 * cols), r1 - r0, cols], 1);
  }
  return out;
}

/** Smallest slice (in elements) the slice-by-slice binary path takes. */
const MIN_SLICE = 256;

/**
 * A binary op of a full `a` and a `b` broadcast over the trailing axes, one
 * job per slice of `a` (as {@link slicedPlan} left in `plan`), each writing its
 * part of one output array.
 */
function binarySliced(code: number, a: Float32Array, b: Float32Array, slices: number): Float32Array {
  const { ra, sa, rb, sb, rows, cols } = plan;
  const n = rows * cols;
  const out = new Float32Array(slices * n);
  if (n === 0) return out;
  for (let i = 0; i < slices; i++) {
    callJob('binary', [code, a.subarray(i * n, (i + 1) * n), ra, sa, b, rb, sb, out.subarray(i * n, (i + 1) * n), rows, cols], 1);
  }
  return out;
}

export function reduce(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray | Declined {
  const na = axes.length;
  if (!(x instanceof Float32Array) || na === 0) return DECLINE;
  const first = axes[0]!;
  const last = axes[na - 1]!;
  if (last - first + 1 !== na) return DECLINE;
  let outer = 1;
  let r = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (i < first) outer *= d;
    else if (i <= last) r *= d;
    else inner *= d;
  }
  const n = outer * inner;
  if (n === 0) return new Float32Array(0);
  return callJob('reduce', [REDUCE_CODES[op], x, n, outer, r, inner], elementParts(CHEAP));
}

export function matmul(a: FloatArray, b: FloatArray, spec: MatmulSpec): FloatArray | Declined {
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return DECLINE;
  const { batch, m, k, n, out } = spec;
  const size = batch * m * n;
  if (out !== undefined && (!(out instanceof Float32Array) || out.length !== size)) return DECLINE;
  if (size === 0) return out ?? new Float32Array(0);
  if (k === 0) return out?.fill(0) ?? new Float32Array(size);
  const parts = gemmParts(2 * size * k, batch, m, n);
  const args: [Float32Array, Float32Array, number | Float32Array, number, number, number, number, number, number, number, number] = [
    a,
    b,
    out ?? size,
    m,
    n,
    k,
    spec.transA ? 1 : 0,
    spec.transB ? 1 : 0,
    batch,
    spec.strideA,
    spec.strideB,
  ];
  return callJob('gemm', args, parts);
}

export function softmax(x: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray | Declined {
  if (!(x instanceof Float32Array) || inner !== 1) return DECLINE;
  const size = outer * n;
  if (size === 0) return new Float32Array(0);
  return callJob('softmax', [x, size, outer, n, log ? 1 : 0], elementParts(outer > 1 ? size : 0));
}

export function softmaxGrad(
  y: FloatArray,
  g: FloatArray,
  outer: number,
  n: number,
  inner: number,
  log: boolean,
): FloatArray | Declined {
  if (!(y instanceof Float32Array) || !(g instanceof Float32Array) || inner !== 1) return DECLINE;
  const size = outer * n;
  if (size === 0) return new Float32Array(0);
  return callJob('softmaxGrad', [y, g, size, outer, n, log ? 1 : 0], elementParts(CHEAP));
}
