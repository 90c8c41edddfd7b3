/**
 * Node-only model I/O: files by path and atomic writes. Browser code uses `../index.ts`.
 * @module
 */
export { openTemp, removeStaleTemps, tempPathFor, writeFileAtomic } from './atomic.js';
export { load, loadCheckpoint, readModelBytes, save, saveCheckpoint } from './files.js';
