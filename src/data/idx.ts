/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type
 * code, the number of dimensions, each dimension as 32 bits) followed by the values.
 * Gzipped files are unpacked with the web `DecompressionStream`, so this module runs in
 * browsers; Node reads files with `./node/idx-file.ts`.
 * @module
 */
import type { ClassificationSet } from './generators.js';
import { dataError } from './where.js';

/** The values of an IDX file and their shape. */
export interface IdxArray {
  /** The values, in the file's element type. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  /** Dimensions, outermost first (for images `[n, rows, cols]`). */
  shape: number[];
}

/** Element types by IDX type code (0x08, 0x09, 0x0B to 0x0E). */
const TYPES: Record<number, { name: string; bytes: number }> = {
  8: { name: 'uint8', bytes: 1 },
  9: { name: 'int8', bytes: 1 },
  11: { name: 'int16', bytes: 2 },
  12: { name: 'int32', bytes: 4 },
  13: { name: 'float32', bytes: 4 },
  14: { name: 'float64', bytes: 8 },
};

/** The ten Fashion-MNIST classes, by label id. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Whether `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Unpacks gzip with the web `DecompressionStream` (browsers, Node 18+). */
export async function gunzip(bytes: Uint8Array, source = '<bytes>'): Promise<Uint8Array> {
  try {
    const copy = new Uint8Array(bytes);
    const stream = new Blob([copy]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw dataError({ file: source, what: `the gzip data cannot be unpacked (${e instanceof Error ? e.message : String(e)})`, fix: 'The file is damaged; download or install it again' });
  }
}

/** Parses an (unpacked) IDX file. Bad headers and truncated files are {@link DataError}s. */
export function parseIdx(bytes: Uint8Array, source = '<bytes>'): IdxArray {
  const bad = (what: string) => dataError({ file: source, what, fix: 'Check that this is an IDX file (MNIST format), unpacked or gzipped, and not damaged' });
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad('the file does not start with the IDX magic number (two zero bytes)');
  const type = TYPES[bytes[2]!];
  if (type === undefined) throw bad(`unknown IDX element type code 0x${bytes[2]!.toString(16)}`);
  const ndim = bytes[3]!;
  if (ndim < 1 || bytes.length < 4 + 4 * ndim) throw bad(`the header is truncated or has ${ndim} dimensions`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let k = 0; k < ndim; k++) shape.push(view.getUint32(4 + 4 * k, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  const need = count * type.bytes;
  if (bytes.length - start !== need) {
    throw bad(`the header announces shape [${shape.join(', ')}] of ${type.name} (${need} bytes of data) but the file holds ${bytes.length - start}`);
  }
  switch (type.name) {
    case 'uint8':
      return { data: bytes.slice(start), shape };
    case 'int8':
      return { data: new Int8Array(bytes.slice(start).buffer), shape };
    case 'int16':
      return { data: Int16Array.from({ length: count }, (_, i) => view.getInt16(start + 2 * i, false)), shape };
    case 'int32':
      return { data: Int32Array.from({ length: count }, (_, i) => view.getInt32(start + 4 * i, false)), shape };
    case 'float32':
      return { data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(start + 4 * i, false)), shape };
    default:
      return { data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(start + 8 * i, false)), shape };
  }
}

/** Parses IDX bytes, unpacking them first when they are gzipped. */
export async function decodeIdx(bytes: Uint8Array, source = '<bytes>'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, source) : bytes, source);
}

/**
 * Pairs an image file and a label file into a classification set: pixels scaled to
 * [0, 1], one flattened row per image (`features = rows * cols`), int32 labels.
 * `limit` keeps only the first images.
 */
export function imagesAndLabels(images: IdxArray, labels: IdxArray, names: { images: string; labels: string }, limit?: number): ClassificationSet {
  const [count = 0, h = 0, w = 0] = images.shape;
  if (images.shape.length !== 3) {
    throw dataError({ file: names.images, what: `expected images of shape [n, rows, cols], got [${images.shape.join(', ')}]`, fix: 'Pass the images file first and the labels file second' });
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw dataError({ file: names.labels, what: `expected ${count} labels for ${count} images, got shape [${labels.shape.join(', ')}]`, fix: 'Pair the images with the labels file of the same split' });
  }
  const n = limit === undefined ? count : Math.min(count, Math.max(0, Math.floor(limit)));
  const d = h * w;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = images.data[i]! / 255;
  const y = Int32Array.from(labels.data.subarray(0, n));
  const classes = y.reduce((m, v) => Math.max(m, v + 1), 0);
  return { x, y, n, features: d, classes: Math.max(classes, 10) };
}
