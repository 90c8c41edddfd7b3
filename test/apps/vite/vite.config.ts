// What a Vite user adds for cortex-nn (plain object: no import needed).
const isolation = {
  // Cross-origin isolation gives the WASM backend shared memory, hence its worker threads.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default {
  server: { headers: isolation },
  preview: { headers: isolation },
  // Pre-bundling would move cortex-nn's loader away from its .wasm kernels; its CommonJS
  // dependency (protobufjs) still needs it.
  optimizeDeps: { exclude: ['cortex-nn'], include: ['cortex-nn > protobufjs/minimal.js'] },
};
