import { describe, expect, it } from 'vitest';
import { makeTable } from '../../src/data/table.js';
import { ClassificationTally, confusionTable, metricsTable, RegressionTally } from '../../src/cli/metrics.js';
import { findIdColumn, inferTask, softmaxRows } from '../../src/cli/model-data.js';
import { delimiter, fraction, positiveInt, sizeList } from '../../src/cli/options.js';
import { describeImputed, UnseenCategories } from '../../src/cli/tables.js';
import { Generator } from '../../src/tensor/random.js';
import { accuracy, confusionMatrix, f1Score, mae, precision, r2Score, recall } from '../../src/train/metrics.js';

const plain = { bold: (s: string) => s, dim: (s: string) => s, red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, cyan: (s: string) => s };

describe('CLI metrics agree with src/train/metrics', () => {
  it('classification, accumulated in chunks', () => {
    const g = new Generator(1);
    const n = 500;
    const k = 4;
    const scores = Float32Array.from({ length: n * k }, () => g.nextNormal());
    const labels = Int32Array.from({ length: n }, (_, i) => (g.nextFloat() < 0.6 ? scores.subarray(i * k, i * k + k).indexOf(Math.max(...scores.subarray(i * k, i * k + k))) : g.nextInt(0, 3)));
    const tally = new ClassificationTally(k);
    for (let s = 0; s < n; s += 128) {
      const m = Math.min(128, n - s);
      tally.add(scores.subarray(s * k, (s + m) * k), labels.subarray(s, s + m), m);
    }
    const r = tally.result();
    const pred = { data: scores, shape: [n, k] };
    const target = { data: labels, shape: [n] };
    expect(r.accuracy).toBeCloseTo(accuracy(pred, target), 12);
    expect(r.f1).toBeCloseTo(f1Score(pred, target), 12);
    expect(r.precision).toBeCloseTo(precision(pred, target), 12);
    expect(r.recall).toBeCloseTo(recall(pred, target), 12);
    expect(r.confusion).toEqual(confusionMatrix(pred, target, k));
    expect(confusionTable(r.confusion, ['a', 'b', 'c', 'd'], plain).split('\n')).toHaveLength(5);
  });

  it('regression (MAE, RMSE, R²) with Welford accumulation', () => {
    const g = new Generator(2);
    const n = 1000;
    const y = Float64Array.from({ length: n }, () => 1000 + g.nextNormal() * 3);
    const p = Float64Array.from(y, (v) => v + g.nextNormal() * 0.5);
    const tally = new RegressionTally();
    tally.add(p.subarray(0, 300), y.subarray(0, 300), 300);
    tally.add(p.subarray(300), y.subarray(300), 700);
    const r = tally.result();
    const pred = { data: p, shape: [n] };
    const target = { data: y, shape: [n] };
    expect(r.mae).toBeCloseTo(mae(pred, target), 10);
    expect(r.r2).toBeCloseTo(r2Score(pred, target), 8);
    expect(r.rmse).toBeGreaterThan(0.4);
    expect(metricsTable([['test', r]], plain)).toMatch(/R²\s+0\.9\d{3}/);
  });

  it('softmax rows sum to one and survive large logits', () => {
    const p = softmaxRows([1000, 0, -1000, 1, 2, 3], 2, 3);
    expect(p[0]).toBe(1);
    expect(p[3]! + p[4]! + p[5]!).toBeCloseTo(1, 12);
  });
});

describe('task and id detection', () => {
  it('infers the task from the target column', () => {
    const t = makeTable({
      a: [1, 2, 3, 4, 5, 6, 7, 8],
      label: ['x', 'y', 'x', 'y', 'x', 'y', 'x', 'y'],
      ints: [0, 1, 2, 0, 1, 2, 0, 1],
      floats: [0.5, 1, 2, 3, 4, 5, 6, 7],
      many: [1, 2, 3, 4, 5, 6, 7, 8],
    });
    expect(inferTask(t, 'label')).toBe('classification');
    expect(inferTask(t, 'ints')).toBe('classification');
    expect(inferTask(t, 'floats')).toBe('regression');
    expect(inferTask(t, 'many')).toBe('regression'); // as many distinct values as rows
  });

  it('finds a unique id column, or the one given', () => {
    const t = makeTable({ customer_id: ['a', 'b', 'c'], id2: [1, 1, 2], x: [1, 2, 3], y: ['p', 'q', 'p'] });
    expect(findIdColumn(t, 'y')).toBe('customer_id');
    expect(findIdColumn(t, 'y', 'x')).toBe('x');
    const dup = makeTable({ id: [1, 1, 2], x: [1, 2, 3], y: ['p', 'q', 'p'] });
    expect(findIdColumn(dup, 'y')).toBeNull();
  });
});

describe('option parsing', () => {
  it('accepts good values and names the option in errors', () => {
    expect(sizeList('--layers', '64, 32')).toEqual([64, 32]);
    expect(sizeList('--layers', '')).toEqual([]);
    expect(() => sizeList('--layers', '64,0')).toThrow(/--layers \(each size\) must be a positive integer, got "0"/);
    expect(positiveInt('--epochs', '12')).toBe(12);
    expect(() => positiveInt('--epochs', '1.5')).toThrow(/--epochs/);
    expect(fraction('--val-split', '0')).toBe(0);
    expect(() => fraction('--val-split', '1')).toThrow(/\[0, 1\)/);
    expect(delimiter('--delimiter', ';')).toBe(';');
    expect(delimiter('--delimiter', 'tab')).toBe('\t');
    expect(delimiter('--delimiter', '\\t')).toBe('\t');
    expect(() => delimiter('--delimiter', '"')).toThrow(/--delimiter must be one character/);
    expect(() => delimiter('--delimiter', '')).toThrow(/--delimiter/);
  });
});

describe('real-world tables', () => {
  it('describes what was imputed', () => {
    expect(describeImputed([])).toBeNull();
    expect(
      describeImputed([
        { column: 'age', strategy: 'mean', value: 29.69911764, cells: 10 },
        { column: 'embarked', strategy: 'most_frequent', value: 'S', cells: 2 },
      ]),
    ).toBe("imputed 12 missing cells: age (mean 29.7) 10, embarked (most frequent 'S') 2");
    expect(describeImputed([{ column: 'x', strategy: 'median', value: 3, cells: 1 }])).toBe('imputed 1 missing cell: x (median 3) 1');
  });

  it('counts rows with unseen categories over chunks and words one warning', () => {
    const u = new UnseenCategories(['city', 'kind'], [['Paris', 'Rome'], ['a', 'b']]);
    u.check(makeTable({ city: ['Paris', 'Oslo', null, 'Oslo'], kind: ['a', 'c', 'z', 'b'] }));
    u.check(makeTable({ city: ['Bergen', 'Lima', 'Kyiv', 'Rome'], kind: ['a', 'a', 'a', 'a'] }));
    expect(u.rows).toBe(6);
    expect(u.warning()).toBe("6 rows had categories not seen in training (column 'city': 'Oslo', 'Bergen', 'Lima', ...; column 'kind': 'c', 'z'); encoded as all zeros");
    const one = new UnseenCategories(['city'], [['Paris']]);
    expect(one.warning()).toBeNull();
    one.check(makeTable({ city: ['Oslo'] }));
    expect(one.warning('validation rows')).toBe("1 validation row had a category not seen in training (column 'city': 'Oslo'); encoded as all zeros");
  });
});
