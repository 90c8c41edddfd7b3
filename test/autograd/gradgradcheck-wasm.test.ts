/**
 * The second-derivative checks on the WASM backend, on one thread and on two
 * (with every job split across the pool), as the first-derivative checks run
 * in test/backend-wasm/conformance.test.ts.
 */
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { gradgradcheckConformance } from '../conformance/gradgradcheck.js';
import { onOneAndTwoThreads } from '../backend-wasm/helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load (no WebAssembly SIMD?)');

onOneAndTwoThreads('wasm backend', (threads) => {
  gradgradcheckConformance('wasm', threads === 2 ? { label: '2 threads' } : undefined);
});
