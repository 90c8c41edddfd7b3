/**
 * ONNX: exporting Cortex models to `.onnx` files, and importing `.onnx` files as trainable modules.
 * Browser-safe: bytes in, bytes out.
 * @module
 */
export {
  type Dim,
  type ElemType,
  emitModule,
  type Emitted,
  exportOnnx,
  exportOnnxModel,
  GraphBuilder,
  type LayerContext,
  type LayerVisitor,
  type ModelMeta,
  ONNX_EXPORT_OPSET,
  ONNX_ML_OPSET,
  type OnnxExportOptions,
  registerOnnxLayer,
  sanitizeInputNames,
  TABLE_OUTPUTS,
  type TableOnnxInput,
  type TableOnnxOptions,
  exportTableModelOnnx,
  exportTableModelOnnxProto,
  tableOnnxInputs,
  type ValueType,
  type AttentionOnnxOptions,
  exportAttentionOnnx,
  exportAttentionOnnxModel,
  type OnnxAttentionMasks,
  type OnnxMaskKind,
  type DynamicAxes,
  batchedShape,
  sequenceLayout,
} from './export/index.js';
export {
  describeOnnx,
  type ImportOnnxOptions,
  importOnnx,
  isSupportedOnnxOp,
  MAX_IMPORT_OPSET,
  MIN_IMPORT_OPSET,
  type OnnxDescription,
  type OnnxIO,
  OnnxModel,
  supportedOnnxOps,
} from './import/index.js';
export { decodeModelProto, encodeModelProto, type ModelProto, ONNX_IR_VERSION } from './proto.js';
