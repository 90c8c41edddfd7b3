/**
 * The fused primitives through the public API, on the reference and the WASM
 * backend: `linear(x, w, b, act)` against `act(linear(x, w, b))`, and
 * `softmaxCrossEntropy` / `crossEntropy` against the composite
 * `logSoftmax`-then-gather path and the PyTorch loss fixtures.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  Generator,
  Linear,
  ReLU,
  Sigmoid,
  Tanh,
  type LinearActivation,
  ShapeError,
  type Tensor,
  crossEntropy,
  gather,
  getBackend,
  linear,
  listBackends,
  logSoftmax,
  randn,
  relu,
  setBackend,
  sigmoid,
  softmaxCrossEntropy,
  tanh,
  tensor,
} from '../../src/index.js';

const initial = getBackend().name;
afterAll(() => {
  setBackend(initial);
});

const BACKENDS = ['js', 'wasm'].filter((b) => listBackends().includes(b));
const ACT: Record<LinearActivation, (t: Tensor) => Tensor> = { relu, sigmoid, tanh };

/** A fresh leaf with the same values. */
function leaf(t: Tensor): Tensor {
  return tensor(t.dataSync().slice(), { shape: t.shape, dtype: t.dtype, requiresGrad: true });
}

/** Largest |a − b| over two arrays of one length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The composite path `crossEntropy` took before the fused op: −logSoftmax at the label. */
function composite(x: Tensor, labels: Tensor): Tensor {
  return gather(logSoftmax(x, 1), 1, labels.reshape([labels.size, 1]))
    .reshape([labels.size])
    .neg();
}

it('runs on both backends', () => {
  expect(BACKENDS).toEqual(['js', 'wasm']);
});

for (const name of BACKENDS) {
  describe(`on the '${name}' backend`, () => {
    it('linear with an activation equals the activation of linear, bit for bit, with equal gradients', () => {
      setBackend(name);
      const g = new Generator(11);
      for (const [lead, inF, out] of [[[64], 784, 128], [[3, 5], 7, 13], [[1], 1, 1], [[0], 4, 3]] as const) {
        for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
          for (const withBias of [true, false]) {
            const x = randn([...lead, inF], { generator: g });
            const w = randn([out, inF], { generator: g });
            const b = withBias ? randn([out], { generator: g }) : undefined;
            const [x1, w1, b1] = [leaf(x), leaf(w), b && leaf(b)];
            const [x2, w2, b2] = [leaf(x), leaf(w), b && leaf(b)];
            const fused = linear(x1, w1, b1, act);
            const plain = ACT[act](linear(x2, w2, b2));
            const what = `${act} [${lead}, ${inF}] -> ${out} bias ${withBias}`;
            expect(fused.shape, what).toEqual(plain.shape);
            expect(Array.from(fused.dataSync()), what).toEqual(Array.from(plain.dataSync()));
            const up = randn(fused.shape, { generator: g });
            fused.backward(up);
            plain.backward(up);
            for (const [p, q] of [[x1, x2], [w1, w2], [b1, b2]] as const) {
              if (p === undefined || q === undefined) continue;
              const scale = Math.max(1, ...Array.from(q.grad!.dataSync(), Math.abs));
              expect(maxDiff(p.grad!.dataSync(), q.grad!.dataSync()), `${what} grad`).toBeLessThanOrEqual(1e-5 * scale);
            }
          }
        }
      }
    });

    it('linear without an activation is unchanged: x·Wᵀ + b', () => {
      setBackend(name);
      const g = new Generator(12);
      const x = randn([9, 17], { generator: g });
      const w = randn([5, 17], { generator: g });
      const b = randn([5], { generator: g });
      const product = x.matmul(w.T);
      expect(Array.from(linear(x, w, b).dataSync())).toEqual(Array.from(product.add(b).dataSync()));
      expect(Array.from(linear(x, w).dataSync())).toEqual(Array.from(product.dataSync()));
    });

    it('softmaxCrossEntropy matches the composite path, values and gradients (float32 and float64)', () => {
      setBackend(name);
      const g = new Generator(13);
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [n, c] of [[1, 1], [7, 13], [64, 10], [2, 1031], [5, 2]] as const) {
          const x = randn([n, c], { generator: g, dtype }).mul(4);
          const labels = tensor(
            Int32Array.from({ length: n }, () => g.nextInt(0, c)),
            { shape: [n], dtype: 'int32' },
          );
          const [a, b] = [leaf(x), leaf(x)];
          const fused = softmaxCrossEntropy(a, labels);
          const slow = composite(b, labels);
          const tol = dtype === 'float32' ? 2e-5 : 1e-12;
          const what = `${dtype} [${n}, ${c}]`;
          expect(fused.dtype).toBe(dtype);
          expect(maxDiff(fused.dataSync(), slow.dataSync()), what).toBeLessThanOrEqual(tol * 10);
          const up = randn([n], { generator: g, dtype });
          fused.backward(up);
          slow.backward(up);
          expect(maxDiff(a.grad!.dataSync(), b.grad!.dataSync()), `${what} grad`).toBeLessThanOrEqual(tol * 4);
        }
      }
    });

    it('softmaxCrossEntropy stays finite and accurate in float32 at |x| = 1e4', () => {
      setBackend(name);
      const rows = [
        [-1e4, -5e3, 0, 5e3, 1e4],
        [1e4, 1e4 - 1, 1e4 - 2, 1e4, 1e4 - 0.5],
        [-1e4, -1e4 + 1, -1e4, -1e4 + 0.25, -1e4 + 3],
      ];
      const labels = tensor([0, 2, 4], { dtype: 'int32' });
      const x32 = tensor(rows, { requiresGrad: true });
      const x64 = tensor(rows, { dtype: 'float64', requiresGrad: true });
      const l32 = softmaxCrossEntropy(x32, labels);
      const l64 = softmaxCrossEntropy(x64, labels);
      // Row 0 picks the smallest logit: its loss is 2e4 exactly (float32 spacing there
      // is 2e-3); the others are O(1).
      expect(maxDiff(l32.dataSync(), l64.dataSync())).toBeLessThanOrEqual(2e-3);
      expect(l64.dataSync()[0]).toBe(2e4);
      l32.sum().backward();
      l64.sum().backward();
      expect(Array.from(x32.grad!.dataSync()).every(Number.isFinite)).toBe(true);
      expect(maxDiff(x32.grad!.dataSync(), x64.grad!.dataSync())).toBeLessThanOrEqual(1e-6);
    });

    it('zero rows give an empty loss, and crossEntropy averages them to NaN as before', () => {
      setBackend(name);
      const x = tensor(new Float32Array(0), { shape: [0, 4], requiresGrad: true });
      const labels = tensor(new Int32Array(0), { shape: [0], dtype: 'int32' });
      expect(softmaxCrossEntropy(x, labels).shape).toEqual([0]);
      expect(Number.isNaN(crossEntropy(x, labels).item())).toBe(true);
      expect(Number.isNaN(composite(x, labels).mean().item())).toBe(true);
    });
  });
}

describe('crossEntropy against the PyTorch fixtures on every backend', () => {
  interface Arr {
    shape: number[];
    data: (number | string)[];
    dtype?: string;
  }
  interface Case {
    name: string;
    args: { reduction: 'mean' | 'sum' | 'none'; labelSmoothing?: number };
    inputs: Arr[];
    output: Arr;
    w: Arr;
    grads: (Arr | null)[];
  }
  const fx = JSON.parse(readFileSync(new URL('../fixtures/torch/losses.json', import.meta.url), 'utf8')) as {
    ops: { op: string; cases: Case[] }[];
  };
  const cases = fx.ops.find((o) => o.op === 'crossEntropy')!.cases;
  const arr = (a: Arr): Tensor => {
    const data = a.data.map(Number);
    return a.dtype === 'int32'
      ? tensor(Int32Array.from(data), { shape: a.shape, dtype: 'int32' })
      : tensor(Float32Array.from(data), { shape: a.shape });
  };
  const close = (got: ArrayLike<number>, want: Arr, rtol: number, what: string): void => {
    const w = want.data.map(Number);
    expect(got.length, what).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(got[i]! - w[i]!), `${what}[${i}]: ${got[i]} vs ${w[i]}`).toBeLessThanOrEqual(
        rtol * Math.abs(w[i]!) + 1e-6,
      );
    }
  };
  it('includes class-id cases and the |x| = 1e4 case', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['mean_int_targets', 'mean_stability_1e4']));
  });
  for (const name of BACKENDS) {
    for (const c of cases) {
      it(`${c.name} on '${name}'`, () => {
        setBackend(name);
        const [x, t] = [arr(c.inputs[0]!), arr(c.inputs[1]!)];
        const input = leaf(x);
        const out = crossEntropy(input, t, c.args);
        close(out.dataSync(), c.output, 1e-5, 'value');
        out.mul(arr(c.w)).sum().backward();
        close(input.grad!.dataSync(), c.grads[0]!, 1e-4, 'grad');
      });
    }
  }
});

describe('Linear.forwardActivated', () => {
  it('equals the layer followed by the activation module, values and gradients', () => {
    const g = new Generator(14);
    const fc = new Linear(6, 4, { generator: g });
    const x = randn([5, 6], { generator: g });
    for (const [act, mod] of [['relu', new ReLU()], ['sigmoid', new Sigmoid()], ['tanh', new Tanh()]] as const) {
      fc.zeroGrad();
      const fused = fc.forwardActivated(x, act);
      fused.sum().backward();
      const gw = Array.from(fc.weight.grad!.dataSync());
      fc.zeroGrad();
      const plain = mod.forward(fc.forward(x));
      plain.sum().backward();
      expect(Array.from(fused.dataSync()), act).toEqual(Array.from(plain.dataSync()));
      expect(maxDiff(gw, fc.weight.grad!.dataSync()), act).toBeLessThanOrEqual(1e-6);
    }
    expect(() => fc.forwardActivated(randn([2, 5]), 'relu')).toThrow(/expected input with 6 features/);
  });
});

describe('argument errors', () => {
  it('linear rejects activations it cannot fuse', () => {
    const x = randn([2, 3]);
    const w = randn([4, 3]);
    expect(() => linear(x, w, undefined, 'gelu' as LinearActivation)).toThrow(ArgumentError);
    expect(() => linear(x, w, undefined, 'gelu' as LinearActivation)).toThrow(/relu, sigmoid, tanh/);
  });
  it('softmaxCrossEntropy checks dtypes, shapes and class ids', () => {
    const x = randn([2, 3]);
    expect(() => softmaxCrossEntropy(x, tensor([0, 1]))).toThrow(DTypeError);
    expect(() => softmaxCrossEntropy(x, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => softmaxCrossEntropy(randn([6]), tensor([0], { dtype: 'int32' }))).toThrow(/\[N, C\]/);
    expect(() => softmaxCrossEntropy(x, tensor([0, 3], { dtype: 'int32' }))).toThrow(/label 3 at index 1/);
    expect(() => softmaxCrossEntropy(tensor([[1, 2]], { dtype: 'int32' }), tensor([0], { dtype: 'int32' }))).toThrow(
      DTypeError,
    );
  });
});
