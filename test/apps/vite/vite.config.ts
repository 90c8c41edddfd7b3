// What a Vite user adds for cortex-nn (plain object: no import needed).
const isolation = {
  // Cross-origin isolation gives the WASM backend shared memory, hence its worker threads.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default {
  server: { headers: isolation },
  preview: { headers: isolation },
  // Pre-bundling would move cortex-nn's loader away from its .wasm kernels; its dependencies
  // still want it: protobufjs is CommonJS, and csv-parse, found only as the page loads, would
  // make the dev server re-bundle and reload (with HMR off: 504 Outdated Optimize Dep).
  optimizeDeps: { exclude: ['cortex-nn'], include: ['cortex-nn > protobufjs/minimal.js', 'cortex-nn > csv-parse/browser/esm/sync'] },
};
