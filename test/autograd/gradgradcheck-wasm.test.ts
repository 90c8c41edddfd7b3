/**
 * The second-derivative checks on the WASM backend, on one thread and on two
 * (with every job split across the pool), as the first-derivative checks run
 * in test/backend-wasm/conformance.test.ts.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { gradgradcheckConformance } from '../conformance/gradgradcheck.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load (no WebAssembly SIMD?)');

describe('wasm backend, 1 thread', () => {
  beforeAll(async () => {
    await setNumThreads(1);
  });
  gradgradcheckConformance('wasm');
});

describe('wasm backend, 2 threads, every job split', () => {
  beforeAll(async () => {
    await setNumThreads(2);
    setParallelCutoffs(0, 0);
  });
  afterAll(async () => {
    setParallelCutoffs();
    await setNumThreads(1);
  });
  gradgradcheckConformance('wasm', { label: '2 threads' });
});
