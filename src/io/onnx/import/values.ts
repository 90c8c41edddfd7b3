/**
 * The values that flow through an imported ONNX graph, and conversions between ONNX's
 * element types and Cortex tensors.
 *
 * Float tensors (ONNX float32 and float64) are Cortex tensors of that dtype, part of the
 * autograd graph. Every other element type (int64 shapes and indices, int32, bool, ...) is
 * held as a float64 tensor that never requires a gradient: exact for integers up to 2^53,
 * and small enough (shapes, axes, indices) that computing on it eagerly costs nothing.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { ModelFormatError } from '../../../errors.js';
import { tensor } from '../../../ops/index.js';
import { OnnxDataType } from '../proto.js';
import type { OnnxArray } from '../tensors.js';
import { onnxTypeName } from '../tensors.js';

/** A value in the graph: a tensor and its ONNX element type (`TensorProto.DataType`). */
export interface Value {
  readonly t: Tensor;
  /** The ONNX element type, e.g. 1 (float32) or 7 (int64). */
  readonly type: number;
}

/** True for the element types held as differentiable float tensors (float32, float64). */
export function isFloatType(type: number): boolean {
  return type === OnnxDataType.FLOAT || type === OnnxDataType.DOUBLE;
}

/** True for the element types the importer can compute with. */
export function isKnownType(type: number): boolean {
  return [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13].includes(type);
}

/** A float tensor as a value (its type follows the tensor's dtype). */
export function floatValue(t: Tensor): Value {
  return { t, type: t.dtype === 'float64' ? OnnxDataType.DOUBLE : OnnxDataType.FLOAT };
}

/** Integers (or booleans as 0/1) of `type` (int64 by default) with `dims` as a value. */
export function intValue(values: ArrayLike<number>, dims: readonly number[], type: number = OnnxDataType.INT64): Value {
  return { t: tensor(Float64Array.from(values), { shape: [...dims] }), type };
}

/**
 * A graph input of declared element `type` from a caller's tensor. A float64 tensor for a
 * float32 input stays float64 (the graph then computes in float64, e.g. for gradcheck);
 * non-float types become float64 holding integers.
 */
export function typedValue(t: Tensor, type: number): Value {
  if (isFloatType(type)) {
    if (t.dtype === 'float64') return { t, type: OnnxDataType.DOUBLE };
    return { t: t.astype(type === OnnxDataType.DOUBLE ? 'float64' : 'float32'), type };
  }
  return { t: t.dtype === 'float64' ? t : t.astype('float64'), type };
}

/** A decoded ONNX tensor (an initializer or an attribute) as a value. */
export function arrayValue(a: OnnxArray, where: string): Value {
  if (!isKnownType(a.dataType)) {
    throw new ModelFormatError(`ONNX: ${where} has element type ${onnxTypeName(a.dataType)}, which Cortex cannot compute with`);
  }
  if (a.dataType === OnnxDataType.FLOAT) return { t: tensor(Float32Array.from(a.data), { shape: a.dims }), type: a.dataType };
  return { t: tensor(Float64Array.from(a.data), { shape: a.dims }), type: a.dataType };
}

/** The numbers of a value, row-major, as a plain array (for shapes, axes and indices). */
export function numbers(v: Value): number[] {
  return Array.from(v.t.dataSync());
}

/** Truncates every element toward zero: integer division and float-to-integer casts. */
export function truncate(t: Tensor): Tensor {
  const src = t.dataSync();
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]!);
  return tensor(out, { shape: [...t.shape] });
}
