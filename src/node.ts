/**
 * Node-only additions to `cortex-nn`: files on disk. Import from `cortex-nn/node`.
 *
 * Everything else, including the browser-safe forms of these features (CSV from
 * a string, Blob or web stream; models to and from bytes and Blobs), comes from
 * the package root.
 * @packageDocumentation
 */
export * from './data/node/index.js';
export { load, loadCheckpoint, readModelBytes, save, saveCheckpoint, writeFileAtomic } from './io/node/index.js';
