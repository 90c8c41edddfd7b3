/**
 * Version numbers written into every model file and checkpoint.
 * @module
 */

/** The package name recorded in model files. */
export const LIBRARY_NAME = 'cortex-nn';

/** The package version recorded in model files (kept equal to package.json by a test). */
export const LIBRARY_VERSION = '0.1.0';

/**
 * The version of the model-file layout described in `docs/format.md`, written into every
 * new file. Version 2 checksums the header as well as the tensor data. Loading refuses
 * versions outside {@link OLDEST_FORMAT_VERSION}..FORMAT_VERSION with a
 * {@link ModelFormatError} that says which.
 */
export const FORMAT_VERSION = 2;

/** The oldest model-file version this library still reads (version 1: data-only checksum). */
export const OLDEST_FORMAT_VERSION = 1;
