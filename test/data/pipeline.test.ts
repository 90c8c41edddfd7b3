import { describe, expect, it } from 'vitest';
import { parseCsv, streamCsv } from '../../src/data/csv.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { ArgumentError, DataError } from '../../src/errors.js';
import { makeTable, selectRows } from '../../src/data/table.js';

const quiet = { onWarning: () => {} };
const text = 'age,city,income,label\n30,Oslo,50,yes\n40,Rome,70,no\n50,Oslo,60,yes\n20,Lima,40,no\n';

describe('TablePipeline', () => {
  it('scales numeric columns, one-hot encodes categorical ones and encodes the target', () => {
    const t = parseCsv(text, { target: 'label' });
    const pipe = new TablePipeline(quiet).fit(t);
    expect(pipe.featureNames).toEqual(['age', 'income', 'city=Lima', 'city=Oslo', 'city=Rome']);
    expect(pipe.classes).toEqual(['no', 'yes']);
    const enc = pipe.transform(t);
    expect([enc.rows, enc.cols]).toEqual([4, 5]);
    expect(Array.from(enc.y!)).toEqual([1, 0, 1, 0]);
    expect(enc.y).toBeInstanceOf(Int32Array);
    const age = [0, 1, 2, 3].map((i) => enc.x[i * 5]!);
    expect(age.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(Math.sqrt(age.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 5);
    expect(Array.from(enc.x.slice(2, 5))).toEqual([0, 1, 0]);
    expect(pipe.decodeTarget([0, 1])).toEqual(['no', 'yes']);
  });

  it('round-trips through JSON and transforms alike', () => {
    const t = parseCsv(text, { target: 'label' });
    const pipe = new TablePipeline({ ...quiet, numeric: 'minmax' }).fit(t);
    const json = JSON.parse(JSON.stringify(pipe));
    const back = TablePipeline.fromJSON(json);
    expect(Array.from(back.transform(t).x)).toEqual(Array.from(pipe.transform(t).x));
    expect(back.columnTypes()).toEqual({ age: 'numeric', income: 'numeric', city: 'categorical', label: 'categorical' });
  });

  it('rejects a malformed saved state with an ArgumentError that names the field', () => {
    const t = parseCsv(text, { target: 'label' });
    const json = JSON.parse(JSON.stringify(new TablePipeline(quiet).fit(t))) as Record<string, unknown>;
    type Node = Record<string | number, unknown>;
    // The object or list at `keys` inside `o`, for editing.
    const at = (o: unknown, ...keys: (string | number)[]): Node => keys.reduce<unknown>((x, k) => (x as Node)[k], o) as Node;
    const broken = (edit: (j: Node) => void): unknown => {
      const j = structuredClone(json);
      edit(j);
      return j;
    };
    const cases: [(j: Node) => void, RegExp][] = [
      [(j) => { at(j, 'scaler', 'mean')[1] = 'x'; }, /scaler\.mean\[1\] must be a finite number, got "x"/],
      [(j) => { at(j, 'scaler').scale = null; }, /scaler\.scale must be a list, got null/],
      [(j) => { at(j, 'scaler').type = 'Scaler'; }, /scaler\.type must be "StandardScaler", got "Scaler"/],
      [(j) => { j.numeric = 'age'; }, /numeric must be a list, got "age"/],
      [(j) => { at(j, 'encoder').handleUnknown = 'maybe'; }, /encoder\.handleUnknown must be one of error, ignore, got "maybe"/],
      [(j) => { at(j, 'target', 'encoder', 'classes')[0] = {}; }, /target\.encoder\.classes\[0\] must be a finite number, got \{\}/],
      [(j) => { at(j, 'target').task = 'ranking'; }, /target\.task must be one of classification, regression/],
      [(j) => { j.version = 2; }, /expected a version 1 TablePipeline/],
    ];
    for (const [edit, message] of cases) {
      expect(() => TablePipeline.fromJSON(broken(edit))).toThrow(ArgumentError);
      expect(() => TablePipeline.fromJSON(broken(edit))).toThrow(message);
    }
    expect(() => TablePipeline.fromJSON(null)).toThrow(/the pipeline must be an object, got null/);
  });

  it('is fitted on training rows only and applies chunk by chunk', async () => {
    let big = 'x,c,y\n';
    for (let i = 0; i < 1000; i++) big += `${i},${['a', 'b', 'c'][i % 3]},${(i * 0.5).toFixed(1)}\n`;
    const whole = parseCsv(big, { target: 'y' });
    const train = selectRows(whole, Array.from({ length: 500 }, (_, i) => i));
    const pipe = new TablePipeline(quiet).fit(train);
    expect(pipe.toJSON().target?.task).toBe('regression');
    const all = pipe.transform(whole);
    const parts: number[] = [];
    for await (const chunk of streamCsv(big, { target: 'y', chunkRows: 128, types: pipe.columnTypes() })) {
      parts.push(...pipe.transform(chunk).x);
    }
    expect(parts).toEqual(Array.from(all.x));
    // mean of x over the training rows is 249.5, so row 249/250 straddle zero
    expect(all.x[249 * all.cols]! < 0 && all.x[250 * all.cols]! > 0).toBe(true);
    expect(all.y).toBeInstanceOf(Float32Array);
  });

  it('features only, explicit feature list, imputation of categories, numeric categories', () => {
    const t = makeTable({ a: [1, 2, 3], b: ['u', null, 'u'], code: [1, 2, 1] });
    const pipe = new TablePipeline({ ...quiet, target: null, features: ['b', 'code'], numeric: 'none', impute: { categorical: 'most_frequent' } }).fit(t);
    const enc = pipe.transform(t);
    expect(enc.y).toBeNull();
    expect(pipe.featureNames).toEqual(['code', 'b=u']);
    expect(Array.from(enc.x)).toEqual([1, 1, 2, 1, 1, 1]);
    const asText = makeTable({ b: ['u', 'u'], code: ['1', '2'] });
    expect(Array.from(pipe.transform(asText).x)).toEqual([1, 1, 2, 1]);
  });

  it('a regression target must be numeric, and unknown targets list the columns', () => {
    const t = parseCsv(text);
    expect(() => new TablePipeline({ ...quiet, target: 'city', task: 'regression' }).fit(t)).toThrow(/numeric target/);
    expect(() => new TablePipeline({ ...quiet, target: 'cty' }).fit(t)).toThrow(/the columns are: age, city, income, label/);
  });

  it('values too large for 32-bit features or targets are located out-of-range errors', () => {
    const caught = (f: () => unknown): DataError => {
      try {
        f();
      } catch (e) {
        if (e instanceof DataError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    const t = makeTable({ x: [1, 2, 1e300, 4], z: [1, 2, 3, 4], y: [1, 2, 3, 4] }, { source: 'big.csv' });
    const fit = caught(() => new TablePipeline({ ...quiet, target: 'y' }).fit(t));
    expect(fit).toMatchObject({ code: 'out-of-range', row: 3, column: 'x', file: 'big.csv' });
    expect(fit.message).toMatch(/value 1e\+300 is too large: the column's standard deviation overflows/);
    const mm = caught(() => new TablePipeline({ ...quiet, target: 'y', numeric: 'minmax' }).fit(makeTable({ x: [-1e308, 1e308, 0], y: [1, 2, 3] })));
    expect(mm).toMatchObject({ code: 'out-of-range', column: 'x' });
    expect(mm.message).toMatch(/range \(maximum − minimum\) overflows/);

    const pipe = new TablePipeline({ ...quiet, target: 'y' }).fit(makeTable({ x: [1, 2, 3, 4], y: [1, 2, 3, 4] }));
    const wide = caught(() => pipe.transform(makeTable({ x: [1, 1e39], y: [1, 2] })));
    expect(wide).toMatchObject({ code: 'out-of-range', row: 2, column: 'x' });
    const target = caught(() => pipe.transform(makeTable({ x: [1, 2], y: [5e38, 2] })));
    expect(target).toMatchObject({ code: 'out-of-range', row: 1, column: 'y' });
    expect(target.message).toMatch(/the target value 5e\+38 is out of range/);
    expect(() => new TablePipeline({ ...quiet, target: 'y', numeric: 'none' }).fit(t).transform(t)).toThrow(/value 1e\+300 is out of range: it does not fit/);
    // Two huge values overflow the imputer's mean: the error names a huge cell, not a filled one.
    const holes = makeTable({ x: [Number.NaN, 1e308, 1e308, 1], y: [1, 2, 3, 4] });
    const imputed = caught(() => new TablePipeline({ ...quiet, target: 'y', impute: { numeric: 'mean' } }).fit(holes));
    expect(imputed).toMatchObject({ code: 'out-of-range', row: 2, column: 'x' });
  });
});
