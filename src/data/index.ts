/**
 * The data layer, browser-safe part: CSV to tables, preprocessing fitted on training data
 * (serialisable), splits, datasets and batching, generators, iris and the IDX format.
 * File paths, Fashion-MNIST from disk and zlib live in `./node/index.ts` (Node only).
 * @module
 */
export { IRIS_CSV, loadIris } from './builtin/iris.js';
export { DEFAULT_MISSING } from './cells.js';
export { type CsvOptions, type CsvParseFn, type CsvParseOptions, parseCsv, readCsv, streamCsv } from './csv.js';
export { type CsvInput, recordWindows, type TextWindow, textChunks } from './csv-source.js';
export { type Batch, DataLoader, type DataLoaderOptions, type IndexedDataset, TensorDataset, toTensors } from './dataset.js';
export {
  type Category,
  LabelEncoder,
  type LabelEncoderJSON,
  OneHotEncoder,
  type OneHotEncoderJSON,
  sortLabels,
} from './encoders.js';
export {
  type BlobOptions,
  blobs,
  type ClassificationSet,
  circles,
  type GeneratorOptions,
  moons,
  type RegressionSet,
  sine,
  spiral,
  type SurfaceKind,
  surface,
  twoSpirals,
  xor,
} from './generators.js';
export { decodeIdx, FASHION_MNIST_CLASSES, gunzip, type IdxArray, imagesAndLabels, isGzip, parseIdx } from './idx.js';
export { type ImputeStrategy, SimpleImputer, type SimpleImputerJSON } from './imputer.js';
export { type Locator, type Matrix, type MatrixLike, toMatrix } from './matrix.js';
export { type Encoded, type PipelineOptions, TablePipeline, type TablePipelineJSON } from './pipeline.js';
export { MinMaxScaler, type MinMaxScalerJSON, type ScalerOptions, StandardScaler, type StandardScalerJSON } from './scalers.js';
export { findIdColumn, inferTask, type Task } from './task.js';
export { type KFoldOptions, kFold, type Labels, type Split, stratifiedKFold, takeRows, type TrainTestSplitOptions, trainTestSplit } from './split.js';
export { CsvStreamDataset, type CsvStreamDatasetOptions, type StreamBatch } from './stream-dataset.js';
export {
  type CategoricalColumn,
  type Column,
  type ColumnType,
  columnNames,
  completeRows,
  concatTables,
  getColumn,
  isMissingAt,
  makeTable,
  missingCounts,
  type NumericColumn,
  type RawColumn,
  selectColumns,
  selectRows,
  type Table,
} from './table.js';
// text: character tokenizer and token windows
export {
  CharTokenizer,
  type CharTokenizerJSON,
  type CharTokenizerOptions,
  SequenceDataset,
  splitTokens,
  type TextBatchesOptions,
  textBatches,
  type TokenBatch,
} from './text.js';
