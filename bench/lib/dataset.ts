/**
 * Fashion-MNIST for the benchmark peers, read with Cortex's own IDX reader
 * (`src/data/node/idx-file.ts`), which finds Debian's `dataset-fashion-mnist`
 * through `dpkg -L`.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN_FASHION_MNIST_DIR, findFashionMnistDir, loadFashionMnist as loadSplit } from 'cortex-nn/node';

/** Fashion-MNIST as float pixels in [0, 1] and int32 labels. */
export interface FashionMnist {
  /** [trainCount * features], row-major, scaled to [0, 1]. */
  trainX: Float32Array;
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
  trainCount: number;
  testCount: number;
  /** 784. */
  features: number;
}

/** The Fashion-MNIST folder: where dpkg says the package put it, else Debian's usual place. */
export function defaultFashionDir(): string {
  return findFashionMnistDir() ?? DEBIAN_FASHION_MNIST_DIR;
}

/** True when the four files (raw or gzipped) are in `dir`. */
export function hasFashionMnist(dir: string): boolean {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every(
    (f) => existsSync(join(dir, `${f}.gz`)) || existsSync(join(dir, f)),
  );
}

/** Loads both splits, keeping the first `trainLimit` training samples. */
export async function loadFashionMnist(dir: string, trainLimit = Number.POSITIVE_INFINITY): Promise<FashionMnist> {
  const limit = Number.isFinite(trainLimit) ? trainLimit : undefined;
  const [train, test] = await Promise.all([loadSplit({ dir, split: 'train', limit }), loadSplit({ dir, split: 'test' })]);
  return {
    trainX: train.x,
    trainY: train.y,
    testX: test.x,
    testY: test.y,
    trainCount: train.n,
    testCount: test.n,
    features: train.features,
  };
}
