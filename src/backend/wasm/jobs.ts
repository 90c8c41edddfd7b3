/**
 * The thread count and parallel cut-offs of the WASM kernels, and the
 * decision to split a job over the pool (the call itself is `call.ts`).
 * @module
 */
import { poolReady } from './runtime.js';

/** Default smallest matmul (in floating-point operations) split over threads. */
export const DEFAULT_GEMM_PARALLEL_FLOPS = 1 << 17;
/** Default smallest exp-family job (in elements) split over threads. */
export const DEFAULT_ELEMENT_PARALLEL_SIZE = 1 << 12;

let gemmParallelFlops = DEFAULT_GEMM_PARALLEL_FLOPS;
let elementParallelSize = DEFAULT_ELEMENT_PARALLEL_SIZE;

/** Threads a large job may use (1 means the pool is off). */
let threads = 1;

/** Threads a large job may use now. */
export function threadCount(): number {
  return threads;
}

/** Sets the thread count large jobs use; the pool layer clamps it to ready workers. */
export function setKernelThreads(n: number): void {
  threads = n;
}

/**
 * Overrides the parallel cut-offs (tests set 0 to split every job, even the
 * cheap elementwise ones that never pay; measurements sweep them). Called
 * without arguments it restores the defaults.
 */
export function setParallelCutoffs(
  gemmFlops = DEFAULT_GEMM_PARALLEL_FLOPS,
  elements = DEFAULT_ELEMENT_PARALLEL_SIZE,
): void {
  gemmParallelFlops = gemmFlops;
  elementParallelSize = elements;
}

/** Parts an elementwise job is cut into per thread (finer parts balance a busy machine). */
export const PARTS_PER_THREAD = 4;

/**
 * Work of ops too cheap per element to pay for the copies into shared memory
 * (see unaryCost): they are split only when the cut-off is 0.
 */
export const CHEAP = 0;

/** Whether an elementwise-style job of `work` exp-equivalents is split over the pool. */
export function splitElementwise(work: number): boolean {
  // A zero cut-off forces splitting (tests), even while the pool backs off.
  return threads > 1 && work >= elementParallelSize && (elementParallelSize === 0 || poolReady());
}

/** Parts to cut an elementwise-style job of `work` exp-equivalents into: 1 unless {@link splitElementwise}. */
export function elementParts(work: number): number {
  return splitElementwise(work) ? threads * PARTS_PER_THREAD : 1;
}

/**
 * Parts a matmul job is cut into (1: not split). Each part packs its own
 * panels, so parts stay coarse: two per thread, each at least 16 micro-tile
 * rows (or columns) wide.
 */
export function gemmParts(flops: number, batch: number, m: number, n: number): number {
  if (flops < gemmParallelFlops || threads <= 1) return 1;
  if (gemmParallelFlops > 0 && !poolReady()) return 1;
  if (batch >= threads) return Math.min(batch, threads * PARTS_PER_THREAD);
  const parts = Math.min(threads * 2, Math.floor(m >= n ? m / 64 : n / 128));
  if (parts >= threads) return parts;
  return Math.min(threads, Math.floor(m >= n ? m / 4 : n / 8));
}
