/**
 * The WASM layer-norm kernels against the reference backend on odd widths (vector tails),
 * with and without weight and bias, on one thread and on two with every job split. The
 * forward and backward accumulate row sums in f64 as the reference does; the elementwise
 * parts round in float32, so values agree within 1e-5 relative (plus 1e-6 of the row's scale).
 */
import { expect, it } from 'vitest';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { initWasmBackend, wasmBackend as wasm } from '../../src/backend/wasm/index.js';
import { expectClose, onOneAndTwoThreads, randomArray, rng } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

onOneAndTwoThreads('wasm layerNorm', () => {
  it('forward and backward match the reference', () => {
    const next = rng(41);
    for (const [rows, n] of [[1, 1], [3, 2], [5, 7], [768, 128], [4, 129], [2, 1000], [0, 5]] as const) {
      for (const affine of [true, false]) {
        const x = randomArray(next, rows * n, -3, 5);
        const w = affine ? randomArray(next, n) : null;
        const b = affine ? randomArray(next, n) : null;
        const got = wasm.layerNorm(x, rows, n, w, b, 1e-5);
        const want = js.layerNorm(x, rows, n, w, b, 1e-5);
        expect(got.y).toBeInstanceOf(Float32Array);
        const what = `[${rows}, ${n}] affine ${affine}`;
        expectClose(got.y, want.y, 1e-5, 1e-5, `y ${what}`);
        expectClose(got.mean, want.mean, 1e-6, 1e-6, `mean ${what}`);
        expectClose(got.rstd, want.rstd, 1e-6, 0, `rstd ${what}`);
        if (rows === 0) continue;
        const g = randomArray(next, rows * n);
        const gw = wasm.layerNormGrad(x, want.mean, want.rstd, w, g, rows, n);
        const gj = js.layerNormGrad(x, want.mean, want.rstd, w, g, rows, n);
        expectClose(gw.dx, gj.dx, 1e-5, 1e-5, `dx ${what}`);
        // Column sums over `rows` terms of size ~|g·x̂|: the tolerance scales with the row count.
        expectClose(gw.dweight, gj.dweight, 1e-5, 1e-6 * rows, `dweight ${what}`);
        expectClose(gw.dbias, gj.dbias, 1e-6, 1e-6 * rows, `dbias ${what}`);
      }
    }
  });

  it('declines float64 and mismatched lengths (the reference takes them)', () => {
    const x64 = new Float64Array([1, 2, 3, 4]);
    const r = wasm.layerNorm(x64, 2, 2, null, null, 1e-5);
    expect(r.y).toBeInstanceOf(Float64Array);
    expectClose(r.y, js.layerNorm(x64, 2, 2, null, null, 1e-5).y, 0, 0, 'float64');
  });
});
