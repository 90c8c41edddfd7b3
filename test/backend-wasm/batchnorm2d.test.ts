/**
 * BatchNorm2d's statistics over axes [0, 2, 3] and GroupNorm's (and their gradients) run in the WASM reduction
 * kernel (as two contiguous reductions), not in the reference fallback: a training step
 * forward and backward on the WASM backend counts no `reduce` fallback, on one thread and
 * on two, and agrees with the reference backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import {
  BatchNorm2d,
  Dropout2d,
  Generator,
  GroupNorm,
  type Module,
  type Tensor,
  backendStatus,
  getBackend,
  randn,
  resetFallbackCounts,
  setBackend,
  tensor,
} from '../../src/index.js';
import { expectClose } from '../conformance/compare.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

/** Fallbacks of the reduction kernel, counted as `reduce:<op>`. */
function reduceFallbacks(): number {
  return Object.entries(backendStatus().fallbacks)
    .filter(([k]) => k === 'reduce' || k.startsWith('reduce:'))
    .reduce((a, [, n]) => a + n, 0);
}

/** Forward and backward of one step; the output and the input's gradient. */
function step(layer: Module, x: Tensor): [Float32Array, Float32Array] {
  const leaf = tensor(x.dataSync(), { shape: x.shape, requiresGrad: true });
  const y = layer.forward(leaf);
  y.backward(randn(y.shape, { generator: new Generator(5) }));
  return [y.dataSync() as Float32Array, leaf.grad!.dataSync() as Float32Array];
}

for (const threads of [1, 2]) {
  describe(`2-D normalisation on wasm, ${threads} thread(s)`, () => {
    let previous = '';
    beforeAll(async () => {
      await setNumThreads(threads);
      if (threads > 1) setParallelCutoffs(0, 0);
      previous = getBackend().name;
    });
    afterAll(async () => {
      setParallelCutoffs();
      await setNumThreads(1);
      setBackend(previous);
    });

    for (const make of [() => new BatchNorm2d(8), () => new GroupNorm(4, 8)]) {
      it(`${make().constructor.name}: reductions in WASM, same values as the reference`, () => {
        const x = randn([6, 8, 9, 11], { generator: new Generator(2) }).mul(2).add(0.5);
        setBackend('js');
        const [wantY, wantG] = step(make(), x);
        setBackend('wasm');
        resetFallbackCounts();
        const [y, g] = step(make(), x);
        expect(reduceFallbacks(), 'reduce fallbacks').toBe(0);
        // The counter does see a reduction WASM declines: the kernel itself over axes [0, 2, 3].
        getBackend().reduce('sum', x.dataSync() as Float32Array, x.shape, [0, 2, 3]);
        expect(reduceFallbacks(), 'a direct [0, 2, 3] sum falls back').toBeGreaterThan(0);
        expectClose('output', y, wantY, { rtol: 1e-4, atol: 1e-5 });
        expectClose('input grad', g, wantG, { rtol: 1e-3, atol: 1e-4 });
      });
    }

    // Channel broadcasts (issue 12): the affine and the normalisation's [1, C, 1, 1] operands, the
    // running statistics and the batch counter leave nothing to the reference backend, on small
    // images (under 256 values per sample) and on the CNN's.
    for (const shape of [[4, 3, 5, 5], [16, 32, 14, 14]]) {
      it(`BatchNorm2d and Dropout2d on ${JSON.stringify(shape)}: no fallback at all, same values`, () => {
        const x = randn(shape, { generator: new Generator(3) });
        setBackend('js');
        const [wantY, wantG] = step(new BatchNorm2d(shape[1]!), x);
        setBackend('wasm');
        resetFallbackCounts();
        const bn = new BatchNorm2d(shape[1]!);
        const [y, g] = step(bn, x);
        step(new Dropout2d(0.3, { generator: new Generator(4) }), x);
        expect(backendStatus().fallbacks).toEqual({});
        expectClose('output', y, wantY, { rtol: 1e-4, atol: 1e-5 });
        expectClose('input grad', g, wantG, { rtol: 1e-3, atol: 1e-4 });
        expect(bn.numBatchesTracked!.dataSync()[0]).toBe(1);
      });
    }
  });
}
