#!/usr/bin/env node
/**
 * Entry point of the `cortex` command (the package's `bin`). See `./program.ts`.
 * @module
 */
import { loadDefaultBackend } from '../backend/default.js';
import { main } from './program.js';

// `cortex predict model.cortex big.csv | head`: when the reader goes away, stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// The same kernels as the library: the WASM backend wherever it loads.
await loadDefaultBackend();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cortex: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
