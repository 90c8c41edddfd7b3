/**
 * Node only: IDX files from disk (raw or gzipped, unpacked with zlib), and MNIST-style
 * data sets. Fashion-MNIST is read by default from Debian's `dataset-fashion-mnist`
 * package, found with `dpkg -L`; no network is used.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ClassificationSet } from '../generators.js';
import { FASHION_MNIST_CLASSES, type IdxArray, imagesAndLabels, isGzip, parseIdx } from '../idx.js';
import { dataError } from '../where.js';

/** Where Debian's package puts the files when `dpkg` cannot be asked. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const INSTALL_HINT = 'Run `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass { dir } with the folder that holds the IDX files';

/** Reads an IDX file, gzipped or not. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw dataError({ file: path, what: 'the file does not exist or cannot be read', fix: 'Check the path' });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw dataError({ file: path, what: `the gzip data cannot be unpacked (${e instanceof Error ? e.message : String(e)})`, fix: 'The file is damaged; download or install it again' });
    }
  }
  return parseIdx(bytes, path);
}

/** The folder of Debian's Fashion-MNIST files, from `dpkg -L dataset-fashion-mnist`, or null. */
export function findFashionMnistDir(): string | null {
  try {
    const out = execFileSync('dpkg', ['-L', 'dataset-fashion-mnist'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const hit = out.split('\n').find((l) => /train-images-idx3-ubyte(\.gz)?$/.test(l.trim()));
    if (hit) return dirname(hit.trim());
  } catch {
    // dpkg missing or package not installed: fall through
  }
  return existsSync(DEBIAN_FASHION_MNIST_DIR) ? DEBIAN_FASHION_MNIST_DIR : null;
}

/** Options of {@link loadFashionMnist} and {@link loadMnist}. */
export interface MnistOptions {
  /** `'train'` (60000 images) or `'test'` (10000). Default `'train'`. */
  split?: 'train' | 'test';
  /** The folder of the IDX files (`train-images-idx3-ubyte[.gz]`, ...). */
  dir?: string;
  /** Keep only the first `limit` images. */
  limit?: number;
}

function filePath(dir: string, base: string): string {
  for (const p of [join(dir, `${base}.gz`), join(dir, base)]) if (existsSync(p)) return p;
  throw dataError({ file: join(dir, `${base}.gz`), what: 'the file is missing (looked for the raw and the .gz file)', fix: INSTALL_HINT });
}

async function loadPair(dir: string, opts: MnistOptions): Promise<ClassificationSet> {
  const prefix = (opts.split ?? 'train') === 'train' ? 'train' : 't10k';
  const imagesPath = filePath(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = filePath(dir, `${prefix}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  return imagesAndLabels(images, labels, { images: imagesPath, labels: labelsPath }, opts.limit);
}

/**
 * Fashion-MNIST: 28x28 grey images of clothes in 10 classes ({@link FASHION_MNIST_CLASSES}),
 * as `x` float32 `[n, 784]` in [0, 1] and `y` int32 labels.
 */
export async function loadFashionMnist(opts: MnistOptions = {}): Promise<ClassificationSet & { classNames: readonly string[] }> {
  const dir = opts.dir ?? findFashionMnistDir();
  if (dir === null) {
    throw dataError({ file: `${DEBIAN_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`, what: 'Fashion-MNIST is not installed', fix: INSTALL_HINT });
  }
  return { ...(await loadPair(dir, opts)), classNames: FASHION_MNIST_CLASSES };
}

/** MNIST (or any data set in the same four-file IDX layout) from a folder you give. */
export async function loadMnist(opts: MnistOptions & { dir: string }): Promise<ClassificationSet> {
  return loadPair(opts.dir, opts);
}
