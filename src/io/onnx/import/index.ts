/**
 * ONNX import: an `.onnx` file as a trainable Cortex module, and what the importer supports.
 * @module
 */
export { type ImportOnnxOptions, importOnnx, isSupportedOnnxOp, OnnxModel, type OnnxIO, supportedOnnxOps } from './model.js';
export { describeOnnx, type OnnxDescription } from './describe.js';
export { MAX_OPSET as MAX_IMPORT_OPSET, MIN_OPSET as MIN_IMPORT_OPSET } from './graph.js';
