/**
 * Model files and checkpoints, browser-safe: bytes, `ArrayBuffer` and `Blob`. For file
 * paths in Node, use `./node/index.ts` (`save`, `load`, `saveCheckpoint`, `loadCheckpoint`).
 * The layout is documented in `docs/format.md`.
 * @module
 */
export {
  type Checkpoint,
  type CheckpointGenerator,
  type CheckpointInput,
  type CheckpointOptimizer,
  type CheckpointScheduler,
  deserializeCheckpoint,
  restoreCheckpoint,
  serializeCheckpoint,
} from './checkpoint.js';
export { crc32 } from './checksum.js';
export {
  type ColumnSchema,
  type DataSchema,
  decodeModelFile,
  deserializeModel,
  type ModelDocument,
  type ModelInfo,
  modelFromBlob,
  modelToBlob,
  type ReadModelOptions,
  type SavedModel,
  serializeModel,
} from './model-file.js';
export {
  buildModel,
  ConfigReader,
  describeModel,
  type JsonObject,
  type JsonValue,
  type LayerCodec,
  type LayerSpec,
  registeredLayers,
  registerLayer,
} from './registry.js';
export {
  describeOnnx,
  exportOnnx,
  exportOnnxModel,
  exportTableModelOnnx,
  type ImportOnnxOptions,
  importOnnx,
  isSupportedOnnxOp,
  type LayerContext,
  type LayerVisitor,
  MAX_IMPORT_OPSET,
  MIN_IMPORT_OPSET,
  type OnnxDescription,
  type OnnxExportOptions,
  type OnnxIO,
  OnnxModel,
  registerOnnxLayer,
  supportedOnnxOps,
  type TableOnnxInput,
  type TableOnnxOptions,
  tableOnnxInputs,
  type AttentionOnnxOptions,
  exportAttentionOnnx,
  type OnnxAttentionMasks,
  type OnnxMaskKind,
  batchedShape,
  sequenceLayout,
} from './onnx/index.js';
export {
  type DecodedSafetensors,
  type DecodedTensor,
  decodeSafetensors,
  encodeSafetensors,
  type SafeDType,
  type TensorRecord,
} from './safetensors.js';
export { FORMAT_VERSION, LIBRARY_NAME, LIBRARY_VERSION } from './version.js';
