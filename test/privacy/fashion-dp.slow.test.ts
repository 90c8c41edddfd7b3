/** examples/fashion-dp.ts end to end on a subset (a long run: full tier only). */
import { describe, expect, it } from 'vitest';
import { run } from '../../examples/fashion-dp.js';
import { findFashionMnistDir } from '../../src/node.js';

describe('examples/fashion-dp.ts', () => {
  // Fashion-MNIST comes from Debian's dataset-fashion-mnist package; without it there is nothing to train on.
  it.skipIf(findFashionMnistDir() === null)('trains the DP CNN on a subset within the budget, with crypto noise', async () => {
    const r = await run({ epochs: 2, train: 3000, test: 500, batchSize: 500, lr: 2 });
    expect(r.secure).toBe(true);
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // σ is calibrated for exactly these 2 epochs: ε ends just under the target, and grows per epoch.
    expect(r.epsilon).toBeLessThanOrEqual(3);
    expect(r.epsilon).toBeGreaterThan(2.9);
    expect(r.epochs[0]!.epsilon).toBeLessThan(r.epochs[1]!.epsilon);
    // Far above chance (10%) even with the noise of ε = 3 on 3,000 images.
    expect(r.testAccuracy).toBeGreaterThan(0.3);
  });
});
