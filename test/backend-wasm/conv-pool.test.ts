/**
 * A convolution and pooling training step on the WASM backend runs the fused
 * convolution jobs (`conv2d` and its two gradients; `im2col` and `col2im` for
 * the transposed convolution), the max, average and adaptive pooling kernels and their adjoints,
 * and the conv bias add in WASM, not in the reference fallback: forward,
 * backward and an SGD step of Conv2d → ReLU → MaxPool2d → Conv2d → AvgPool2d →
 * AdaptiveAvgPool2d → Linear count no fallback of those kernels, on one thread
 * and on two (every job split), and give the reference backend's loss,
 * gradients and updated weights. A ConvTranspose2d's bias add (a [C, 1, 1]
 * broadcast over [N, C, H, W]) runs in WASM too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import {
  AdaptiveAvgPool2d,
  ConvTranspose2d,
  AvgPool2d,
  Conv2d,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  ReLU,
  SGD,
  Sequential,
  backendStatus,
  crossEntropy,
  getBackend,
  randn,
  resetFallbackCounts,
  setBackend,
  tensor,
} from '../../src/index.js';
import { expectClose } from '../conformance/compare.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

/** Kernels with a WASM implementation that this step must not send to the reference backend. */
const KERNELS = [
  'im2col', 'col2im', 'maxPool2d', 'maxPool2dGrad', 'avgPool2d', 'avgPool2dGrad', 'adaptiveAvgPool2d', 'adaptiveAvgPool2dGrad',
  'binary:add', 'reduce:sum', 'conv2d', 'conv2dGradInput', 'conv2dGradWeight',
];

/** Loss, the parameters' gradients and the parameters after one SGD step, on the active backend. */
function trainStep(): { loss: number; grads: Float32Array[]; params: Float32Array[] } {
  const g = new Generator(3);
  const model = new Sequential(
    new Conv2d(3, 8, 3, { padding: 1, generator: g }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 6, 3, { padding: 1, stride: [1, 2], generator: g }),
    new ReLU(),
    new AvgPool2d(2, { padding: 1 }),
    new AdaptiveAvgPool2d([4, 2]),
    new Flatten(),
    new Linear(6 * 4 * 2, 5, { generator: g }),
  );
  const x = randn([4, 3, 21, 19], { generator: new Generator(4) });
  const labels = tensor(Int32Array.from([0, 3, 1, 4]), { dtype: 'int32' });
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loss = crossEntropy(model.forward(x), labels);
  loss.backward();
  const grads = model.parameters().map((p) => p.grad!.dataSync() as Float32Array);
  opt.step();
  const params = model.parameters().map((p) => p.dataSync() as Float32Array);
  return { loss: loss.item(), grads, params };
}

/** Output and parameter gradients of a ConvTranspose2d (its bias is added to [N, C, H, W]) on the active backend. */
function transposedStep(): Float32Array[] {
  const layer = new ConvTranspose2d(4, 3, 3, { stride: 2, generator: new Generator(6) });
  const y = layer.forward(randn([2, 4, 5, 6], { generator: new Generator(7) }));
  y.mul(y).sum().backward();
  return [y.dataSync() as Float32Array, ...layer.parameters().map((p) => p.grad!.dataSync() as Float32Array)];
}

for (const threads of [1, 2]) {
  describe(`convolution and pooling step on wasm, ${threads} thread(s)`, () => {
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

    it('runs the conv and pooling kernels in WASM and matches the reference backend', () => {
      setBackend('js');
      const want = trainStep();
      setBackend('wasm');
      resetFallbackCounts();
      const got = trainStep();
      const fallbacks = backendStatus().fallbacks;
      for (const k of KERNELS) expect(fallbacks[k] ?? 0, `fallbacks of ${k}: ${JSON.stringify(fallbacks)}`).toBe(0);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.grads.length).toBe(want.grads.length);
      for (const [i, w] of want.grads.entries()) expectClose(`grad ${i}`, got.grads[i]!, w, { rtol: 1e-4, atol: 1e-5 });
      for (const [i, w] of want.params.entries()) expectClose(`param ${i}`, got.params[i]!, w, { rtol: 1e-4, atol: 1e-5 });
    });

    it('adds a transposed convolution\'s bias in WASM (a [C, 1, 1] broadcast, slice by slice)', () => {
      setBackend('js');
      const want = transposedStep();
      setBackend('wasm');
      resetFallbackCounts();
      const got = transposedStep();
      const fallbacks = backendStatus().fallbacks;
      for (const k of KERNELS) expect(fallbacks[k] ?? 0, `fallbacks of ${k}: ${JSON.stringify(fallbacks)}`).toBe(0);
      for (const [i, w] of want.entries()) expectClose(`output/grad ${i}`, got[i]!, w, { rtol: 1e-4, atol: 1e-5 });
    });
  });
}
