/**
 * Randomised comparison of every accelerated kernel of the WASM backend with
 * the reference backend, on odd shapes, on one thread and on two (with the
 * parallel cut-offs at zero so that even tiny jobs are split).
 *
 * Tolerances: ops that are exact in float32 (add, sub, mul, div, sqrt, neg,
 * abs, square, reciprocal, relu, max/min, comparisons, clamp) must match bit
 * for bit. exp/log/sigmoid/tanh/softplus/elu/gelu use polynomial approximations: 1e-5 relative,
 * plus 2e-38 absolute because exp flushes results below 1.2e-38 to zero.
 * Matmul accumulates in float32 where the reference uses float64: the error
 * bound is 1e-5 · (|A|·|B|)ᵢⱼ, i.e. relative to the magnitudes summed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp } from '../../src/backend/backend.js';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { getNumThreads, initWasmBackend, setNumThreads, wasmBackend as wasm } from '../../src/backend/wasm/index.js';
import { count, expectClose, expectSame, randomArray, rng } from './helpers.js';

const DIMS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 67];

function abs(x: Float32Array): Float32Array {
  return x.map(Math.abs);
}

describe.each([1, 2])('wasm kernels on %i thread(s)', (threads) => {
  beforeAll(async () => {
    const info = await initWasmBackend();
    expect(info).not.toBeNull();
    await setNumThreads(threads);
    expect(getNumThreads()).toBe(threads);
    if (threads > 1) setParallelCutoffs(0, 0);
  });
  afterAll(async () => {
    setParallelCutoffs();
    await setNumThreads(1);
  });

  it('matmul matches on random shapes, all transpose forms, batches and broadcasts', () => {
    const next = rng(1234 + threads);
    const pick = () => DIMS[Math.floor(next() * DIMS.length)]!;
    for (let trial = 0; trial < 150; trial++) {
      const m = pick();
      const k = pick();
      const n = pick();
      const batch = 1 + Math.floor(next() * 3);
      const transA = next() < 0.5;
      const transB = next() < 0.5;
      const bcastA = next() < 0.2;
      const bcastB = !bcastA && next() < 0.2;
      const a = randomArray(next, (bcastA ? 1 : batch) * m * k);
      const b = randomArray(next, (bcastB ? 1 : batch) * k * n);
      const spec = { batch, m, k, n, transA, transB, strideA: bcastA ? 0 : m * k, strideB: bcastB ? 0 : k * n };
      const want = js.matmul(a, b, spec);
      const scale = js.matmul(abs(a), abs(b), spec);
      expectClose(wasm.matmul(a, b, spec), want, 0, 1e-5, `matmul ${JSON.stringify(spec)}`, scale);
    }
  });

  it('matmul matches across packing block edges (KC=256, MC=64, NC=512) and on vector shapes', () => {
    const next = rng(99);
    const shapes: [number, number, number][] = [
      [67, 300, 530],
      [129, 257, 17],
      [5, 513, 1031],
      [256, 256, 256],
      // Vector shapes take the unpacked path.
      [1, 1000, 300],
      [300, 1000, 1],
      [1, 7, 1],
      [1, 3, 13],
    ];
    for (const [m, k, n] of shapes) {
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const a = randomArray(next, m * k);
        const b = randomArray(next, k * n);
        const spec = { batch: 1, m, k, n, transA, transB, strideA: 0, strideB: 0 };
        const scale = js.matmul(abs(a), abs(b), spec);
        expectClose(wasm.matmul(a, b, spec), js.matmul(a, b, spec), 0, 1e-5, `matmul ${m}x${k}x${n}`, scale);
      }
    }
  });

  it('matmul leaves float64 to the reference backend', () => {
    const a = new Float64Array([1, 2, 3, 4]);
    const spec = { batch: 1, m: 2, k: 2, n: 2, transA: false, transB: false, strideA: 0, strideB: 0 };
    const out = wasm.matmul(a, a, spec);
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
  });

  const exactUnary: UnaryOp[] = ['neg', 'sqrt', 'abs', 'relu', 'sign'];
  const approxUnary: UnaryOp[] = ['exp', 'log', 'sigmoid', 'tanh', 'softplus', 'gelu'];

  it('unary ops match, including NaN, infinities, zeros and tails', () => {
    const next = rng(7 + threads);
    const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 88.8, -87.5, -104, 100, -100, 1e-8];
    for (const n of [0, 1, 2, 3, 5, 8, 17, 1000, 70001]) {
      const x = randomArray(next, n, -12, 12);
      for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i]!;
      for (const op of exactUnary) expectSame(wasm.unary(op, x), js.unary(op, x), `${op} n=${n}`);
      for (const op of approxUnary) expectClose(wasm.unary(op, x), js.unary(op, x), 1e-5, 2e-38, `${op} n=${n}`);
    }
    const pos = randomArray(next, 999, 1e-30, 1e3);
    expectClose(wasm.unary('log', pos), js.unary('log', pos), 1e-5, 0, 'log of positives');
    const small = randomArray(next, 999, -0.7, 0.7);
    expectClose(wasm.unary('tanh', small), js.unary('tanh', small), 1e-5, 0, 'tanh near 0');
  });

  it('scalar ops match', () => {
    const next = rng(11);
    for (const n of [0, 1, 7, 64, 1001]) {
      const x = randomArray(next, n, -3, 3);
      expectSame(wasm.scalar('clamp', x, -0.5, 0.75), js.scalar('clamp', x, -0.5, 0.75), `clamp n=${n}`);
      expectClose(wasm.scalar('leakyRelu', x, 0.01, 0), js.scalar('leakyRelu', x, 0.01, 0), 1e-6, 0, 'leakyRelu');
      expectClose(wasm.scalar('elu', x, 1, 0), js.scalar('elu', x, 1, 0), 1e-5, 0, 'elu');
      expectClose(wasm.scalar('elu', x, 0.3, 0), js.scalar('elu', x, 0.3, 0), 1e-5, 0, 'elu a=0.3');
    }
    const edges = new Float32Array([Number.NaN, Infinity, -Infinity, 0, -0, -1e-8, 1e-8, -1e-30, -20, -100, 100, -0.5]);
    expectClose(wasm.scalar('elu', edges, 1, 0), js.scalar('elu', edges, 1, 0), 1e-5, 0, 'elu edges');
  });

  it('activation gradients match', () => {
    const next = rng(13);
    for (const n of [0, 1, 6, 129, 5000]) {
      const x = randomArray(next, n, -3, 3);
      const g = randomArray(next, n);
      for (const op of ['relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'gelu', 'softplus'] as const) {
        const y =
          op === 'leakyRelu' || op === 'elu' ? js.scalar(op, x, 0.1, 0) : js.unary(op, x);
        expectClose(wasm.activationGrad(op, x, y, g, 0.1), js.activationGrad(op, x, y, g, 0.1), 1e-6, 1e-7, op);
      }
    }
  });

  const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'pow'];
  const broadcasts: [number[], number[]][] = [
    [[], []],
    [[1], [1]],
    [[5], [5]],
    [[3, 7], [3, 7]],
    [[3, 7], []],
    [[], [3, 7]],
    [[3, 7], [7]],
    [[7], [3, 7]],
    [[3, 7], [3, 1]],
    [[3, 1], [1, 7]],
    [[2, 3, 5], [5]],
    [[2, 3, 5], [3, 5]],
    [[2, 3, 5], [2, 3, 1]],
    [[2, 3, 5], [2, 1, 5]],
    [[2, 1, 5], [1, 3, 1]],
    [[0, 4], [4]],
    [[4, 0], [4, 1]],
    [[64, 129], [129]],
    [[300, 300], [300, 300]],
    [[1, 1, 9], [4, 1, 1]],
    // Channel broadcasts (issue 12): one operand repeated into a column over the leading axes.
    [[2, 3, 4, 5], [1, 3, 1, 1]],
    [[1, 3, 1, 1], [2, 3, 4, 5]],
    [[2, 3, 4, 5], [3, 1, 1]],
    [[1, 1, 1, 1], [1, 3, 1, 1]],
    [[3, 1, 1], [2, 3, 4, 5]],
    [[2, 5, 3, 1], [1, 5, 1, 1]],
    [[2, 1, 4, 5], [1, 3, 1, 1]],
    [[3, 2, 17, 9], [1, 2, 1, 1]],
  ];

  it('channel broadcasts ([N, C, H, W] with [1, C, 1, 1], either side) run in WASM', () => {
    const next = rng(23);
    for (const [as, bs, out] of [
      [[6, 4, 5, 7], [1, 4, 1, 1], [6, 4, 5, 7]],
      [[1, 4, 1, 1], [6, 4, 5, 7], [6, 4, 5, 7]],
      [[6, 4, 5, 7], [4, 1, 1], [6, 4, 5, 7]],
      [[1, 1, 1, 1], [1, 4, 1, 1], [6, 4, 5, 7]],
    ]) {
      const a = randomArray(next, count(as!));
      const b = randomArray(next, count(bs!));
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const got = wasm.binary(op, a, as!, b, bs!, out!);
        expect(got, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`).toBeInstanceOf(Float32Array);
        expectSame(got, js.binary(op, a, as!, b, bs!, out!), `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
      }
    }
  });

  it('binary ops match on broadcasts, odd sizes and zero-size shapes', () => {
    const next = rng(17);
    for (const [as, bs] of broadcasts) {
      const a = randomArray(next, count(as));
      // Repeat some values so the comparisons see equal operands.
      const b = randomArray(next, count(bs));
      for (let i = 0; i < Math.min(a.length, b.length); i += 3) b[i] = a[i]!;
      const out = new Array<number>(Math.max(as.length, bs.length));
      for (let i = 0; i < out.length; i++) {
        const da = as[as.length - out.length + i] ?? 1;
        const db = bs[bs.length - out.length + i] ?? 1;
        out[i] = da === 1 ? db : da;
      }
      for (const op of binaryOps) {
        const want = js.binary(op, a, as, b, bs, out);
        expectSame(wasm.binary(op, a, as, b, bs, out), want, `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`);
      }
    }
  });

  it('binary ops propagate NaN like the reference', () => {
    const a = new Float32Array([Number.NaN, 1, Number.NaN, 2, Infinity]);
    const b = new Float32Array([1, Number.NaN, Number.NaN, 2, -Infinity]);
    for (const op of binaryOps) expectSame(wasm.binary(op, a, [5], b, [5], [5]), js.binary(op, a, [5], b, [5], [5]), op);
  });

  it('reductions match over every contiguous and non-contiguous axis set', () => {
    const next = rng(19);
    const shapes = [[0], [1], [7], [3, 5], [4, 0, 3], [2, 3, 4, 5], [1, 1], [64, 129], [130, 3], [3, 2000]];
    for (const shape of shapes) {
      const x = randomArray(next, count(shape), -5, 5);
      const nd = shape.length;
      for (let mask = 1; mask < 1 << nd; mask++) {
        const axes: number[] = [];
        for (let i = 0; i < nd; i++) if (mask & (1 << i)) axes.push(i);
        for (const op of ['sum', 'max', 'min'] as const) {
          const want = js.reduce(op, x, shape, axes);
          const got = wasm.reduce(op, x, shape, axes);
          expectClose(got, want, op === 'sum' ? 1e-6 : 0, op === 'sum' ? 1e-5 : 0, `${op} ${shape} axes ${axes}`);
        }
      }
    }
    const withNaN = new Float32Array([1, Number.NaN, 3, 4, 5, 6, 7, 8, 9]);
    for (const op of ['sum', 'max', 'min'] as const) {
      for (const axes of [[0], [1], [0, 1]]) {
        expectSame(wasm.reduce(op, withNaN, [3, 3], axes), js.reduce(op, withNaN, [3, 3], axes), `${op} NaN ${axes}`);
      }
    }
  });

  it('softmax, log-softmax and their gradients match', () => {
    const next = rng(23);
    for (const [outer, n, inner] of [
      [1, 1, 1],
      [3, 1, 1],
      [1, 7, 1],
      [64, 10, 1],
      [5, 33, 1],
      [2, 1000, 1],
      [4, 3, 5],
      [0, 5, 1],
    ] as const) {
      const x = randomArray(next, outer * n * inner, -8, 8);
      const g = randomArray(next, outer * n * inner);
      for (const log of [false, true]) {
        const y = js.softmax(x, outer, n, inner, log);
        expectClose(wasm.softmax(x, outer, n, inner, log), y, 1e-5, 1e-7, `softmax log=${log} ${outer}x${n}x${inner}`);
        const want = js.softmaxGrad(y, g, outer, n, inner, log);
        // The gradient subtracts nearly equal terms; compare against the scale of g.
        const scale = new Float32Array(g.length).fill(1);
        expectClose(wasm.softmaxGrad(y, g, outer, n, inner, log), want, 1e-5, 1e-6, `softmaxGrad log=${log}`, scale);
      }
    }
    const edge = new Float32Array([-Infinity, -Infinity, 0, -Infinity, 5, Number.NaN, 1, 2, 3]);
    for (const log of [false, true]) {
      expectClose(wasm.softmax(edge, 3, 3, 1, log), js.softmax(edge, 3, 3, 1, log), 1e-6, 0, `softmax edges log=${log}`);
    }
  });

  it('results are fresh arrays, independent of the arena', () => {
    const x = new Float32Array([1, 2, 3]);
    const y1 = wasm.unary('neg', x);
    const y2 = wasm.unary('abs', y1);
    expect(Array.from(y1)).toEqual([-1, -2, -3]);
    expect(Array.from(y2)).toEqual([1, 2, 3]);
    expect(y1.buffer).not.toBe(y2.buffer);
    expect(y1.buffer).toBeInstanceOf(ArrayBuffer);
  });
});
