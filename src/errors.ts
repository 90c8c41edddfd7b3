/**
 * Typed errors. Every error Cortex throws on bad input is a {@link CortexError}
 * whose message names the operation, the argument and what to do about it.
 * @module
 */

/** Base class of every error Cortex throws on purpose. */
export class CortexError extends Error {
  override name = 'CortexError';
}

/** Shapes that do not fit together. The message names the op and every shape. */
export class ShapeError extends CortexError {
  override name = 'ShapeError';
}

/** A tensor of the wrong element type for an op (for example int32 where float is needed). */
export class DTypeError extends CortexError {
  override name = 'DTypeError';
}

/** A gradient that cannot be computed: no rule for an op, or backward on a graph without gradients. */
export class GradientError extends CortexError {
  override name = 'GradientError';
}

/** An invalid argument: an axis out of range, a negative dimension, a bad seed or hyperparameter. */
export class ArgumentError extends CortexError {
  override name = 'ArgumentError';
}

/** Bad data: a malformed CSV, NaN in the data, a missing file. Names the file, row and column. */
export class DataError extends CortexError {
  override name = 'DataError';
}

/** A model file that is truncated, corrupted, hand-edited or of an unknown version. */
export class ModelFormatError extends CortexError {
  override name = 'ModelFormatError';
}

/** Training produced a NaN or infinite loss. */
export class TrainingDivergedError extends CortexError {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    /** 1-based epoch at which the loss diverged. */
    readonly epoch: number,
    /** 1-based batch within the epoch. */
    readonly batch: number,
  ) {
    super(message);
  }
}
