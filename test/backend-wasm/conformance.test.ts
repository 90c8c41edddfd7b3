/**
 * The shared conformance suites (PyTorch fixtures through the ops, kernel
 * agreement with the reference backend, and the gradient checks with their
 * float32 |x| = 1e4 stability cases, and the int32 suite) run on the WASM
 * backend, on one thread and on two. On two threads the parallel cut-offs are
 * set to zero so that every job, however small, is split across the pool. The relaxed-simd
 * test project runs it once more on the relaxed-SIMD (FMA) builds.
 */
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { gradcheckConformance } from '../conformance/gradcheck.js';
import { int32Conformance } from '../conformance/int32.js';
import { kernelConformance } from '../conformance/kernels.js';
import { opConformance } from '../conformance/ops.js';
import { onOneAndTwoThreads } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load (no WebAssembly SIMD?)');
// The relaxed-simd test project (vitest.config.ts) runs this file again on the FMA builds.
if (process.env.CORTEX_RELAXED_SIMD === '1' && !info.relaxedSimd) throw new Error('CORTEX_RELAXED_SIMD=1 but the relaxed-SIMD builds did not load');

onOneAndTwoThreads('wasm backend', () => {
  opConformance('wasm');
  kernelConformance('wasm');
  int32Conformance('wasm');
  gradcheckConformance('wasm');
});
