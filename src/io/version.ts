/**
 * Version numbers written into every model file and checkpoint.
 * @module
 */

/** The package name recorded in model files. */
export const LIBRARY_NAME = 'cortex-nn';

/** The package version recorded in model files (kept equal to package.json by a test). */
export const LIBRARY_VERSION = '0.1.0';

/**
 * The version of the model-file layout described in `docs/format.md`. Loading refuses
 * files with a different version, with a {@link ModelFormatError} that says which.
 */
export const FORMAT_VERSION = 1;
