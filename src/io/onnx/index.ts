/**
 * ONNX: exporting Cortex models to `.onnx` files (and, from the import side, reading them).
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
} from './export/index.js';
export { decodeModelProto, encodeModelProto, type ModelProto, ONNX_IR_VERSION } from './proto.js';
