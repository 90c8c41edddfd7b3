/**
 * The fused layerNorm op against its composite definition (mean, biased variance, sub, sqrt,
 * div, mul, add) on the current backend: values, first gradients, second order under
 * createGraph, and float64 central finite differences through gradcheck.
 */
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, add, div, grad, gradcheck, layerNorm, mean, mul, randn, sqrt, sub, variance } from '../../src/index.js';

function composite(x: Tensor, norm: number[], w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const axes = norm.map((_, i) => x.ndim - norm.length + i);
  let y = div(sub(x, mean(x, axes, true)), sqrt(add(variance(x, axes, true, 0), eps)));
  if (w) y = mul(y, w);
  if (b) y = add(y, b);
  return y;
}

function leaf(t: Tensor): Tensor {
  t.requiresGrad = true;
  return t;
}

function close(a: Tensor, b: Tensor, tol: number, what: string): void {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length, what).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(Number(x[i]) - Number(y[i])) / (1 + Math.abs(Number(y[i]))));
  expect(worst, what).toBeLessThanOrEqual(tol);
}

describe('layerNorm (fused)', () => {
  const g = new Generator(5);
  for (const [shape, norm] of [
    [[12, 64, 128], [128]],
    [[3, 5, 7], [5, 7]],
    [[2, 13], [13]],
    [[4, 1], [1]],
  ] as [number[], number[]][]) {
    for (const affine of ['both', 'weight', 'none'] as const) {
      it(`matches the composite form on ${JSON.stringify(shape)} over ${JSON.stringify(norm)} (${affine})`, () => {
        const x = leaf(randn(shape, { generator: g }).mul(3).add(1));
        const w = affine === 'none' ? null : leaf(randn(norm, { generator: g }));
        const b = affine === 'both' ? leaf(randn(norm, { generator: g })) : null;
        const up = randn(shape, { generator: g });
        const ins = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
        const fused = layerNorm(x, norm, w, b);
        const ref = composite(x, norm, w, b);
        close(fused, ref, 2e-6, 'y');
        const gf = grad(fused.mul(up).sum(), ins);
        const gr = grad(ref.mul(up).sum(), ins);
        for (const [i, t] of gf.entries()) close(t!, gr[i]!, 2e-5, `grad ${i}`);
      });
    }
  }

  it('passes gradcheck in float64 (x, weight, bias)', () => {
    const x = randn([3, 4, 6], { generator: g, dtype: 'float64' }).mul(2);
    const w = randn([6], { generator: g, dtype: 'float64' });
    const b = randn([6], { generator: g, dtype: 'float64' });
    expect(gradcheck((a: Tensor, c: Tensor, d: Tensor) => layerNorm(a, [6], c, d), [x, w, b]).ok).toBe(true);
    expect(gradcheck((a: Tensor) => layerNorm(a, [4, 6]), [x]).ok).toBe(true);
  });

  it('is twice differentiable (createGraph) like the composite form', () => {
    const x = leaf(randn([2, 3, 5], { generator: g, dtype: 'float64' }));
    const w = leaf(randn([5], { generator: g, dtype: 'float64' }));
    const up = randn([2, 3, 5], { generator: g, dtype: 'float64' });
    const second = (f: (a: Tensor, c: Tensor) => Tensor): Tensor[] => {
      const [gx] = grad(f(x, w).mul(up).sum(), [x], { createGraph: true });
      return grad(gx!.mul(gx!).sum(), [x, w]) as Tensor[];
    };
    const a = second((p, q) => layerNorm(p, [5], q, null));
    const r = second((p, q) => composite(p, [5], q, null));
    for (const [i, t] of a.entries()) close(t, r[i]!, 1e-10, `second ${i}`);
  });

  it('rejects shapes that do not end with normalizedShape, and mis-shaped weights', () => {
    const x = randn([2, 3]);
    expect(() => layerNorm(x, [4])).toThrow(/normalizedShape/);
    expect(() => layerNorm(x, [3], randn([2]))).toThrow(/weight/);
  });
});
