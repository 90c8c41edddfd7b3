/**
 * ONNX export: Cortex models (and the CLI's fitted preprocessing) to `.onnx` bytes.
 * @module
 */
export { type Emitted, emitModule, exportOnnx, exportOnnxModel, type OnnxExportOptions } from './export.js';
export { type Dim, type ElemType, GraphBuilder, type ModelMeta, ONNX_EXPORT_OPSET, ONNX_ML_OPSET, type ValueType } from './graph.js';
export { type LayerContext, type LayerVisitor, registerOnnxLayer } from './layers.js';
export {
  exportTableModelOnnx,
  exportTableModelOnnxProto,
  sanitizeInputNames,
  TABLE_OUTPUTS,
  type TableOnnxInput,
  type TableOnnxOptions,
  tableOnnxInputs,
} from './preprocessing.js';
export { type AttentionOnnxOptions, exportAttentionOnnx, exportAttentionOnnxModel } from './export-attention.js';
export type { OnnxAttentionMasks, OnnxMaskKind } from './attention-nodes.js';
export { batchedShape, type DynamicAxes, sequenceLayout } from './axes.js';
