/**
 * Kernel agreement: every method of the `Backend` interface on a named backend
 * against the reference `'js'` backend, on seeded random data of awkward sizes
 * (1 element, odd lengths that leave SIMD tails, and blocks larger than a cache
 * tile). The PyTorch fixtures are tiny; this catches what only larger inputs show.
 * @module
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivationOp, Backend, BiasActivationOp, BinaryOp, Im2colSpec, MatmulSpec, Pool2dSpec, ScalarOp, UnaryOp } from '../../src/backend/backend.js';
import { findBackend } from '../../src/backend/registry.js';
import type { FloatArray } from '../../src/tensor/dtype.js';
import { Generator } from '../../src/tensor/random.js';
import { type Shape, sizeOf } from '../../src/tensor/shape.js';
import { type Tolerance, expectClose } from './compare.js';
import { type SuiteOptions, suiteTitle } from './suite-options.js';

type FloatKind = 'float32' | 'float64';

/** Uniform numbers in [lo, hi) of the given kind. */
function uniform(g: Generator, n: number, lo: number, hi: number, kind: FloatKind): FloatArray {
  const out = kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * g.nextFloat();
  return out;
}

/** Standard normal numbers scaled by `scale`. */
function normal(g: Generator, n: number, kind: FloatKind, scale = 1): FloatArray {
  const out = kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * g.nextNormal();
  return out;
}

/** Random indices in [0, high). */
function indices(g: Generator, n: number, high: number): Int32Array {
  return Int32Array.from({ length: n }, () => g.nextInt(0, high));
}

/** Relative 1e-5 (float32) or 1e-12 (float64), with a floor scaled to the largest reference value. */
function tolFor(want: ArrayLike<number>, kind: FloatKind): Tolerance {
  let m = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i]!)) m = Math.max(m, Math.abs(want[i]!));
  const rtol = kind === 'float32' ? 1e-5 : 1e-12;
  return { rtol, atol: rtol * Math.max(m, 1e-3) };
}

/** Asserts that both backends give the same output type, length and values. */
function agree(what: string, got: ArrayLike<number>, want: ArrayLike<number>, kind: FloatKind | 'exact'): void {
  expect(got.constructor, `${what}: array type`).toBe(want.constructor);
  if (kind === 'exact') expectClose(what, got, want, { rtol: 0, atol: 0 });
  else expectClose(what, got, want, tolFor(want, kind));
}

// convolution
const IM2COL: readonly Im2colSpec[] = [
  { n: 1, c: 1, h: 1, w: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 1 },
  { n: 2, c: 3, h: 9, w: 7, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: 9, outW: 7 },
  { n: 3, c: 5, h: 17, w: 13, kh: 4, kw: 2, strideH: 2, strideW: 3, padH: 1, padW: 0, dilationH: 2, dilationW: 1, outH: 7, outW: 4 },
  { n: 2, c: 8, h: 28, w: 28, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 2, padW: 2, dilationH: 1, dilationW: 1, outH: 28, outW: 28 },
];

const UNARY: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'relu', 'sigmoid', 'tanh', 'softplus', 'gelu',
];
const SCALAR: readonly [ScalarOp, number, number][] = [
  ['leakyRelu', 0.1, 0], ['elu', 0.7, 0], ['clamp', -0.5, 0.8],
];
const ACTIVATION: readonly ActivationOp[] = ['relu', 'sigmoid', 'tanh', 'softplus', 'gelu', 'leakyRelu', 'elu'];
const BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const LENGTHS = [1, 7, 33, 1031];
const BCAST: readonly [Shape, Shape, Shape][] = [
  [[1031], [1031], [1031]],
  [[17, 65], [65], [17, 65]],
  [[7, 1], [1, 130], [7, 130]],
  [[], [3, 5], [3, 5]],
  [[2, 1, 9], [5, 1], [2, 5, 9]],
  [[3, 6, 7, 9], [6, 1, 1], [3, 6, 7, 9]], // a conv bias: [N, C, H, W] + [C, 1, 1], slices of 378
  [[3, 2, 5], [1, 1, 5], [3, 2, 5]],
];
const MATMUL: readonly [number, number, number, number][] = [
  [1, 1, 1, 1], [1, 3, 5, 7], [1, 33, 17, 65], [1, 64, 64, 64], [1, 129, 70, 31], [3, 9, 16, 5],
];

/** Shapes [m, n] of the fused kernels: 1x1, primes that leave SIMD tails, zero rows, one wide row. */
const FUSED_SHAPES: readonly [number, number][] = [
  [1, 1], [0, 7], [3, 0], [7, 13], [17, 31], [64, 10], [64, 128], [1, 1031], [2, 3],
];
const BIAS_ACTIVATION: readonly BiasActivationOp[] = ['none', ...ACTIVATION];

// pooling and normalisation
/** Pooling geometries: 2x2/2, 3x3/2 padded, dilated, rectangular, 1-D, and a plane larger than a tile. */
const POOL_SPECS: readonly Pool2dSpec[] = [
  { planes: 6, inH: 8, inW: 8, outH: 4, outW: 4, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1 },
  { planes: 5, inH: 9, inW: 7, outH: 5, outW: 4, kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1 },
  { planes: 3, inH: 11, inW: 10, outH: 5, outW: 10, kH: 3, kW: 2, sH: 2, sW: 1, pH: 1, pW: 1, dH: 2, dW: 2 },
  { planes: 7, inH: 1, inW: 33, outH: 1, outW: 17, kH: 1, kW: 3, sH: 1, sW: 2, pH: 0, pW: 1, dH: 1, dW: 1 },
  { planes: 2, inH: 65, inW: 67, outH: 33, outW: 34, kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1 },
];

/** Positive inputs for ops defined on (0, ∞). */
function domainOf(op: UnaryOp | BinaryOp): [number, number] {
  return op === 'log' || op === 'sqrt' || op === 'pow' ? [0.1, 4] : [-6, 6];
}

/**
 * Registers the kernel agreement suite: `backendName` against `'js'`, float32
 * and float64, every kernel of the interface.
 */
export function kernelConformance(backendName: string, options: SuiteOptions = {}): void {
  describe(suiteTitle("kernel agreement with 'js'", backendName, options), () => {
    beforeAll(async () => {
      await options.setup?.();
    });
    const get = (name: string): Backend => {
      const b = findBackend(name);
      if (b === undefined) throw new Error(`backend '${name}' is not registered`);
      return b;
    };
    for (const kind of ['float32', 'float64'] as const) {
      describe(kind, () => {
        it('unary, scalar and activation-gradient kernels', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(1)];
          for (const n of LENGTHS) {
            for (const op of UNARY) {
              const [lo, hi] = domainOf(op);
              const x = uniform(g, n, lo, hi, kind);
              agree(`unary ${op} n=${n}`, be.unary(op, x), js.unary(op, x), kind);
            }
            const x = normal(g, n, kind, 3);
            for (const [op, a, b] of SCALAR) {
              agree(`scalar ${op}(${a}, ${b}) n=${n}`, be.scalar(op, x, a, b), js.scalar(op, x, a, b), kind);
            }
            for (const op of ACTIVATION) {
              const y = op === 'leakyRelu' || op === 'elu' ? js.scalar(op, x, 0.2, 0) : js.unary(op, x);
              const up = normal(g, n, kind);
              agree(`activationGrad ${op} n=${n}`, be.activationGrad(op, x, y, up, 0.2), js.activationGrad(op, x, y, up, 0.2), kind);
            }
          }
        });

        it('binary and where kernels with broadcasting', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(2)];
          for (const [as, bs, os] of BCAST) {
            for (const op of BINARY) {
              const [lo, hi] = domainOf(op);
              const a = uniform(g, sizeOf(as), lo, hi, kind);
              const b = op === 'eq' || op === 'ne' ? a.slice(0, sizeOf(bs)) : uniform(g, sizeOf(bs), lo, hi, kind);
              const what = `binary ${op} [${as}] [${bs}]`;
              agree(what, be.binary(op, a, as, b, bs, os), js.binary(op, a, as, b, bs, os), kind);
            }
            const c = Float32Array.from({ length: sizeOf(as) }, () => g.nextInt(0, 2));
            const ca = kind === 'float32' ? c : Float64Array.from(c);
            const a = normal(g, sizeOf(bs), kind);
            const b = normal(g, sizeOf(os), kind);
            agree(`where [${as}]`, be.where(ca, as, a, bs, b, os, os), js.where(ca, as, a, bs, b, os, os), kind);
          }
        });

        it('reductions, arg-reductions and softmax', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(3)];
          const shape = [17, 33, 5];
          const x = normal(g, sizeOf(shape), kind, 2);
          for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2], [1, 2]]) {
            for (const op of ['sum', 'max', 'min'] as const) {
              agree(`reduce ${op} axes [${axes}]`, be.reduce(op, x, shape, axes), js.reduce(op, x, shape, axes), kind);
            }
          }
          for (const axis of [0, 1, 2]) {
            for (const op of ['argmax', 'argmin'] as const) {
              agree(`${op} axis ${axis}`, be.argReduce(op, x, shape, axis), js.argReduce(op, x, shape, axis), 'exact');
            }
          }
          const big = normal(g, 4099, kind, 1);
          agree('reduce sum of 4099', be.reduce('sum', big, [4099], [0]), js.reduce('sum', big, [4099], [0]), kind);
          for (const [outer, n, inner] of [[1, 1, 1], [17, 33, 1], [3, 10, 7], [1, 1031, 1]] as const) {
            const xs = normal(g, outer * n * inner, kind, 5);
            const up = normal(g, outer * n * inner, kind);
            for (const log of [false, true]) {
              const y = js.softmax(xs, outer, n, inner, log);
              const what = `softmax log=${log} [${outer}, ${n}, ${inner}]`;
              agree(what, be.softmax(xs, outer, n, inner, log), y, kind);
              agree(`${what} grad`, be.softmaxGrad(y, up, outer, n, inner, log), js.softmaxGrad(y, up, outer, n, inner, log), kind);
            }
          }
        });

        it('fused bias-activation and softmax cross-entropy', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(6)];
          for (const [m, n] of FUSED_SHAPES) {
            const x = normal(g, m * n, kind, 3);
            const bias = normal(g, n, kind);
            for (const op of BIAS_ACTIVATION) {
              for (const b of [bias, null]) {
                const what = `biasActivation ${op} [${m}, ${n}] bias ${b !== null}`;
                agree(what, be.biasActivation(op, x, m, n, b, 0.2), js.biasActivation(op, x, m, n, b, 0.2), kind);
              }
            }
            if (n === 0) continue;
            for (const scale of [5, 1e4]) {
              const logits = normal(g, m * n, kind, scale);
              const labels = indices(g, m, n);
              const what = `softmaxCrossEntropy [${m}, ${n}] scale ${scale}`;
              const got = be.softmaxCrossEntropy(logits, m, n, labels);
              const want = js.softmaxCrossEntropy(logits, m, n, labels);
              agree(`${what} losses`, got.losses, want.losses, kind);
              agree(`${what} probs`, got.probs, want.probs, kind);
              expect(Array.from(got.losses).every(Number.isFinite), `${what}: finite losses`).toBe(true);
              const up = normal(g, m, kind);
              const gb = be.softmaxCrossEntropyGrad(want.probs, up, m, n, labels);
              agree(`${what} grad`, gb, js.softmaxCrossEntropyGrad(want.probs, up, m, n, labels), kind);
            }
          }
        });

        it('matmul, plain, transposed and batched', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(4)];
          for (const [batch, m, k, n] of MATMUL) {
            for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
              for (const shareB of batch > 1 ? [false, true] : [false]) {
                const a = normal(g, batch * m * k, kind);
                const b = normal(g, (shareB ? 1 : batch) * k * n, kind);
                const spec: MatmulSpec = { batch, m, k, n, transA, transB, strideA: m * k, strideB: shareB ? 0 : k * n };
                const want = js.matmul(a, b, spec);
                agree(`matmul ${JSON.stringify(spec)}`, be.matmul(a, b, spec), want, kind);
                // With a destination (stale values in it), the product is written there and returned.
                const out = normal(g, batch * m * n, kind);
                const got = be.matmul(a, b, { ...spec, out });
                expect(got, 'matmul returns the out array').toBe(out);
                agree(`matmul into out ${JSON.stringify(spec)}`, got, want, kind);
              }
            }
          }
        });

        it('movement and indexing kernels', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(5)];
          const shape = [6, 5, 7];
          const x = normal(g, sizeOf(shape), kind);
          const xi = indices(g, sizeOf(shape), 100);
          for (const arr of [x, xi]) {
            const k = arr === xi ? 'exact' : kind;
            agree('permute', be.permute(arr, shape, [2, 0, 1]), js.permute(arr, shape, [2, 0, 1]), k);
            agree('expand', be.expand(arr.slice(0, 35), [1, 5, 7], [4, 5, 7]), js.expand(arr.slice(0, 35), [1, 5, 7], [4, 5, 7]), k);
            agree('slice', be.slice(arr, shape, [1, 0, 2], [4, 5, 3]), js.slice(arr, shape, [1, 0, 2], [4, 5, 3]), k);
            agree('pad', be.pad(arr, shape, [1, 0, 2], [0, 3, 1], -1), js.pad(arr, shape, [1, 0, 2], [0, 3, 1], -1), k);
            const parts = [arr.slice(0, 35), arr.slice(35, 105)];
            const shapes = [[1, 5, 7], [2, 5, 7]];
            agree('concat', be.concat(parts, shapes, 0), js.concat(parts, shapes, 0), k);
            const idx = indices(g, 9, 5);
            agree('indexSelect', be.indexSelect(arr, shape, 1, idx), js.indexSelect(arr, shape, 1, idx), k);
            const gi = indices(g, 6 * 5 * 4, 7);
            agree('gather', be.gather(arr, shape, 2, gi, [6, 5, 4]), js.gather(arr, shape, 2, gi, [6, 5, 4]), k);
          }
          const idx = indices(g, 9, 5);
          const up = normal(g, 6 * 9 * 7, kind);
          agree('indexAdd', be.indexAdd(up, shape, 1, idx), js.indexAdd(up, shape, 1, idx), kind);
          const gi = indices(g, 6 * 5 * 4, 7);
          const ug = normal(g, 6 * 5 * 4, kind);
          agree('scatterAdd', be.scatterAdd(ug, shape, 2, gi, [6, 5, 4]), js.scatterAdd(ug, shape, 2, gi, [6, 5, 4]), kind);
        });

        // convolution
        it('im2col and col2im, with stride, asymmetric padding and dilation', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(6)];
          for (const spec of IM2COL) {
            const x = normal(g, spec.n * spec.c * spec.h * spec.w, kind);
            agree(`im2col ${JSON.stringify(spec)}`, be.im2col(x, spec), js.im2col(x, spec), kind);
            const cols = normal(g, spec.c * spec.kh * spec.kw * spec.n * spec.outH * spec.outW, kind);
            agree(`col2im ${JSON.stringify(spec)}`, be.col2im(cols, spec), js.col2im(cols, spec), kind);
          }
        });
        // pooling and normalisation
        it('pooling kernels and their adjoints', () => {
          const [be, js, g] = [get(backendName), get('js'), new Generator(6)];
          for (const spec of POOL_SPECS) {
            const { planes, inH, inW, outH, outW } = spec;
            const x = normal(g, planes * inH * inW, kind);
            const up = normal(g, planes * outH * outW, kind);
            const what = JSON.stringify(spec);
            const mine = be.maxPool2d(x, spec);
            const ref = js.maxPool2d(x, spec);
            agree(`maxPool2d ${what}`, mine.values, ref.values, kind);
            agree(`maxPool2d indices ${what}`, mine.indices, ref.indices, 'exact');
            agree(`maxPool2dGrad ${what}`, be.maxPool2dGrad(up, ref.indices, spec), js.maxPool2dGrad(up, ref.indices, spec), kind);
            for (const [countIncludePad, divisor] of [[true, 0], [false, 0], [true, 5]] as const) {
              const a = { ...spec, dH: 1, dW: 1, countIncludePad, divisor };
              const w = `${what} ${countIncludePad} ${divisor}`;
              agree(`avgPool2d ${w}`, be.avgPool2d(x, a), js.avgPool2d(x, a), kind);
              agree(`avgPool2dGrad ${w}`, be.avgPool2dGrad(up, a), js.avgPool2dGrad(up, a), kind);
            }
            agree(`adaptiveAvgPool2d ${what}`, be.adaptiveAvgPool2d(x, planes, inH, inW, outH, outW), js.adaptiveAvgPool2d(x, planes, inH, inW, outH, outW), kind);
            const ag = [planes, inH, inW, outH, outW] as const;
            agree(`adaptiveAvgPool2dGrad ${what}`, be.adaptiveAvgPool2dGrad(up, ...ag), js.adaptiveAvgPool2dGrad(up, ...ag), kind);
          }
        });
      });
    }
  });
}
