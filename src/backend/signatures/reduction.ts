import type { FloatArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';

/**
 * Signatures of the kernels that combine elements along axes: reductions and
 * arg-reductions, the batched matrix product, softmax and log-softmax, and the
 * fused softmax cross-entropy, each with its gradient where it has one.
 * `backend.ts` assembles these with the other families into `Kernels`.
 * @module
 */

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'max' | 'min';

/** Result of {@link ReductionKernels.softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyResult {
  /** Per-row loss, `logSumExp(row) − row[label]`: length `n`. */
  losses: FloatArray;
  /** The softmax of every row, `[n, c]`, kept for the backward pass. */
  probs: FloatArray;
}

/** Geometry of a (batched) matrix product `C[b] = op(A[b]) · op(B[b])`. */
export interface MatmulSpec {
  /** Number of matrices in the batch (1 for a plain product). */
  batch: number;
  /** Rows of op(A) and of C. */
  m: number;
  /** Columns of op(A), rows of op(B). */
  k: number;
  /** Columns of op(B) and of C. */
  n: number;
  /** A is stored as [k, m] and used transposed (Aᵀ·B). */
  transA: boolean;
  /** B is stored as [n, k] and used transposed (A·Bᵀ). */
  transB: boolean;
  /** Elements between consecutive matrices of A; 0 broadcasts one matrix over the batch. */
  strideA: number;
  /** Elements between consecutive matrices of B; 0 broadcasts one matrix over the batch. */
  strideB: number;
  /**
   * Where to write C (`batch·m·n` elements of A's type, overwritten): the
   * kernel returns this array. The engine passes the block of a parameter's
   * previous gradient here, so the product lands where the gradient lives.
   * Absent: the kernel returns a new array.
   */
  out?: FloatArray;
}

/** The reduction, matmul and softmax kernels of `Kernels` (`backend.ts`), by kernel name. */
export interface ReductionKernels {
  /** Reduces the sorted, distinct `axes` of `x`; the result has the remaining axes in order. */
  reduce(op: ReduceOp, x: FloatArray, shape: Shape, axes: readonly number[]): FloatArray;
  /** Index of the max (or min) along `axis`; the first one on ties. */
  argReduce(op: 'argmax' | 'argmin', x: FloatArray, shape: Shape, axis: number): Int32Array;

  /** Batched matrix product; see {@link MatmulSpec}. */
  matmul(a: FloatArray, b: FloatArray, spec: MatmulSpec): FloatArray;

  /** Softmax (or log-softmax) of `x` viewed as [outer, n, inner] along the middle axis. */
  softmax(x: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray;
  /** Gradient of {@link softmax} from its output `y` and upstream `g`. */
  softmaxGrad(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, log: boolean): FloatArray;

  /**
   * Softmax cross-entropy of `logits` viewed as `[n, c]` against class ids
   * `labels` (length `n`, each in `[0, c)`): the per-row loss and the softmax
   * probabilities. Stable for logits of any finite size.
   */
  softmaxCrossEntropy(logits: FloatArray, n: number, c: number, labels: Int32Array): SoftmaxCrossEntropyResult;
  /** Gradient of {@link softmaxCrossEntropy}: `dx[i, j] = (probs[i, j] − [j = labels[i]]) · g[i]`. */
  softmaxCrossEntropyGrad(probs: FloatArray, g: FloatArray, n: number, c: number, labels: Int32Array): FloatArray;
}
