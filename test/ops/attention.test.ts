import { describe, expect, it } from 'vitest';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import {
  ArgumentError,
  DTypeError,
  Generator,
  ShapeError,
  type Tensor,
  gradcheck,
  gradgradcheck,
  randn,
  scaledDotProductAttention as sdpa,
  tensor,
} from '../../src/index.js';

const g = new Generator(3);
const r = (shape: number[]): Tensor => randn(shape, { generator: g, dtype: 'float64' });

/** Softmax attention by loops, in float64: the definition. */
function naive(q: Tensor, k: Tensor, v: Tensor, add: (b: number, i: number, j: number) => number, scale: number): number[] {
  const [bq, l, e] = q.shape as [number, number, number];
  const s = k.shape[1]!;
  const ev = v.shape[2]!;
  const Q = q.dataSync();
  const K = k.dataSync();
  const V = v.dataSync();
  const out: number[] = [];
  for (let b = 0; b < bq; b++) {
    for (let i = 0; i < l; i++) {
      const w: number[] = [];
      for (let j = 0; j < s; j++) {
        let d = 0;
        for (let c = 0; c < e; c++) d += Q[(b * l + i) * e + c]! * K[(b * s + j) * e + c]!;
        w.push(d * scale + add(b, i, j));
      }
      const m = Math.max(...w);
      const ex = w.map((x) => Math.exp(x - m));
      const z = ex.reduce((a, c) => a + c, 0);
      for (let c = 0; c < ev; c++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += (ex[j]! / z) * V[(b * s + j) * ev + c]!;
        out.push(acc);
      }
    }
  }
  return out;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(tol);
}

describe('scaledDotProductAttention', () => {
  it('matches the definition, plain, causal (L ≠ S), boolean and additive masks', () => {
    const q = r([2, 3, 4]);
    const k = r([2, 5, 4]);
    const v = r([2, 5, 6]);
    const sc = 1 / 2;
    close(sdpa(q, k, v).dataSync(), naive(q, k, v, () => 0, sc), 1e-12);
    const causal = (_b: number, i: number, j: number): number => (j <= i ? 0 : Number.NEGATIVE_INFINITY);
    close(sdpa(q, k, v, { isCausal: true }).dataSync(), naive(q, k, v, causal, sc), 1e-12);
    const bits = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1];
    const boolMask = tensor(bits, { dtype: 'int32' }).reshape([3, 5]);
    const bm = (_b: number, i: number, j: number): number => (bits[i * 5 + j] ? 0 : Number.NEGATIVE_INFINITY);
    close(sdpa(q, k, v, { attnMask: boolMask }).dataSync(), naive(q, k, v, bm, sc), 1e-12);
    const add = r([2, 1, 5]);
    const A = add.dataSync();
    close(sdpa(q, k, v, { attnMask: add, scale: 0.3 }).dataSync(), naive(q, k, v, (b, _i, j) => A[b * 5 + j]!, 0.3), 1e-12);
  });

  it('broadcasts leading dimensions ([B, H, L, E] against [B, 1, S, E])', () => {
    const q = r([2, 3, 4, 8]);
    const k = r([2, 1, 5, 8]);
    const v = r([2, 1, 5, 8]);
    expect(sdpa(q, k, v).shape).toEqual([2, 3, 4, 8]);
  });

  it('passes gradcheck with a mask, causal, and a float mask that needs a gradient', () => {
    const q = r([2, 3, 4]);
    const k = r([2, 4, 4]);
    const v = r([2, 4, 3]);
    gradcheck((a, b, c) => sdpa(a, b, c, { isCausal: true }), [q, k, v]);
    const m = tensor([1, 1, 0, 1], { dtype: 'int32' });
    gradcheck((a, b, c) => sdpa(a, b, c, { attnMask: m, scale: 0.7 }), [q, k, v]);
    gradcheck((a, b, c, d) => sdpa(a, b, c, { attnMask: d }), [q, k, v, r([3, 4])]);
  });

  it('drops attention weights with probability p, reproducibly', () => {
    const q = randn([1, 64, 8], { generator: new Generator(1) });
    const v = randn([1, 64, 8], { generator: new Generator(2) });
    const a = sdpa(q, q, v, { dropoutP: 0.5, generator: new Generator(9) }).dataSync();
    const b = sdpa(q, q, v, { dropoutP: 0.5, generator: new Generator(9) }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('names the expected layout on bad input', () => {
    const q = r([2, 3, 4]);
    expect(() => sdpa(q, r([2, 5, 3]), r([2, 5, 4]))).toThrow(ShapeError);
    expect(() => sdpa(q, r([2, 5, 4]), r([2, 6, 4]))).toThrow(/\[\.\.\., S, Ev\]/);
    expect(() => sdpa(q, q, q, { attnMask: r([4, 4]) })).toThrow(/attnMask/);
    expect(() => sdpa(q, q, q, { dropoutP: 1 })).toThrow(ArgumentError);
    expect(() => sdpa(q.int(), q, q)).toThrow(DTypeError);
    expect(() => sdpa(r([3]), q, q)).toThrow(ShapeError);
  });
});

describe('maskedSoftmax (the fused primitive under attention)', () => {
  /** softmax(scale·x + mask) from separate ops, the definition. */
  const plain = (x: Tensor, m: Tensor, scale: number): Tensor => x.mul(scale).add(m).softmax(-1);

  it('lays out every mask broadcast like the separate ops would', () => {
    const x = r([2, 3, 4, 5]);
    for (const ms of [[5], [4, 5], [1, 5], [2, 1, 1, 5], [2, 1, 4, 5], [3, 4, 5], [3, 1, 5], [2, 3, 4, 5], [2, 3, 1, 1], [1, 3, 4, 1]]) {
      const m = r(ms);
      close(maskedSoftmax(x, { mask: m, scale: 0.6 }).dataSync(), plain(x, m, 0.6).dataSync(), 1e-12);
    }
    // Varying over batch and L but not heads: not one run, so expanded to the full batch.
    const m = r([2, 1, 4, 1]);
    close(maskedSoftmax(x, { mask: m }).dataSync(), plain(x, m, 1).dataSync(), 1e-12);
  });

  it('gives a row with nothing visible zeros, not NaN, and a zero gradient there', () => {
    const x = r([1, 2, 3]).detach();
    x.requiresGrad = true;
    const m = tensor([[0, 0, 0], [-Infinity, -Infinity, -Infinity]], { dtype: 'float64' });
    const y = maskedSoftmax(x, { mask: m });
    expect(Array.from(y.dataSync().slice(3))).toEqual([0, 0, 0]);
    y.mul(r([1, 2, 3])).sum().backward();
    expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('passes gradcheck and gradgradcheck, causal and masked, mask gradient included', () => {
    gradcheck((a, m) => maskedSoftmax(a, { mask: m, causal: true, scale: 0.8 }), [r([2, 4, 3]), r([4, 3])]);
    gradcheck((a, m) => maskedSoftmax(a, { mask: m, scale: 1.3 }), [r([2, 2, 3, 4]), r([2, 1, 1, 4])]);
    gradgradcheck((a) => maskedSoftmax(a, { causal: true, scale: 0.5 }), [r([2, 3, 3])]);
  });
});
