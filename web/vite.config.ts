/**
 * Vite configuration of the playground. The page lives in `web/` and imports the
 * library straight from `../src`, so the dev server must be allowed to read the whole
 * repository. The COOP/COEP headers make the page cross-origin isolated, which gives the
 * WASM backend shared memory and therefore its worker threads.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Headers that turn on cross-origin isolation (SharedArrayBuffer, threaded WASM). */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The WASM loader imports its Node platform layer lazily, only when it runs in Node. A
 * browser bundle cannot contain `node:fs` or `node:worker_threads`, so the production build
 * swaps that module for a stub that is never called in a browser.
 */
function browserOnlyWasmLoader(): Plugin {
  const stub = '\0cortex-wasm-node-stub';
  return {
    name: 'cortex-browser-only-wasm-loader',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './node.js' && importer?.replaceAll('\\', '/').endsWith('src/backend/wasm/loader.ts')) return stub;
      return null;
    },
    load(id) {
      if (id !== stub) return null;
      return [
        "const unavailable = () => { throw new Error('the Node platform layer is not part of the browser build'); };",
        'export const readBytes = unavailable;',
        'export const spawnWorker = unavailable;',
        'export const coreCount = () => 1;',
      ].join('\n');
    },
  };
}

export default defineConfig({
  plugins: [browserOnlyWasmLoader()],
  root: webRoot,
  base: './',
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    headers: isolationHeaders,
    fs: { allow: [repoRoot] },
  },
  preview: { host: '127.0.0.1', headers: isolationHeaders },
  worker: { format: 'es', plugins: () => [browserOnlyWasmLoader()] },
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  optimizeDeps: { include: ['uplot'] },
});
