/**
 * Vite configuration of the playground. The page lives in `web/` and imports the library
 * by its package name, `cortex-nn`, which resolves here to the package's source entry
 * (`../src/index.ts`), so the dev server must be allowed to read the whole repository. The
 * COOP/COEP headers make the page cross-origin isolated, which gives the WASM backend
 * shared memory and therefore its worker threads.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Headers that turn on cross-origin isolation (SharedArrayBuffer, threaded WASM). */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * `cortex-nn` (exactly: `cortex-nn/node` is Node-only and stays unresolved) is the package
 * root's source, the same module `dist/index.js` is built from. Served from source, the
 * playground needs no build first, and the WASM kernels' literal
 * `new URL('./generated/….wasm', import.meta.url)` URLs point at the committed builds in
 * `src/backend/wasm/generated/`.
 */
const cortexEntry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/**
 * The library's WASM loader reaches its platform layer through the `#wasm-platform`
 * subpath import; package.json maps that to the built files, so point it at the browser
 * layer's source here (a browser bundle never holds Node code).
 */
const wasmPlatform = fileURLToPath(new URL('../src/backend/wasm/browser.ts', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^cortex-nn$/, replacement: cortexEntry },
      { find: /^#wasm-platform$/, replacement: wasmPlatform },
    ],
  },
  root: webRoot,
  base: './',
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    headers: isolationHeaders,
    fs: { allow: [repoRoot] },
  },
  preview: { host: '127.0.0.1', headers: isolationHeaders },
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  // The library's own dependencies are reached only from the worker, which the dev server's
  // first scan does not follow; listing them spares a fresh checkout a reload on first visit.
  optimizeDeps: { include: ['uplot', 'csv-parse/browser/esm/sync', 'protobufjs/minimal.js'] },
});
