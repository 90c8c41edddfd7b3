/**
 * One parameter's per-sample gradients, in the form DP-SGD needs them: their squared
 * norms (for clipping) and their weighted sum (the clipped sum). Most layers hold them
 * as a tensor `[N, ...parameter shape]`; a 2-d Linear layer holds only its input and
 * output gradient, from which both follow without building the N weight-sized
 * gradients ("ghost" norms: ‖g xᵀ‖ = ‖g‖·‖x‖).
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { matmul } from '../ops/index.js';
import type { FloatArray } from '../tensor/dtype.js';

/** Per-sample gradients of one parameter. */
export interface SampleGrad {
  /** N, the number of samples. */
  readonly n: number;
  /** ‖grad_n‖² for each sample. */
  sqNorms(): Float64Array;
  /** Σ_n c_n·grad_n, shaped like the parameter. */
  weightedSum(c: Float32Array): Tensor;
  /** The gradients themselves, `[N, ...parameter shape]`. */
  materialise(): Tensor;
}

/** Per-sample gradients held as one tensor `[N, ...shape]`. */
export class DenseSampleGrad implements SampleGrad {
  readonly n: number;
  constructor(readonly grads: Tensor) {
    this.n = grads.shape[0]!;
  }
  sqNorms(): Float64Array {
    const v = this.grads.contiguous().dataSync() as FloatArray;
    return rowSquares(v, this.n, this.n === 0 ? 0 : v.length / this.n);
  }
  weightedSum(c: Float32Array): Tensor {
    const v = this.grads.contiguous().dataSync() as FloatArray;
    const n = this.n;
    const shape = this.grads.shape.slice(1);
    const w = n === 0 ? 0 : v.length / n;
    const out = v instanceof Float64Array ? new Float64Array(w) : new Float32Array(w);
    for (let s = 0; s < n; s++) {
      const f = c[s]!;
      if (f === 0) continue;
      for (let i = 0, j = s * w; i < w; i++, j++) out[i]! += f * v[j]!;
    }
    return new Tensor(out, shape);
  }
  materialise(): Tensor {
    return this.grads;
  }
}

/** The per-sample weight gradients g_n x_nᵀ of a Linear layer on 2-d input, never built for the norms or the sum. */
export class OuterSampleGrad implements SampleGrad {
  readonly n: number;
  /** @param g - output gradients [N, out]; @param x - inputs [N, in]. */
  constructor(
    readonly g: Tensor,
    readonly x: Tensor,
  ) {
    this.n = g.shape[0]!;
  }
  sqNorms(): Float64Array {
    const gn = rowSquares(this.g.contiguous().dataSync() as FloatArray, this.n, this.g.shape[1]!);
    const xn = rowSquares(this.x.contiguous().dataSync() as FloatArray, this.n, this.x.shape[1]!);
    return gn.map((v, i) => v * xn[i]!);
  }
  weightedSum(c: Float32Array): Tensor {
    const cg = scaleRows(this.g, c);
    return matmul(cg.transpose(0, 1), this.x);
  }
  materialise(): Tensor {
    return matmul(this.g.unsqueeze(2), this.x.unsqueeze(1));
  }
}

/** ‖row‖² of each of the `n` rows of width `w` in `v`. */
function rowSquares(v: FloatArray, n: number, w: number): Float64Array {
  const out = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let acc = 0;
    for (let i = s * w, e = i + w; i < e; i++) acc += v[i]! * v[i]!;
    out[s] = acc;
  }
  return out;
}

/** A 2-d tensor with row `s` multiplied by `c[s]`. */
function scaleRows(t: Tensor, c: Float32Array): Tensor {
  const v = t.contiguous().dataSync() as FloatArray;
  const n = t.shape[0]!;
  const w = t.shape[1]!;
  const out = v instanceof Float64Array ? new Float64Array(v.length) : new Float32Array(v.length);
  for (let s = 0; s < n; s++) {
    const f = c[s]!;
    for (let i = s * w, e = i + w; i < e; i++) out[i] = f * v[i]!;
  }
  return new Tensor(out, [n, w]);
}

/** `a` scaled by `k` (per-sample gradients of a mean loss, times N). */
export class ScaledSampleGrad implements SampleGrad {
  readonly n: number;
  constructor(
    readonly inner: SampleGrad,
    readonly k: number,
  ) {
    this.n = inner.n;
  }
  sqNorms(): Float64Array {
    const k2 = this.k * this.k;
    return this.inner.sqNorms().map((v) => v * k2);
  }
  weightedSum(c: Float32Array): Tensor {
    return this.inner.weightedSum(c.map((v) => v * this.k));
  }
  materialise(): Tensor {
    return this.inner.materialise().mul(this.k);
  }
}

/** The sum of two per-sample gradients of one parameter (a layer called twice). */
export function addSampleGrads(a: SampleGrad, b: SampleGrad): SampleGrad {
  return new DenseSampleGrad(a.materialise().add(b.materialise()));
}
