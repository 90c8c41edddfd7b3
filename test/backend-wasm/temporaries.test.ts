/**
 * Users dispose nothing: a million temporaries made through the public API
 * (small ones carved from slabs, larger ones in buffers of their own, with
 * resident parameters as inputs) leave the process's memory flat.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initWasmBackend, shutdownWasmThreads } from '../../src/backend/wasm/index.js';
import { Linear, manualSeed, randn, setBackend, tensor } from '../../src/index.js';

beforeAll(async () => {
  await initWasmBackend();
  setBackend('wasm');
});

afterAll(async () => {
  await shutdownWasmThreads();
});

it('holds RSS flat over 10^6 op results of many sizes', async () => {
  manualSeed(3);
  const layer = new Linear(32, 16); // resident parameters, used as inputs below
  const xs = [randn([4, 32]), randn([64, 32]), randn([8, 32])];
  const b = tensor([0.5]);
  let rssAt = 0;
  let checksum = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const x = xs[i % 3]!;
    // Five results per round: 16 to 2048 floats, slab views and own buffers alike.
    const y = i % 5 === 0 ? layer.forward(x).relu() : x.mul(b).add(b);
    if (i % 1000 === 0) checksum += y.sum().item();
    // A loop that yields now and then, as a training loop with progress output does.
    if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
    if (i === 200_000) rssAt = process.memoryUsage().rss;
  }
  expect(Number.isFinite(checksum)).toBe(true);
  const grown = process.memoryUsage().rss - rssAt;
  console.log(`RSS growth from 2e5 to 1e6 temporaries: ${(grown / 2 ** 20).toFixed(1)} MB`);
  expect(grown).toBeLessThan(64 * 2 ** 20);
}, 300_000);
