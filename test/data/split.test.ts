import { describe, expect, it } from 'vitest';
import { kFold, stratifiedKFold, takeRows, trainTestSplit } from '../../src/data/split.js';

function counts(labels: ArrayLike<number>, idx: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < idx.length; i++) {
    const c = labels[idx[i]!]!;
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  return m;
}

describe('splits', () => {
  it('trainTestSplit is a seeded partition', () => {
    const a = trainTestSplit(100, { testSize: 0.2, seed: 7 });
    const b = trainTestSplit(100, { testSize: 0.2, seed: 7 });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(a.test.length).toBe(20);
    expect(new Set([...a.train, ...a.test]).size).toBe(100);
    expect(Array.from(trainTestSplit(100, { testSize: 0.2, seed: 8 }).test)).not.toEqual(Array.from(a.test));
    expect(Array.from(trainTestSplit(5, { testSize: 2, shuffle: false }).test)).toEqual([3, 4]);
  });

  it('a stratified split keeps class proportions to within one sample per class', () => {
    const labels: number[] = [];
    const sizes = [50, 31, 17, 3, 99];
    sizes.forEach((s, c) => {
      for (let i = 0; i < s; i++) labels.push(c);
    });
    const n = labels.length;
    for (const testSize of [0.1, 0.25, 0.33, 0.5, 37]) {
      for (const seed of [0, 1, 2]) {
        const { train, test } = trainTestSplit(n, { testSize, seed, stratify: labels });
        expect(train.length + test.length).toBe(n);
        const tc = counts(labels, test);
        const rc = counts(labels, train);
        sizes.forEach((s, c) => {
          const expected = (s * test.length) / n;
          expect(Math.abs((tc.get(c) ?? 0) - expected)).toBeLessThan(1);
          expect(Math.abs((rc.get(c) ?? 0) - (s - expected))).toBeLessThan(1);
        });
      }
    }
  });

  it('stratifies on string labels too', () => {
    const labels = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'a'];
    const { test } = trainTestSplit(8, { testSize: 0.5, stratify: labels });
    expect(Array.from(test).filter((i) => labels[i] === 'a').length).toBeGreaterThanOrEqual(2);
  });

  it('kFold covers every row once with even folds', () => {
    const folds = kFold(23, 5, { shuffle: true, seed: 1 });
    const seen = folds.flatMap((f) => Array.from(f.test));
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
    expect(folds.map((f) => f.test.length)).toEqual([5, 5, 5, 4, 4]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(23);
    expect(Array.from(kFold(4, 2)[0]!.test)).toEqual([0, 1]);
  });

  it('stratifiedKFold keeps each class within one sample of its share', () => {
    const labels = [...Array(40).fill(0), ...Array(13).fill(1), ...Array(7).fill(2)];
    const folds = stratifiedKFold(labels, 4, { shuffle: true, seed: 3 });
    for (const f of folds) {
      const c = counts(labels, f.test);
      expect(Math.abs((c.get(0) ?? 0) - 10)).toBeLessThanOrEqual(1);
      expect(Math.abs((c.get(1) ?? 0) - 13 / 4)).toBeLessThan(1);
      expect(Math.abs((c.get(2) ?? 0) - 7 / 4)).toBeLessThan(1);
    }
    expect(new Set(folds.flatMap((f) => Array.from(f.test))).size).toBe(60);
  });

  it('takeRows gathers rows', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(takeRows(x, 2, [2, 0]))).toEqual([5, 6, 1, 2]);
  });

  it('takeRows keeps the array type and allows repeated rows', () => {
    const labels = Int32Array.from([7, 8, 9]);
    const picked = takeRows(labels, 1, [1, 1, 2]);
    expect(picked).toBeInstanceOf(Int32Array);
    expect(Array.from(picked)).toEqual([8, 8, 9]);
    expect(takeRows(Float64Array.from([1, 2]), 2, [0])).toBeInstanceOf(Float64Array);
  });

  it('rejects bad arguments', () => {
    expect(() => trainTestSplit(10, { testSize: 1.5 })).toThrow(/testSize/);
    expect(() => kFold(3, 5)).toThrow(/at least 5 rows/);
  });
});
