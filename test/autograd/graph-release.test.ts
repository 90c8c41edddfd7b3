/**
 * After a backward pass without retainGraph, the intermediates of the graph
 * are unreachable from its output and the garbage collector frees them.
 * Uses V8's gc(), exposed for this process by flag.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { type Tensor, tensor } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Builds y = Σ exp(x)² and returns it with a weak reference to the intermediate exp(x). */
function build(): { y: Tensor; x: Tensor; h: WeakRef<Tensor> } {
  const x = tensor(new Float64Array(1000).fill(0.5), { shape: [1000], dtype: 'float64', requiresGrad: true });
  const h = x.exp();
  return { y: h.mul(h).sum(), x, h: new WeakRef(h) };
}

async function collected(ref: WeakRef<Tensor>): Promise<boolean> {
  // WeakRef targets stay alive until the end of the job that touched them.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return ref.deref() === undefined;
}

it('frees the intermediates of a graph after backward, but not with retainGraph', async () => {
  const kept = build();
  kept.y.backward(undefined, { retainGraph: true });
  const freed = build();
  freed.y.backward();
  expect(await collected(freed.h)).toBe(true);
  expect(await collected(kept.h)).toBe(false);
  // The outputs and leaves themselves are still usable.
  expect(freed.x.grad?.size).toBe(1000);
  expect(kept.y.item()).toBeCloseTo(1000 * Math.exp(1), 9);
});
