/**
 * Converting between ONNX `TensorProto`s and plain typed arrays, for both directions:
 * the exporter writes weights and constants, the importer reads initializers and
 * `Constant` nodes. Values are stored little-endian in `raw_data`, as ONNX specifies.
 * @module
 */
import { ModelFormatError } from "../../errors.js";
import { OnnxDataType, type TensorProto } from "./proto.js";

/** A decoded ONNX tensor. Integer types become Int32Array when every value fits, else Float64Array. */
export interface OnnxArray {
	/** The ONNX element type (`TensorProto.DataType`). */
	dataType: number;
	dims: number[];
	/** float (FLOAT) → Float32Array; DOUBLE → Float64Array; integers and BOOL → Int32Array or Float64Array. */
	data: Float32Array | Float64Array | Int32Array;
}

const NAMES: Record<number, string> = {
	1: "float32",
	2: "uint8",
	3: "int8",
	4: "uint16",
	5: "int16",
	6: "int32",
	7: "int64",
	8: "string",
	9: "bool",
	10: "float16",
	11: "float64",
	12: "uint32",
	13: "uint64",
	14: "complex64",
	15: "complex128",
	16: "bfloat16",
};

/** A readable name for an ONNX element type, e.g. `"float16"`. */
export function onnxTypeName(dataType: number): string {
	return NAMES[dataType] ?? `type ${dataType}`;
}

function littleEndianCopy(raw: Uint8Array): DataView {
	// raw_data may sit at any offset inside the file's buffer; copy so typed views align.
	const copy = new Uint8Array(raw.length);
	copy.set(raw);
	return new DataView(copy.buffer);
}

function intsToArray(values: ArrayLike<number>): Int32Array | Float64Array {
	for (let i = 0; i < values.length; i++) {
		const v = values[i]!;
		if (v < -2147483648 || v > 2147483647) return Float64Array.from(values);
	}
	return Int32Array.from(values);
}

/**
 * Decodes a `TensorProto` into a typed array.
 * @param where names the tensor in error messages, e.g. `initializer "fc.weight"`.
 * @throws {ModelFormatError} for external data, an unsupported element type, or a byte
 * count that does not match the dims.
 */
export function readTensorProto(t: TensorProto, where: string): OnnxArray {
	const dims = (t.dims ?? []).map(Number);
	const dataType = t.dataType ?? 0;
	const count = dims.reduce((a, b) => a * b, 1);
	if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) {
		throw new ModelFormatError(
			`ONNX: ${where} keeps its data in an external file, which Cortex does not read; save the model with its weights inside the .onnx file`,
		);
	}
	const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
	const width: Record<number, number> = {
		1: 4,
		2: 1,
		3: 1,
		6: 4,
		7: 8,
		9: 1,
		11: 8,
	};
	const w = width[dataType];
	if (w === undefined) {
		throw new ModelFormatError(
			`ONNX: ${where} has element type ${onnxTypeName(dataType)}, which Cortex does not read (it reads float32, float64, int8/uint8, int32, int64 and bool)`,
		);
	}
	let values: ArrayLike<number>;
	if (raw) {
		if (raw.length !== count * w) {
			throw new ModelFormatError(
				`ONNX: ${where} has ${raw.length} bytes of data, but dims [${dims.join(", ")}] of ${onnxTypeName(dataType)} need ${count * w}`,
			);
		}
		const view = littleEndianCopy(raw);
		const out = new Float64Array(count);
		for (let i = 0; i < count; i++) {
			switch (dataType) {
				case 1:
					out[i] = view.getFloat32(i * 4, true);
					break;
				case 2:
				case 9:
					out[i] = view.getUint8(i);
					break;
				case 3:
					out[i] = view.getInt8(i);
					break;
				case 6:
					out[i] = view.getInt32(i * 4, true);
					break;
				case 7:
					out[i] = Number(view.getBigInt64(i * 8, true));
					break;
				default:
					out[i] = view.getFloat64(i * 8, true);
			}
		}
		values = out;
	} else {
		const fields: Record<number, ArrayLike<number> | null | undefined> = {
			1: t.floatData,
			2: t.int32Data,
			3: t.int32Data,
			6: t.int32Data,
			7: t.int64Data,
			9: t.int32Data,
			11: t.doubleData,
		};
		values = fields[dataType] ?? [];
		if (values.length !== count) {
			throw new ModelFormatError(
				`ONNX: ${where} has ${values.length} values, but dims [${dims.join(", ")}] hold ${count}`,
			);
		}
	}
	const data =
		dataType === 1
			? Float32Array.from(values)
			: dataType === 11
				? Float64Array.from(values)
				: intsToArray(values);
	return { dataType, dims, data };
}

/** Encodes float32 values as a `TensorProto` (raw little-endian data). */
export function floatTensorProto(
	name: string,
	dims: readonly number[],
	values: ArrayLike<number>,
): TensorProto {
	const bytes = new Uint8Array(values.length * 4);
	const view = new DataView(bytes.buffer);
	for (let i = 0; i < values.length; i++)
		view.setFloat32(i * 4, values[i]!, true);
	return {
		name,
		dims: [...dims],
		dataType: OnnxDataType.FLOAT,
		rawData: bytes,
	};
}

/** Encodes integers as an int64 `TensorProto` (shapes, axes, indices: ONNX wants int64 there). */
export function int64TensorProto(
	name: string,
	dims: readonly number[],
	values: ArrayLike<number>,
): TensorProto {
	const bytes = new Uint8Array(values.length * 8);
	const view = new DataView(bytes.buffer);
	for (let i = 0; i < values.length; i++)
		view.setBigInt64(i * 8, BigInt(values[i]!), true);
	return {
		name,
		dims: [...dims],
		dataType: OnnxDataType.INT64,
		rawData: bytes,
	};
}
