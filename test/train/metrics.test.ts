import { describe, expect, it } from 'vitest';
import {
  accuracy,
  binaryAccuracy,
  confusionMatrix,
  f1Score,
  mae,
  mse,
  precision,
  r2Score,
  recall,
} from '../../src/train/metrics.js';

const t = (data: number[], shape: number[]) => ({ data: Float32Array.from(data), shape });

// Class ids, with predicted ids expressed as one-hot scores.
const yTrue = [0, 1, 2, 2, 1, 0, 2, 1, 1, 0];
const yPred = [0, 2, 2, 2, 1, 0, 1, 1, 0, 0];
const scores = t(
  yPred.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 0.8 : 0.1))),
  [10, 3],
);
const labels = { data: Int32Array.from(yTrue), shape: [10] };

describe('classification metrics (checked against scikit-learn)', () => {
  it('accuracy from scores and from one-hot targets', () => {
    expect(accuracy(scores, labels)).toBeCloseTo(0.7, 12);
    const oneHot = t(yTrue.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0))), [10, 3]);
    expect(accuracy(scores, oneHot)).toBeCloseTo(0.7, 12);
    // One score per sample: a binary problem thresholded at 0.5.
    expect(accuracy(t([0.9, 0.2, 0.6, 0.4], [4, 1]), t([1, 0, 0, 0], [4, 1]))).toBe(0.75);
  });

  it('binaryAccuracy with a threshold', () => {
    expect(binaryAccuracy(t([0.9, 0.2, 0.6, 0.4], [4]), t([1, 0, 0, 0], [4]))).toBe(0.75);
    expect(binaryAccuracy(t([2, -1, 0.5, -0.4], [4]), t([1, 0, 0, 0], [4]), 0)).toBe(0.75);
  });

  it('confusion matrix and macro precision / recall / F1', () => {
    expect(confusionMatrix(scores, labels)).toEqual([
      [3, 0, 0],
      [1, 2, 1],
      [0, 1, 2],
    ]);
    expect(precision(scores, labels)).toBeCloseTo(0.6944444444444443, 12);
    expect(recall(scores, labels)).toBeCloseTo(0.7222222222222222, 12);
    expect(f1Score(scores, labels)).toBeCloseTo(0.6984126984126985, 12);
  });

  it('rejects mismatched sample counts', () => {
    expect(() => accuracy(scores, t([1, 2], [2]))).toThrow(/different numbers of samples/);
  });
});

describe('regression metrics', () => {
  const y = t([1, 2, 3, 4], [4, 1]);
  const p = t([1.1, 1.9, 3.2, 3.7], [4, 1]);
  it('mae, mse, r2', () => {
    expect(mae(p, y)).toBeCloseTo(0.175, 6);
    expect(mse(p, y)).toBeCloseTo((0.01 + 0.01 + 0.04 + 0.09) / 4, 6);
    expect(r2Score(p, y)).toBeCloseTo(0.97, 6);
    expect(r2Score(y, y)).toBe(1);
  });
});
