import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm test` (CORTEX_FAST_TESTS=1): the default project without the suites that spawn
 * processes or a browser (the CLI end to end, the playground in Chromium) and without the
 * relaxed-SIMD repeat, and without `*.slow.test.ts` files (long training runs and
 * big fixtures). `npm run test:all` runs everything; CI runs that.
 */
const FAST = process.env.CORTEX_FAST_TESTS === '1';
const SLOW = ['test/cli/**', 'test/e2e/**', 'test/**/*.slow.test.ts'];

/** Test files that run a second time on the relaxed-SIMD (FMA) kernel builds. */
const RELAXED = ['test/backend-wasm/conformance.test.ts', 'test/backend-wasm/optim.test.ts', 'test/**/*.relaxed.test.ts', 'test/backend-wasm/conv-fused.test.ts', 'test/backend-wasm/conv-pool-fused.test.ts', 'test/backend-wasm/causal-attention.test.ts'];

export default defineConfig({
  resolve: {
    // The README's examples import the package by name; point it at the sources.
    alias: {
      'cortex-nn': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      // The tests run the sources in Node: the Node platform layer (package.json's
      // "imports" points at dist/, which the built package uses).
      '#wasm-platform': fileURLToPath(new URL('./src/backend/wasm/node.ts', import.meta.url)),
    },
  },
  test: {
    // The fast tier runs two test files at a time even on a 2-core machine (vitest's default
    // is cores − 1): 110 s instead of about 170. The full tier keeps the default: its Vite dev
    // server apps (test/e2e) once failed with "504 Outdated Optimize Dep" beside another file.
    ...(FAST ? { maxWorkers: 2, minWorkers: 1 } : {}),
    // Far above any test's normal run time: a loaded 2-core machine must not fail a test.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One process per test file: V8 flags (relaxed SIMD below) are process-wide.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'default', include: ['test/**/*.test.ts'], exclude: ['test/**/*.relaxed.test.ts', ...(FAST ? SLOW : [])] },
      },
      ...(FAST
        ? []
        : [
            {
              extends: true,
              // Node 20 validates the FMA builds only behind a V8 flag; this sets it per process.
              test: { name: 'relaxed-simd', include: RELAXED, env: { CORTEX_RELAXED_SIMD: '1' } },
            },
          ]),
    ],
  },
});
