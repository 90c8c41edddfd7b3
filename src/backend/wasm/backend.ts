/**
 * The WASM backend: float32 kernels run in the SIMD module, everything else
 * (float64, int32, movement ops, rarely used ops) is delegated to the
 * reference backend, which defines the semantics.
 *
 * Each call copies its inputs into the arena, writes the job descriptor, runs
 * it (on the pool when it is large enough to pay) and copies the result out
 * into a fresh array. Nothing else is allocated per call.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { ActivationOp, Backend, BinaryOp, MatmulSpec, ReduceOp, ScalarOp, UnaryOp } from '../backend.js';
import { jsBackend as js } from '../js/index.js';
import {
  BINARY_CODES,
  GRAD_CODES,
  JOB,
  K_AGRAD,
  K_BINARY,
  K_GEMM,
  K_REDUCE,
  K_SOFTGRAD,
  K_SOFTMAX,
  K_UNARY,
  REDUCE_CODES,
  SCALAR_CODES,
  UNARY_CODES,
} from './layout.js';
import { arenaBase, f32, i32, reserve, run, select } from './runtime.js';
import { CHEAP, gemmParts, put, runElementwise, span, splitElementwise, take, threadCount } from './jobs.js';
import { biasActivation, softmaxCrossEntropy, softmaxCrossEntropyGrad } from './fused.js';
import { accumulate, adagradStep, adamStep, rmspropStep, sgdStep } from './optim.js';

export { DEFAULT_ELEMENT_PARALLEL_SIZE, DEFAULT_GEMM_PARALLEL_FLOPS, setKernelThreads, setParallelCutoffs } from './jobs.js';
import { broadcastPlan, plan } from './broadcast.js';

function unaryJob(code: number, x: Float32Array, a: number, b: number, cost: number): Float32Array {
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  const parallel = splitElementwise(n * cost);
  select(parallel);
  const px = arenaBase;
  const py = px + span(n);
  reserve(py + span(n) - arenaBase);
  put(x, px);
  i32[JOB] = K_UNARY;
  i32[JOB + 1] = code;
  i32[JOB + 2] = px;
  i32[JOB + 3] = py;
  i32[JOB + 4] = n;
  f32[JOB + 5] = a;
  f32[JOB + 6] = b;
  runElementwise(parallel);
  return take(py, n);
}

/** Unary ops built on the vector exp or log: about 1.5-4 ns per element. */
const COSTLY = new Set([
  UNARY_CODES.exp,
  UNARY_CODES.log,
  UNARY_CODES.sigmoid,
  UNARY_CODES.tanh,
  UNARY_CODES.softplus,
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

function unary(op: UnaryOp, x: FloatArray): FloatArray {
  const code = UNARY_CODES[op];
  if (code === undefined || !(x instanceof Float32Array)) return js.unary(op, x);
  return unaryJob(code, x, 0, 0, unaryCost(code));
}

function scalar(op: ScalarOp, x: FloatArray, a: number, b: number): FloatArray {
  const code = SCALAR_CODES[op];
  if (code === undefined || !(x instanceof Float32Array)) return js.scalar(op, x, a, b);
  return unaryJob(code, x, a, b, code === SCALAR_CODES.elu ? 1 : 0);
}

function activationGrad(op: ActivationOp, x: FloatArray, y: FloatArray, g: FloatArray, a: number): FloatArray {
  const code = GRAD_CODES[op];
  if (
    code === undefined ||
    !(x instanceof Float32Array) ||
    !(y instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    x.length !== g.length ||
    y.length !== g.length
  ) {
    return js.activationGrad(op, x, y, g, a);
  }
  const n = g.length;
  if (n === 0) return new Float32Array(0);
  const s = span(n);
  const parallel = splitElementwise(CHEAP);
  select(parallel);
  const px = arenaBase;
  const py = px + s;
  const pg = py + s;
  const po = pg + s;
  reserve(4 * s);
  put(x, px);
  put(y, py);
  put(g, pg);
  i32[JOB] = K_AGRAD;
  i32[JOB + 1] = code;
  i32[JOB + 2] = px;
  i32[JOB + 3] = py;
  i32[JOB + 4] = pg;
  i32[JOB + 5] = po;
  i32[JOB + 6] = n;
  f32[JOB + 7] = a;
  runElementwise(parallel);
  return take(po, n);
}

function binary(op: BinaryOp, a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, outShape: Shape): FloatArray {
  const code = BINARY_CODES[op];
  if (
    code === undefined ||
    !(a instanceof Float32Array) ||
    !(b instanceof Float32Array) ||
    !broadcastPlan(aShape, bShape, outShape)
  ) {
    return js.binary(op, a, aShape, b, bShape, outShape);
  }
  const n = plan.rows * plan.cols;
  if (n === 0) return new Float32Array(0);
  const parallel = splitElementwise(CHEAP);
  select(parallel);
  const pa = arenaBase;
  const pb = pa + span(a.length);
  const py = pb + span(b.length);
  reserve(py + span(n) - arenaBase);
  put(a, pa);
  put(b, pb);
  i32[JOB] = K_BINARY;
  i32[JOB + 1] = code;
  i32[JOB + 2] = pa;
  i32[JOB + 3] = plan.ra;
  i32[JOB + 4] = plan.sa;
  i32[JOB + 5] = pb;
  i32[JOB + 6] = plan.rb;
  i32[JOB + 7] = plan.sb;
  i32[JOB + 8] = py;
  i32[JOB + 9] = plan.rows;
  i32[JOB + 10] = plan.cols;
  runElementwise(parallel);
  return take(py, n);
}

function reduce(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray {
  const na = axes.length;
  if (!(x instanceof Float32Array) || na === 0) return js.reduce(op, x, shape, axes);
  const first = axes[0]!;
  const last = axes[na - 1]!;
  if (last - first + 1 !== na) return js.reduce(op, x, shape, axes);
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
  const parallel = splitElementwise(CHEAP);
  select(parallel);
  const px = arenaBase;
  const py = px + span(x.length);
  reserve(py + span(n) - arenaBase);
  put(x, px);
  i32[JOB] = K_REDUCE;
  i32[JOB + 1] = REDUCE_CODES[op];
  i32[JOB + 2] = px;
  i32[JOB + 3] = py;
  i32[JOB + 4] = outer;
  i32[JOB + 5] = r;
  i32[JOB + 6] = inner;
  runElementwise(parallel);
  return take(py, n);
}

function matmul(a: FloatArray, b: FloatArray, spec: MatmulSpec): FloatArray {
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return js.matmul(a, b, spec);
  const { batch, m, k, n } = spec;
  const size = batch * m * n;
  if (size === 0) return new Float32Array(0);
  if (k === 0) return new Float32Array(size);
  const parts = gemmParts(2 * size * k, batch, m, n);
  select(parts > 1);
  const pa = arenaBase;
  const pb = pa + span(a.length);
  const pc = pb + span(b.length);
  reserve(pc + span(size) - arenaBase);
  put(a, pa);
  put(b, pb);
  i32[JOB] = K_GEMM;
  i32[JOB + 1] = pa;
  i32[JOB + 2] = pb;
  i32[JOB + 3] = pc;
  i32[JOB + 4] = m;
  i32[JOB + 5] = n;
  i32[JOB + 6] = k;
  i32[JOB + 7] = spec.transA ? 1 : 0;
  i32[JOB + 8] = spec.transB ? 1 : 0;
  i32[JOB + 9] = batch;
  i32[JOB + 10] = spec.strideA;
  i32[JOB + 11] = spec.strideB;
  if (parts > 1) run(threadCount(), parts);
  else run(1, 1);
  return take(pc, size);
}

function softmax(x: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray {
  if (!(x instanceof Float32Array) || inner !== 1) return js.softmax(x, outer, n, inner, log);
  const size = outer * n;
  if (size === 0) return new Float32Array(0);
  const parallel = splitElementwise(outer > 1 ? size : 0);
  select(parallel);
  const px = arenaBase;
  const py = px + span(size);
  reserve(2 * span(size));
  put(x, px);
  i32[JOB] = K_SOFTMAX;
  i32[JOB + 1] = px;
  i32[JOB + 2] = py;
  i32[JOB + 3] = outer;
  i32[JOB + 4] = n;
  i32[JOB + 5] = log ? 1 : 0;
  runElementwise(parallel);
  return take(py, size);
}

function softmaxGrad(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray {
  if (!(y instanceof Float32Array) || !(g instanceof Float32Array) || inner !== 1) {
    return js.softmaxGrad(y, g, outer, n, inner, log);
  }
  const size = outer * n;
  if (size === 0) return new Float32Array(0);
  const s = span(size);
  const parallel = splitElementwise(CHEAP);
  select(parallel);
  const py = arenaBase;
  const pg = py + s;
  const po = pg + s;
  reserve(3 * s);
  put(y, py);
  put(g, pg);
  i32[JOB] = K_SOFTGRAD;
  i32[JOB + 1] = py;
  i32[JOB + 2] = pg;
  i32[JOB + 3] = po;
  i32[JOB + 4] = outer;
  i32[JOB + 5] = n;
  i32[JOB + 6] = log ? 1 : 0;
  runElementwise(parallel);
  return take(po, size);
}

/** The WASM backend object (registered by `initWasmBackend`). */
export const wasmBackend: Backend = {
  name: 'wasm',
  unary,
  scalar,
  activationGrad,
  biasActivation,
  binary,
  where: js.where,
  reduce,
  argReduce: js.argReduce,
  matmul,
  softmax,
  softmaxGrad,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  permute: js.permute,
  expand: js.expand,
  slice: js.slice,
  pad: js.pad,
  concat: js.concat,
  indexSelect: js.indexSelect,
  indexAdd: js.indexAdd,
  gather: js.gather,
  scatterAdd: js.scatterAdd,
  sgdStep,
  adamStep,
  rmspropStep,
  adagradStep,
  accumulate,
};
