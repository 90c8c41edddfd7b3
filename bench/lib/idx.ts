/**
 * A small reader for the IDX format of (Fashion-)MNIST, gzipped or not, and a
 * loader for the four Fashion-MNIST files. Only the unsigned-byte element type
 * is needed here.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const DEBIAN_FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Names of the four files, as distributed. */
export const FASHION_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** A decoded IDX array of unsigned bytes. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Decodes an IDX buffer (gunzipped first when it starts with the gzip magic). */
export function parseIdx(buf: Uint8Array, name = '<buffer>'): IdxArray {
  const bytes = buf[0] === 0x1f && buf[1] === 0x8b ? new Uint8Array(gunzipSync(buf)) : buf;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file (bad magic number)`);
  }
  if (bytes[2] !== 0x08) {
    throw new Error(`${name}: IDX element type 0x${(bytes[2] ?? 0).toString(16)} is not supported, only unsigned bytes (0x08)`);
  }
  const ndim = bytes[3] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const offset = 4 + 4 * ndim;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== size) {
    throw new Error(`${name}: header says ${size} elements of shape [${shape.join(', ')}], file has ${bytes.length - offset}`);
  }
  return { shape, data: bytes.subarray(offset) };
}

/** Reads one IDX file from disk. */
export function readIdx(path: string): IdxArray {
  return parseIdx(new Uint8Array(readFileSync(path)), path);
}

/** Fashion-MNIST as float pixels in [0, 1] and byte labels. */
export interface FashionMnist {
  /** [trainCount * 784], row-major, scaled to [0, 1]. */
  trainX: Float32Array;
  trainY: Uint8Array;
  testX: Float32Array;
  testY: Uint8Array;
  trainCount: number;
  testCount: number;
  /** 784. */
  features: number;
}

/** True when all four files are present in `dir`. */
export function hasFashionMnist(dir: string = DEBIAN_FASHION_DIR): boolean {
  return Object.values(FASHION_FILES).every((f) => existsSync(join(dir, f)));
}

function toFloat(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (bytes[i] ?? 0) / 255;
  return out;
}

/** Loads Fashion-MNIST, keeping the first `trainLimit` training samples. */
export function loadFashionMnist(dir: string = DEBIAN_FASHION_DIR, trainLimit = Number.POSITIVE_INFINITY): FashionMnist {
  const trI = readIdx(join(dir, FASHION_FILES.trainImages));
  const trL = readIdx(join(dir, FASHION_FILES.trainLabels));
  const teI = readIdx(join(dir, FASHION_FILES.testImages));
  const teL = readIdx(join(dir, FASHION_FILES.testLabels));
  const features = (trI.shape[1] ?? 0) * (trI.shape[2] ?? 0);
  const trainCount = Math.min(trI.shape[0] ?? 0, trainLimit);
  const testCount = teI.shape[0] ?? 0;
  return {
    trainX: toFloat(trI.data, trainCount * features),
    trainY: trL.data.slice(0, trainCount),
    testX: toFloat(teI.data, testCount * features),
    testY: teL.data.slice(),
    trainCount,
    testCount,
    features,
  };
}
