/**
 * Runs only in the `relaxed-simd` test project (vitest.config.ts), which sets
 * CORTEX_RELAXED_SIMD=1: the conformance files of that project must really
 * run on the FMA builds, not silently on the plain ones.
 */
import { expect, it } from 'vitest';
import { initWasmBackend } from '../../src/backend/wasm/index.js';

it('loads the relaxed-SIMD builds', async () => {
  const info = await initWasmBackend();
  expect(process.env.CORTEX_RELAXED_SIMD).toBe('1');
  expect(info?.relaxedSimd).toBe(true);
  expect(info?.variant).toBe('kernels-single-relaxed.wasm + kernels-threads-relaxed.wasm');
});
