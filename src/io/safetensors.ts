/**
 * Reading and writing the safetensors layout, in the browser and in Node:
 *
 * ```
 * [8 bytes: N, little-endian u64][N bytes: JSON header, space-padded][tensor data]
 * ```
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }`
 * (offsets relative to the start of the data), plus an optional `__metadata__` map of
 * strings. Tensors are stored little-endian and back to back. Every malformed input is a
 * {@link ModelFormatError} that names the source and the exact problem.
 * @module
 */
import { ModelFormatError } from '../errors.js';
import { firstDuplicateKey } from './json-keys.js';

/** Element types this reader and writer support. */
export type SafeDType = 'F32' | 'F64' | 'I32';

/** Typed storage of one tensor. */
export type TensorStorage = Float32Array | Float64Array | Int32Array;

/** A tensor to write: its storage and shape. */
export interface TensorRecord {
  readonly data: TensorStorage;
  readonly shape: readonly number[];
}

/** A tensor read back, with its element type. */
export interface DecodedTensor extends TensorRecord {
  readonly dtype: SafeDType;
}

/** One tensor's entry in the header: where its bytes lie in the data section. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  /** Byte offsets `[begin, end)` from the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

/** The contents of a safetensors buffer. */
export interface DecodedSafetensors {
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Record<string, string>;
  /** The tensors, in file order. */
  readonly tensors: Map<string, DecodedTensor>;
  /** The header's tensor entries, in file order. */
  readonly entries: readonly TensorEntry[];
  /** The raw data section (for checksums). */
  readonly dataBytes: Uint8Array;
}

const BYTES: Record<SafeDType, number> = { F32: 4, F64: 8, I32: 4 };
const MAX_HEADER = 100 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(data: TensorStorage): SafeDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  return 'I32';
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Encodes tensors and metadata strings into one safetensors buffer. Tensors are written in
 * the order given; the header is padded with spaces so the data starts 8-byte aligned.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors([['w', { data: new Float32Array(6), shape: [2, 3] }]], { note: 'hi' });
 * ```
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorRecord]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const list = [...tensors];
  const entries = tensorEntries(list);
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  for (const e of entries) header[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [e.begin, e.end] };
  const offset = entries.length === 0 ? 0 : entries[entries.length - 1]!.end;
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - ((8 + headerBytes.length) % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  list.forEach(([, t], i) => {
    const e = entries[i]!;
    writeLE(view, base + e.begin, t.data, e.dtype);
  });
  return out;
}

/**
 * The header entries {@link encodeSafetensors} writes for `tensors` (in that order, back
 * to back). Throws on a duplicate or reserved name and on a shape that does not match the data.
 */
export function tensorEntries(tensors: readonly (readonly [string, TensorRecord])[]): TensorEntry[] {
  const entries: TensorEntry[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__' || names.has(name)) throw new ModelFormatError(`safetensors: duplicate or reserved tensor name '${name}'`);
    names.add(name);
    const dtype = dtypeOf(t.data);
    if (numel(t.shape) !== t.data.length) {
      throw new ModelFormatError(`safetensors: tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}]`);
    }
    const size = t.data.length * BYTES[dtype];
    entries.push({ name, dtype, shape: [...t.shape], begin: offset, end: offset + size });
    offset += size;
  }
  return entries;
}

/**
 * The header's content in a canonical form, for a checksum that covers it: the metadata
 * strings except `skip` (the checksum's own key) and every tensor entry, each sorted by
 * name, as UTF-8 JSON. Whitespace, key order and padding do not change it; any change of
 * a value does.
 */
export function canonicalHeader(metadata: Record<string, string>, entries: readonly TensorEntry[], skip: string): Uint8Array {
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const meta = Object.keys(metadata)
    .filter((k) => k !== skip)
    .sort(byName)
    .map((k) => [k, metadata[k]]);
  const table = [...entries].sort((a, b) => byName(a.name, b.name)).map((e) => [e.name, e.dtype, e.shape, e.begin, e.end]);
  return new TextEncoder().encode(JSON.stringify([meta, table]));
}

function writeLE(view: DataView, at: number, data: TensorStorage, dtype: SafeDType): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(view.buffer, at, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === 'F32') view.setFloat32(at + 4 * i, v, true);
    else if (dtype === 'F64') view.setFloat64(at + 8 * i, v, true);
    else view.setInt32(at + 4 * i, v, true);
  }
}

function readLE(bytes: Uint8Array, dtype: SafeDType, count: number): TensorStorage {
  const copy = bytes.slice(); // a fresh, aligned buffer
  if (LITTLE_ENDIAN) {
    if (dtype === 'F32') return new Float32Array(copy.buffer, 0, count);
    if (dtype === 'F64') return new Float64Array(copy.buffer, 0, count);
    return new Int32Array(copy.buffer, 0, count);
  }
  const view = new DataView(copy.buffer);
  const out = dtype === 'F32' ? new Float32Array(count) : dtype === 'F64' ? new Float64Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = dtype === 'F32' ? view.getFloat32(4 * i, true) : dtype === 'F64' ? view.getFloat64(8 * i, true) : view.getInt32(4 * i, true);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(source: string, name: string, raw: unknown): TensorEntry {
  const bad = (what: string) => new ModelFormatError(`${source}: tensor '${name}' in the header ${what}`);
  if (!isRecord(raw)) throw bad('is not an object');
  const { dtype, shape, data_offsets: offsets } = raw;
  if (dtype !== 'F32' && dtype !== 'F64' && dtype !== 'I32') {
    throw bad(`has dtype ${JSON.stringify(dtype)}; Cortex reads F32, F64 and I32`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`has an invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const want = numel(shape as number[]) * BYTES[dtype];
  if (end - begin !== want) {
    throw bad(`covers ${end - begin} bytes, but ${dtype} shape [${(shape as number[]).join(', ')}] needs ${want}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * Decodes a safetensors buffer, checking the header length, the JSON, every entry's
 * dtype, shape and byte length, that the tensors tile the data section exactly, and
 * that the buffer is neither truncated nor followed by extra bytes.
 *
 * @param source - a file name or label used in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): DecodedSafetensors {
  const fail = (what: string) => new ModelFormatError(`${source}: ${what}`);
  if (bytes.length < 8) {
    throw fail(`the file is ${bytes.length} bytes long, too short for a model file (the 8-byte header length is missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER) throw fail(`the header length field (${hi * 2 ** 32 + lo} bytes) is not plausible; this is not a safetensors model file`);
  if (8 + lo > bytes.length) {
    throw fail(`the file is truncated: the header needs ${lo} bytes but only ${bytes.length - 8} follow the length field`);
  }
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo));
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`the header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(header)) throw fail('the header is not a JSON object');
  const twice = firstDuplicateKey(text);
  if (twice !== null) throw fail(`the header names '${twice}' twice in one object; a reader could take either value`);
  const metadata: Record<string, string> = {};
  const meta = header.__metadata__;
  if (meta !== undefined) {
    if (!isRecord(meta)) throw fail('__metadata__ in the header is not an object');
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw fail(`__metadata__ entry '${k}' is not a string`);
      metadata[k] = v;
    }
  }
  const entries = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([k, v]) => parseEntry(source, k, v));
  const data = bytes.subarray(8 + lo);
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) {
      throw fail(
        e.begin < expected
          ? `tensor '${e.name}' overlaps the previous tensor (it starts at byte ${e.begin}, the previous one ends at ${expected})`
          : `there is a gap in the tensor data before tensor '${e.name}' (bytes ${expected}..${e.begin})`,
      );
    }
    expected = e.end;
  }
  if (data.length < expected) {
    throw fail(`the file is truncated: the header describes ${expected} bytes of tensor data but only ${data.length} are present`);
  }
  if (data.length > expected) {
    throw fail(`the file has ${data.length - expected} unexpected bytes after the tensor data`);
  }
  const tensors = new Map<string, DecodedTensor>();
  for (const e of entries) {
    const count = numel(e.shape);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readLE(data.subarray(e.begin, e.end), e.dtype, count) });
  }
  return { metadata, tensors, entries, dataBytes: data };
}
