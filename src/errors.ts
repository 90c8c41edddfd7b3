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

/** Where in a data source a {@link DataError} was found. */
export interface DataLocation {
  /** The file name, or a label such as `<string>` for in-memory input. */
  file?: string;
  /** 1-based row (line of the file; the header, if any, is row 1). */
  row?: number;
  /** The column name, or its 1-based position when the column has no name. */
  column?: string;
}

/**
 * Kinds of {@link DataError} that a caller may want to word its own advice for (the
 * `cortex` command, for example, suggests its flags instead of API options):
 * a missing cell with no imputer, a cell that is not a number in a numeric column, a
 * NaN or infinite cell, a column with no values at all to impute from, a row with
 * more fields than the header, a column name that is not in the header, a value too
 * large for a model (its scaled value, or its column's statistics, overflow a 32-bit float),
 * and text that is not valid CSV (an unclosed quote, say).
 */
export type DataErrorCode =
  | 'missing-value'
  | 'not-a-number'
  | 'not-finite'
  | 'all-missing'
  | 'extra-fields'
  | 'unknown-column'
  | 'out-of-range'
  | 'malformed-csv';

/** What a {@link DataError} is about, apart from where: the kind and the problem without the advice. */
export interface DataErrorDetail {
  /** The kind of problem, for callers that give their own advice. */
  code?: DataErrorCode;
  /** What is wrong, without the location or the advice. */
  problem?: string;
}

/** Bad data: a malformed CSV, NaN in the data, a missing file. Names the file, row and column. */
export class DataError extends CortexError {
  override name = 'DataError';
  /** The file, when known. */
  readonly file: string | undefined;
  /** The 1-based row, when known. */
  readonly row: number | undefined;
  /** The column, when known. */
  readonly column: string | undefined;
  /** The kind of problem, when the data layer names one. */
  readonly code: DataErrorCode | undefined;
  /** What is wrong, without the location or the advice, when known. */
  readonly problem: string | undefined;
  constructor(message: string, where: DataLocation = {}, detail: DataErrorDetail = {}) {
    super(message);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
    this.code = detail.code;
    this.problem = detail.problem;
  }
}

/** A model file that is truncated, corrupted, hand-edited or of an unknown version. */
export class ModelFormatError extends CortexError {
  override name = 'ModelFormatError';
}

/** Where an {@link OnnxError} was found: the Cortex layer, or the ONNX node and its op. */
export interface OnnxLocation {
  /** The Cortex layer's path and class, e.g. `"2 (GRU)"`, when exporting. */
  layer?: string;
  /** The ONNX node's name (or its index when unnamed), when importing. */
  node?: string;
  /** The ONNX operator, e.g. `"Conv"`, when importing. */
  op?: string;
}

/**
 * A model that cannot be converted to or from ONNX: a layer with no ONNX mapping, an op or
 * opset the importer does not support, or an attribute value it cannot honour. The fields
 * name the layer, or the node and op, so callers never parse the message. Bytes that are
 * not a valid ONNX file at all raise {@link ModelFormatError} instead.
 */
export class OnnxError extends CortexError {
  override name = 'OnnxError';
  /** The Cortex layer, when exporting. */
  readonly layer: string | undefined;
  /** The ONNX node, when importing. */
  readonly node: string | undefined;
  /** The ONNX operator, when importing. */
  readonly op: string | undefined;
  constructor(message: string, where: OnnxLocation = {}) {
    super(message);
    this.layer = where.layer;
    this.node = where.node;
    this.op = where.op;
  }
}

/**
 * Training produced a NaN or infinite loss (or, with gradient clipping, a NaN or infinite
 * gradient norm). The fields say where and what, so callers never parse the message.
 *
 * @example
 * ```ts
 * try {
 *   fit(model, data, { epochs: 10, optimizer: new SGD(model.parameters(), { lr: 1e6 }) });
 * } catch (e) {
 *   if (e instanceof TrainingDivergedError) console.log(e.epoch, e.batch, e.loss, e.gradNorm);
 * }
 * ```
 */
export class TrainingDivergedError extends CortexError {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    /** 1-based epoch at which the loss diverged. */
    readonly epoch: number,
    /** 1-based batch within the epoch. */
    readonly batch: number,
    /** The batch's loss: NaN or infinite, unless it was the gradient norm that diverged. */
    readonly loss: number,
    /** The non-finite gradient norm when gradient clipping found it; undefined when the loss diverged. */
    readonly gradNorm?: number,
  ) {
    super(message);
  }
}

// text: character tokenizer
/**
 * A character that a {@link CharTokenizer}'s vocabulary does not hold, raised by `encode` when
 * the tokenizer has no unknown token. `char` is the character and `index` its position (in code
 * points) in the encoded text.
 *
 * @example
 * ```ts
 * try { tok.encode('ü'); } catch (e) {
 *   if (e instanceof UnknownCharacterError) console.log(e.char, e.index); // 'ü' 0
 * }
 * ```
 */
export class UnknownCharacterError extends DataError {
  override name = 'UnknownCharacterError';
  constructor(
    message: string,
    /** The character that is not in the vocabulary. */
    readonly char: string,
    /** Its position in the text, in code points. */
    readonly index: number,
  ) {
    super(message, {}, { code: 'out-of-range', problem: `character ${JSON.stringify(char)} is not in the vocabulary` });
  }
}

// differential privacy (issue 15)
/**
 * A model, layer or option that differentially private training cannot work with, for
 * example a BatchNorm layer (it mixes the samples of a batch, so per-sample gradients do
 * not exist): the message names the layer and what to use instead.
 */
export class PrivacyError extends CortexError {
  override name = 'PrivacyError';
}
