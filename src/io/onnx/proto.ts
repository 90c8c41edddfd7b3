/**
 * Reading and writing the ONNX protobuf wire format through the static code generated from
 * `proto/onnx.proto` (see scripts/build-proto.mjs), with Cortex's own error on bad bytes.
 * @module
 */
import { ModelFormatError } from '../../errors.js';
import { onnx } from './generated/onnx-pb.js';

/** The ONNX IR version Cortex writes: 8, the newest that ONNX 1.12's checker accepts with opset 17. */
export const ONNX_IR_VERSION = 8;

/** ONNX tensor element types Cortex reads or writes (`TensorProto.DataType`). */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  DOUBLE: 11,
} as const;

/** ONNX attribute kinds (`AttributeProto.AttributeType`). */
export const OnnxAttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export type ModelProto = onnx.IModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type AttributeProto = onnx.IAttributeProto;
export type TensorProto = onnx.ITensorProto;
export type ValueInfoProto = onnx.IValueInfoProto;

/** Serializes a model to the bytes of a `.onnx` file. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Parses the bytes of a `.onnx` file.
 * @throws {ModelFormatError} when the bytes are not a protobuf-encoded ONNX model.
 */
export function decodeModelProto(bytes: Uint8Array): onnx.ModelProto {
  if (bytes.length === 0) throw new ModelFormatError('ONNX: the file is empty');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`ONNX: the bytes are not a valid ONNX model (${why}); the file is truncated or is not an .onnx file`);
  }
  if (!model.graph) throw new ModelFormatError('ONNX: the model has no graph; the file is truncated or is not an .onnx file');
  return model;
}
