/**
 * The WASM masked softmax (forward and gradient) against the reference
 * kernels on one thread and on two with every job split: SIMD tails, causal
 * rows longer and shorter than the columns, every mask layout, −∞ entries and
 * rows with nothing visible; float64 is declined to the reference.
 */
import { expect, it } from 'vitest';
import type { MaskedSoftmaxSpec } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWasmBackend, wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator, fallbackCounts, randn, resetFallbackCounts, scaledDotProductAttention, setBackend, tensor } from '../../src/index.js';
import { expectClose } from '../conformance/compare.js';
import { onOneAndTwoThreads } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

function normal(g: Generator, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * g.nextNormal());
}

/** [batch, rows, cols, maskBatch, maskRepeat] */
const SHAPES: readonly [number, number, number, number, number][] = [
  [1, 1, 1, 1, 1],
  [3, 5, 7, 1, 1],
  [6, 9, 4, 3, 2],
  [4, 4, 33, 4, 1],
  [2, 64, 64, 2, 1],
  [48, 16, 16, 12, 4],
];

function suite(): void {
  it('forward and gradient agree with the reference, every layout', () => {
    const g = new Generator(11);
    for (const [batch, rows, cols, maskBatch, maskRepeat] of SHAPES) {
      const n = batch * rows * cols;
      const x = normal(g, n, 3);
      const up = normal(g, n, 1);
      const m = normal(g, maskBatch * rows * cols, 2);
      // Some −∞, and the whole first row of mask matrix 0 hidden.
      for (let i = 0; i < m.length; i += 5) m[i] = Number.NEGATIVE_INFINITY;
      m.fill(Number.NEGATIVE_INFINITY, 0, cols);
      for (const causal of [false, true]) {
        for (const mask of [null, m]) {
          const spec: MaskedSoftmaxSpec = { batch, rows, cols, scale: 0.37, causal, maskBatch, maskRepeat };
          const what = `${JSON.stringify(spec)} mask ${mask !== null}`;
          const want = jsBackend.maskedSoftmax(x, spec, mask);
          const got = wasmBackend.maskedSoftmax(x, spec, mask);
          expect(got).toBeInstanceOf(Float32Array);
          expectClose(what, got, want, { rtol: 1e-5, atol: 1e-6 });
          const gw = jsBackend.maskedSoftmaxGrad(want, up, spec);
          expectClose(`${what} grad`, wasmBackend.maskedSoftmaxGrad(want, up, spec), gw, { rtol: 1e-5, atol: 1e-6 });
        }
      }
    }
  });

  it('runs attention in float32 without falling back, and agrees with float64', () => {
    setBackend('wasm');
    const g = new Generator(5);
    const q = randn([2, 3, 10, 8], { generator: g });
    const k = randn([2, 3, 10, 8], { generator: g });
    const v = randn([2, 3, 10, 8], { generator: g });
    const pad = tensor([[1, 1, 1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]], { dtype: 'int32' }).reshape([2, 1, 1, 10]);
    resetFallbackCounts();
    const out = scaledDotProductAttention(q, k, v, { attnMask: pad, isCausal: true });
    expect(fallbackCounts().maskedSoftmax ?? 0).toBe(0);
    const ref = scaledDotProductAttention(q.double(), k.double(), v.double(), { attnMask: pad, isCausal: true });
    expectClose('sdpa float32 vs float64', out.dataSync(), ref.dataSync(), { rtol: 1e-4, atol: 1e-5 });
  });

  it('declines float64 to the reference', () => {
    const spec: MaskedSoftmaxSpec = { batch: 1, rows: 2, cols: 2, scale: 1, causal: false, maskBatch: 1, maskRepeat: 1 };
    const x = Float64Array.from([1, 2, 3, 4]);
    expect(typeof wasmBackend.maskedSoftmax(x, spec, null)).toBe('object');
    resetFallbackCounts();
    wasmBackend.maskedSoftmax(x, spec, null);
    expect(fallbackCounts().maskedSoftmax).toBe(1);
  });
}

onOneAndTwoThreads('wasm masked softmax', suite);
