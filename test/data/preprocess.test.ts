import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabelEncoder, OneHotEncoder } from '../../src/data/encoders.js';
import { SimpleImputer } from '../../src/data/imputer.js';
import type { Matrix } from '../../src/data/matrix.js';
import { MinMaxScaler, StandardScaler } from '../../src/data/scalers.js';

interface Fixture {
  numeric: { train: number[][]; test: number[][] };
  standard: { mean: number[]; scale: number[]; train_out: number[][]; test_out: number[][] };
  minmax: { data_min: number[]; data_max: number[]; test_out: number[][] };
  minmax_range: { range: [number, number]; train_out: number[][]; test_out: number[][] };
  onehot: { train: string[][]; test: string[][]; categories: string[][]; train_out: number[][]; test_out_ignore: number[][] };
  label: { labels: string[]; classes: string[]; encoded: number[]; int_labels: number[]; int_classes: number[]; int_encoded: number[] };
  imputer: {
    train: (number | null)[][];
    test: (number | null)[][];
    mean: { statistics: number[]; test_out: number[][] };
    median: { statistics: number[]; test_out: number[][] };
    most_frequent: { statistics: number[]; test_out: number[][] };
    categorical: { train: (string | null)[][]; statistics: string[]; train_out: string[][] };
  };
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/preprocessing.json', import.meta.url), 'utf8')) as Fixture;
const quiet = { onWarning: () => {} };

function expectMatrix(got: Matrix, want: number[][], digits = 10): void {
  const [r, c] = got.shape;
  expect([r, c]).toEqual([want.length, want[0]!.length]);
  want.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(got.data[i * c + j]).toBeCloseTo(v, digits);
    });
  });
}

const nanRows = (rows: (number | null)[][]) => rows.map((r) => r.map((v) => (v === null ? Number.NaN : v)));

describe('preprocessing matches scikit-learn', () => {
  it('StandardScaler', () => {
    const s = new StandardScaler(quiet).fit(fx.numeric.train);
    for (const [j, m] of fx.standard.mean.entries()) expect(s.mean[j]).toBeCloseTo(m, 10);
    for (const [j, m] of fx.standard.scale.entries()) expect(s.scale[j]).toBeCloseTo(m, 10);
    expectMatrix(s.transform(fx.numeric.train), fx.standard.train_out);
    expectMatrix(s.transform(fx.numeric.test), fx.standard.test_out);
    expectMatrix(s.inverseTransform(s.transform(fx.numeric.test)), fx.numeric.test);
    expectMatrix(StandardScaler.fromJSON(JSON.parse(JSON.stringify(s))).transform(fx.numeric.test), fx.standard.test_out);
  });

  it('MinMaxScaler, to [0, 1] and to a given range', () => {
    const s = new MinMaxScaler(quiet).fit(fx.numeric.train);
    expect(s.dataMin).toEqual(fx.minmax.data_min);
    expect(s.dataMax).toEqual(fx.minmax.data_max);
    expectMatrix(s.transform(fx.numeric.test), fx.minmax.test_out);
    const r = new MinMaxScaler({ ...quiet, range: fx.minmax_range.range }).fit(fx.numeric.train);
    expectMatrix(r.transform(fx.numeric.train), fx.minmax_range.train_out);
    expectMatrix(MinMaxScaler.fromJSON(JSON.parse(JSON.stringify(r))).transform(fx.numeric.test), fx.minmax_range.test_out);
    expectMatrix(r.inverseTransform(r.transform(fx.numeric.test)), fx.numeric.test);
  });

  it('accepts a { data, shape } matrix such as a tensor', () => {
    const flat = { data: fx.numeric.test.flat(), shape: [fx.numeric.test.length, 4] };
    expectMatrix(new StandardScaler(quiet).fit(fx.numeric.train).transform(flat), fx.standard.test_out);
  });

  it('OneHotEncoder, with handleUnknown ignore', () => {
    const e = new OneHotEncoder().fit(fx.onehot.train);
    expect(e.categories).toEqual(fx.onehot.categories);
    expectMatrix(e.transform(fx.onehot.train), fx.onehot.train_out);
    const ig = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(new OneHotEncoder({ handleUnknown: 'ignore' }).fit(fx.onehot.train))));
    expectMatrix(ig.transform(fx.onehot.test), fx.onehot.test_out_ignore);
    expect(e.featureNames(['colour', 'size'])[0]).toBe('colour=blue');
  });

  it('LabelEncoder, for strings and numbers', () => {
    const e = new LabelEncoder().fit(fx.label.labels);
    expect(e.classes).toEqual(fx.label.classes);
    expect(Array.from(e.transform(fx.label.labels))).toEqual(fx.label.encoded);
    expect(e.inverseTransform([0, 2])).toEqual([fx.label.classes[0], fx.label.classes[2]]);
    const n = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(new LabelEncoder().fit(fx.label.int_labels))));
    expect(n.classes).toEqual(fx.label.int_classes);
    expect(Array.from(n.transform(fx.label.int_labels))).toEqual(fx.label.int_encoded);
  });

  it('SimpleImputer: mean, median, most frequent, and categories', () => {
    for (const strategy of ['mean', 'median', 'most_frequent'] as const) {
      const imp = new SimpleImputer({ strategy }).fit(nanRows(fx.imputer.train));
      const want = fx.imputer[strategy];
      for (const [j, v] of want.statistics.entries()) expect(imp.statistics[j]).toBeCloseTo(v, 12);
      const out = SimpleImputer.fromJSON(JSON.parse(JSON.stringify(imp))).transform(nanRows(fx.imputer.test));
      expect(out).toEqual(want.test_out);
    }
    const cat = new SimpleImputer({ strategy: 'most_frequent' }).fit(fx.imputer.categorical.train);
    expect(cat.statistics).toEqual(fx.imputer.categorical.statistics);
    expect(cat.transform(fx.imputer.categorical.train)).toEqual(fx.imputer.categorical.train_out);
    const flat = new SimpleImputer({ strategy: 'constant', fillValue: -1 }).fit({ data: [Number.NaN, 1], shape: [1, 2] });
    expect(Array.from(flat.transform({ data: [Number.NaN, Number.NaN], shape: [1, 2] }).data)).toEqual([-1, -1]);
  });
});
