import type { FloatArray } from '../../tensor/dtype.js';

/**
 * Signatures of the attention and layer-norm kernels: the scaled, masked
 * (optionally causal) softmax of attention scores and the layer normalisation
 * of rows, each with its gradient.
 * `backend.ts` assembles these with the other families into `Kernels`.
 * @module
 */

// attention

/**
 * Geometry of {@link AttentionNormKernels.maskedSoftmax}: `batch` score matrices of
 * `[rows, cols]` (queries by keys), each row softmaxed after scaling, adding a
 * mask and hiding the causal upper triangle.
 */
export interface MaskedSoftmaxSpec {
  batch: number;
  rows: number;
  cols: number;
  /** Factor on the scores before the mask is added. */
  scale: number;
  /** Row `i` sees only columns `j ≤ i` (the others get probability 0). */
  causal: boolean;
  /**
   * The additive mask holds `maskBatch` matrices of `[rows, cols]`; score matrix `b`
   * adds mask matrix `⌊b / maskRepeat⌋ mod maskBatch`. Unused without a mask.
   */
  maskBatch: number;
  /** See {@link MaskedSoftmaxSpec.maskBatch}. */
  maskRepeat: number;
}

// causal attention

/**
 * Geometry of {@link AttentionNormKernels.causalAttention}: `batch` independent
 * (batch·head) problems of queries and keys `[seq, dim]` and values `[seq, valueDim]`,
 * query `i` attending to keys `j ≤ i` only.
 */
export interface CausalAttentionSpec {
  batch: number;
  /** Queries and keys per problem (L = S). */
  seq: number;
  /** Features of the queries and keys (E). */
  dim: number;
  /** Features of the values (Ev). */
  valueDim: number;
  /** Factor on `q·kᵀ`. */
  scale: number;
}

/** Result of {@link AttentionNormKernels.causalAttention}. */
export interface CausalAttentionResult {
  /** `P·v`, `[batch, seq, valueDim]`. */
  out: FloatArray;
  /** The weights `P`, `[batch, seq, seq]`, zero above the diagonal; kept for the backward pass. */
  probs: FloatArray;
}

/** Result of {@link AttentionNormKernels.causalAttentionGrad}. */
export interface CausalAttentionGrads {
  /** dL/dq, `[batch, seq, dim]`. */
  dq: FloatArray;
  /** dL/dk, `[batch, seq, dim]`. */
  dk: FloatArray;
  /** dL/dv, `[batch, seq, valueDim]`. */
  dv: FloatArray;
}

// layer norm

/** Result of {@link AttentionNormKernels.layerNorm}. */
export interface LayerNormResult {
  /** `(x − mean)·rstd·weight + bias`, `[rows, n]`. */
  y: FloatArray;
  /** Per-row mean, length `rows`, kept for the backward pass. */
  mean: FloatArray;
  /** Per-row `1/√(var + eps)` (biased variance), length `rows`, kept for the backward pass. */
  rstd: FloatArray;
}

/** Result of {@link AttentionNormKernels.layerNormGrad}. */
export interface LayerNormGradResult {
  /** dL/dx, `[rows, n]`. */
  dx: FloatArray;
  /** `Σ_rows g ⊙ x̂` (the weight's gradient), length `n`. */
  dweight: FloatArray;
  /** `Σ_rows g` (the bias's gradient), length `n`. */
  dbias: FloatArray;
}

/** The attention and layer-norm kernels of `Kernels` (`backend.ts`), by kernel name. */
export interface AttentionNormKernels {
  // attention

  /**
   * `y = softmax(scale·x + mask)` along the rows of `batch` matrices `[rows, cols]`,
   * with columns `j > i` of row `i` left out when causal (see {@link MaskedSoftmaxSpec}).
   * A row with nothing left (every entry −∞ or hidden) is all zeros.
   */
  maskedSoftmax(x: FloatArray, spec: MaskedSoftmaxSpec, mask: FloatArray | null): FloatArray;
  /** Gradient of {@link maskedSoftmax} with respect to `x`: `scale · y ⊙ (g − Σ_row g⊙y)`. */
  maskedSoftmaxGrad(y: FloatArray, g: FloatArray, spec: MaskedSoftmaxSpec): FloatArray;

  // layer norm

  /**
   * Layer normalisation of the rows of `x` viewed as `[rows, n]`:
   * `y = (x − mean)·rstd ⊙ weight + bias` with the biased variance and `rstd = 1/√(var + eps)`;
   * `weight` and `bias` (length `n`) may each be null (1 and 0). Returns the per-row statistics too.
   */
  layerNorm(x: FloatArray, rows: number, n: number, weight: FloatArray | null, bias: FloatArray | null, eps: number): LayerNormResult;
  /**
   * Gradient of {@link layerNorm} from its input, saved statistics and upstream `g`: with
   * `x̂ = (x − mean)·rstd` and `ĝ = g ⊙ weight`, `dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂))` per row,
   * and the column sums `dweight = Σ g⊙x̂`, `dbias = Σ g`.
   */
  layerNormGrad(
    x: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    weight: FloatArray | null,
    g: FloatArray,
    rows: number,
    n: number,
  ): LayerNormGradResult;

  // causal attention

  /**
   * Causal attention of `batch` problems (see {@link CausalAttentionSpec}): per query row `i`,
   * `P[i, j] = softmax_j≤i(scale·q[i]·k[j])` (0 for `j > i`) and `out[i] = Σ_j≤i P[i, j]·v[j]`.
   * The upper triangle of the scores is never computed.
   */
  causalAttention(q: FloatArray, k: FloatArray, v: FloatArray, spec: CausalAttentionSpec): CausalAttentionResult;
  /**
   * Gradients of {@link causalAttention} from its inputs, its weights `probs` and upstream `g`
   * `[batch, seq, valueDim]`: `dv = Pᵀ·g`, `dP = g·vᵀ`, `dS = P ⊙ (dP − rowsum(dP ⊙ P))`,
   * `dq = scale·dS·k`, `dk = scale·dSᵀ·q`, each over the lower triangle only.
   */
  causalAttentionGrad(
    q: FloatArray,
    k: FloatArray,
    v: FloatArray,
    probs: FloatArray,
    g: FloatArray,
    spec: CausalAttentionSpec,
  ): CausalAttentionGrads;
}
