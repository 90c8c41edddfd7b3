/**
 * The fused causal attention op (reference backend): gradcheck against float64
 * central differences, equality with the composite path it replaces (outputs
 * and every gradient, float64 and float32), second-order gradients through
 * the composite fallback, and which calls of scaledDotProductAttention take it.
 */
import { describe, expect, it } from 'vitest';
import {
  Generator,
  MultiheadAttention,
  type Tensor,
  grad,
  gradcheck,
  gradgradcheck,
  randn,
  scaledDotProductAttention as sdpa,
} from '../../src/index.js';
import { causalAttention } from '../../src/ops/causal-attention.js';
import { matmul } from '../../src/ops/linalg.js';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import { transpose } from '../../src/ops/movement.js';

const g = new Generator(17);
const r = (shape: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor => randn(shape, { generator: g, dtype });

/** A fresh leaf with `t`'s values that requires a gradient. */
function leaf(t: Tensor): Tensor {
  const c = t.detach();
  c.requiresGrad = true;
  return c;
}

/** The composite path: two batched products around the causal masked softmax. */
function composite(q: Tensor, k: Tensor, v: Tensor, scale: number): Tensor {
  return matmul(maskedSoftmax(matmul(q, transpose(k, -2, -1)), { causal: true, scale }), v);
}

function close(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]!);
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

/** Output and q, k, v gradients of `f` under a fixed random upstream gradient. */
function withGrads(f: (q: Tensor, k: Tensor, v: Tensor) => Tensor, q: Tensor, k: Tensor, v: Tensor, up: Tensor): ArrayLike<number>[] {
  const [a, b, c] = [q, k, v].map((t) => leaf(t)) as [Tensor, Tensor, Tensor];
  const y = f(a, b, c);
  const grads = grad(y.mul(up).sum(), [a, b, c]);
  return [y.dataSync(), ...grads.map((t) => t.dataSync())];
}

describe('causalAttention (fused)', () => {
  it('passes gradcheck against float64 central differences', () => {
    for (const [lead, t, e, ev] of [
      [[2], 1, 3, 2],
      [[2, 3], 5, 3, 4],
      [[1], 7, 5, 1],
    ] as [number[], number, number, number][]) {
      gradcheck((a, b, c) => causalAttention(a, b, c, 0.6), [r([...lead, t, e]), r([...lead, t, e]), r([...lead, t, ev])]);
    }
  });

  it('passes gradgradcheck (the createGraph fallback records the composite rules)', () => {
    gradgradcheck((a, b, c) => causalAttention(a, b, c, 0.8), [r([2, 4, 3]), r([2, 4, 3]), r([2, 4, 2])]);
  });

  it('equals the composite path, output and every gradient, float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const [rtol, atol] = dtype === 'float64' ? [1e-12, 1e-12] : [1e-4, 1e-5];
      for (const [lead, t, e, ev] of [
        [[3, 2], 9, 6, 5],
        [[2, 4], 64, 32, 32],
        [[5], 1, 7, 3],
        [[1, 3], 13, 5, 7],
      ] as [number[], number, number, number][]) {
        const q = r([...lead, t, e], dtype);
        const k = r([...lead, t, e], dtype);
        const v = r([...lead, t, ev], dtype);
        const up = r([...lead, t, ev], dtype);
        const scale = 1 / Math.sqrt(e);
        const fused = withGrads((a, b, c) => causalAttention(a, b, c, scale), q, k, v, up);
        const want = withGrads((a, b, c) => composite(a, b, c, scale), q, k, v, up);
        for (const [i, what] of ['out', 'dq', 'dk', 'dv'].entries()) {
          close(`${dtype} ${JSON.stringify([lead, t, e, ev])} ${what}`, fused[i]!, want[i]!, rtol, atol);
        }
      }
    }
  });

  it('is what scaledDotProductAttention runs when causal is alone, and only then', () => {
    const [q, k, v] = [r([2, 2, 6, 4]), r([2, 2, 6, 4]), r([2, 2, 6, 3])].map(leaf) as [Tensor, Tensor, Tensor];
    const name = (y: Tensor): string | undefined => y.node?.def.name;
    expect(name(sdpa(q, k, v, { isCausal: true }))).toBe('causalAttention');
    expect(name(sdpa(q, k, v, { isCausal: true, dropoutP: 0, scale: 0.3 }))).toBe('causalAttention');
    // Masked, with dropout, not causal, L ≠ S, broadcast batch, mixed dtypes: the composite path.
    expect(name(sdpa(q, k, v, { isCausal: true, attnMask: r([6, 6]) }))).not.toBe('causalAttention');
    expect(name(sdpa(q, k, v, { isCausal: true, dropoutP: 0.1, generator: new Generator(1) }))).not.toBe('causalAttention');
    expect(name(sdpa(q, k, v))).not.toBe('causalAttention');
    const k8 = leaf(r([2, 2, 8, 4]));
    expect(name(sdpa(q, k8, r([2, 2, 8, 3]), { isCausal: true }))).not.toBe('causalAttention');
    expect(name(sdpa(q, r([1, 2, 6, 4]), v, { isCausal: true }))).not.toBe('causalAttention');
    expect(name(sdpa(q, k.float(), v, { isCausal: true }))).not.toBe('causalAttention');
    // The same values either way.
    const scale = 0.45;
    close('sdpa', sdpa(q, k, v, { isCausal: true, scale }).dataSync(), composite(q, k, v, scale).dataSync(), 1e-12, 1e-12);
  });

  it('gives second-order gradients equal to the composite path', () => {
    const [q, k, v] = [r([2, 5, 3]), r([2, 5, 3]), r([2, 5, 4])];
    const second = (f: (a: Tensor, b: Tensor, c: Tensor) => Tensor): ArrayLike<number>[] => {
      const [a, b, c] = [q, k, v].map((t) => leaf(t)) as [Tensor, Tensor, Tensor];
      const [ga, gb, gc] = grad(f(a, b, c).pow(2).sum(), [a, b, c], { createGraph: true }) as [Tensor, Tensor, Tensor];
      return grad(ga.mul(gb.sum()).sum().add(gc.pow(2).sum()), [a, b, c]).map((t) => t.dataSync());
    };
    const fused = second((a, b, c) => causalAttention(a, b, c, 0.7));
    const want = second((a, b, c) => composite(a, b, c, 0.7));
    for (let i = 0; i < 3; i++) close(`second order ${i}`, fused[i]!, want[i]!, 1e-10, 1e-10);
  });

  it('runs in MultiheadAttention without weights (causal alone), with the same output and gradients', () => {
    const mha = new MultiheadAttention(8, 2, { batchFirst: true, generator: new Generator(4) });
    const x = leaf(r([3, 7, 8], 'float32'));
    const run = (needWeights: boolean): ArrayLike<number>[] => {
      x.grad = null;
      for (const p of mha.parameters()) p.grad = null;
      const [y] = mha.forward(x, x, x, { isCausal: true, needWeights });
      y.pow(2).sum().backward();
      return [y.dataSync(), x.grad!.dataSync(), ...mha.parameters().map((p) => p.grad!.dataSync())];
    };
    const fused = run(false);
    const composite = run(true);
    for (const [i, a] of fused.entries()) close(`mha ${i}`, a, composite[i]!, 1e-4, 1e-5);
  });
});
