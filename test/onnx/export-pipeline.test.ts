import { afterAll, describe, expect, it } from 'vitest';
import { decodeModelProto } from '../../src/io/onnx/index.js';
import { exportTableModelOnnx, sanitizeInputNames, tableOnnxInputs } from '../../src/io/onnx/index.js';
import { Generator, Linear, noGrad, OnnxError, parseCsv, ReLU, Sequential, softmax, type Table, TablePipeline, Tensor } from '../../src/index.js';
import { expectNoUnusedInitializers, floatTensor, measured, REL_TOL, relError, runOrt, stringTensor } from './export-helpers.js';

const TRAIN = `size (cm),colour,weight,shape,kind
1.5,red,10,round,a
2.5,blue,,square,b
3.5,red,30,,a
4.0,green,42,round,c
5.5,blue,51,square,b
,green,60,round,c
7.0,red,75,square,a
8.5,blue,80,round,b
9.0,green,95,square,c
`;

// Unseen categories (purple, star), missing cells in numeric and categorical columns.
const TEST = `size (cm),colour,weight,shape,kind
2.0,purple,12,round,a
,red,,square,b
6.0,,55,star,c
3.0,blue,33,NA,a
`;

/** The raw columns of `table` as ORT feeds for an exported table model. */
function feeds(pipeline: TablePipeline, table: Table) {
  const out: Record<string, ReturnType<typeof floatTensor>> = {};
  for (const i of tableOnnxInputs(pipeline.toJSON())) {
    const col = table.columns.find((c) => c.name === i.column)!;
    out[i.input] =
      col.type === 'numeric'
        ? floatTensor(col.values, [table.rows, 1])
        : stringTensor(Array.from(col.values, (v) => v ?? ''), [table.rows, 1]);
  }
  return out;
}

/** The column types of the pipeline's input columns, for reading new rows alike. */
function inputTypes(pipeline: TablePipeline) {
  const t = pipeline.columnTypes();
  return Object.fromEntries(pipeline.inputColumns.map((n) => [n, t[n]!]));
}

function mlp(width: number, out: number, seed: number) {
  return new Sequential(new Linear(width, 8, { generator: new Generator(seed) }), new ReLU(), new Linear(8, out, { generator: new Generator(seed + 1) })).eval();
}

describe('exportTableModelOnnx: the preprocessing as graph ops', () => {
  afterAll(() => {
    for (const [k, v] of Object.entries(measured)) console.log(`ONNX export ${k}: relative error vs onnxruntime ${v.toExponential(2)}`);
  });

  it('classification: standard scaling, imputation, one-hot with unseen categories → the same probabilities and labels', async () => {
    const train = parseCsv(TRAIN, { target: 'kind' });
    const pipeline = new TablePipeline({ impute: { numeric: 'mean', categorical: 'most_frequent' }, handleUnknown: 'ignore', onWarning: () => {} }).fit(train);
    const model = mlp(pipeline.width, 3, 1);
    const bytes = exportTableModelOnnx(model, { pipeline: pipeline.toJSON() });
    expectNoUnusedInitializers(bytes, 'classification');
    const test = parseCsv(TEST, { types: pipeline.columnTypes() });
    const enc = pipeline.transform(test);
    const logits = noGrad(() => model.forward(new Tensor(enc.x, [enc.rows, enc.cols])));
    const probs = softmax(logits, -1).dataSync();
    const labels = pipeline.decodeTarget(Array.from({ length: enc.rows }, (_, i) => {
      const row = Array.from(logits.dataSync().slice(i * 3, i * 3 + 3));
      return row.indexOf(Math.max(...row));
    }));
    const out = await runOrt(bytes, feeds(pipeline, test));
    expect(out.label!.data).toEqual(labels.map(String));
    const err = relError(out.probabilities!.data as Float32Array, probs);
    measured['pipeline-classification'] = err;
    expect(err).toBeLessThanOrEqual(REL_TOL);
    const m = decodeModelProto(bytes);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['size__cm_', 'weight', 'colour', 'shape']);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect(m.opsetImport.map((o) => [o.domain, o.version])).toEqual([['', 17], ['ai.onnx.ml', 2]]);
    expect(JSON.parse(m.metadataProps.find((p) => p.key === 'cortex.inputs')!.value!)).toEqual(tableOnnxInputs(pipeline.toJSON()));
  });

  it('regression: min-max scaling without imputers, target scaling undone', async () => {
    const train = parseCsv(TRAIN.split('\n').filter((l) => !l.includes(',,') && !/,$|^,/.test(l)).join('\n'), { target: 'weight' });
    const pipeline = new TablePipeline({ numeric: 'minmax', handleUnknown: 'ignore', onWarning: () => {} }).fit(train);
    const model = mlp(pipeline.width, 1, 5);
    const ts = { mean: 50, scale: 20 };
    const bytes = exportTableModelOnnx(model, { pipeline: pipeline.toJSON(), targetScaling: ts });
    expectNoUnusedInitializers(bytes, 'regression');
    const test = parseCsv('size (cm),colour,shape,kind\n2.0,purple,round,a\n6.5,red,square,zz\n', { types: inputTypes(pipeline) });
    const enc = pipeline.transform(test);
    const want = Array.from(noGrad(() => model.forward(new Tensor(enc.x, [enc.rows, enc.cols]))).dataSync(), (v) => v * ts.scale + ts.mean);
    const out = await runOrt(bytes, feeds(pipeline, test));
    expect(out.prediction!.dims).toEqual([2, 1]);
    const err = relError(out.prediction!.data as Float32Array, want);
    measured['pipeline-regression'] = err;
    expect(err).toBeLessThanOrEqual(REL_TOL);
  });

  it('sanitises column names into unique input names', () => {
    expect(sanitizeInputNames(['a b', 'a-b', '1st', '', 'label', 'ok_1'])).toEqual(['a_b', 'a_b_2', '_1st', '_', 'label_2', 'ok_1']);
  });

  it('names a step it cannot express', () => {
    const train = parseCsv(TRAIN, { target: 'kind' });
    const pipeline = new TablePipeline({ impute: { numeric: 'mean', categorical: 'most_frequent' }, onWarning: () => {} }).fit(train);
    const json = pipeline.toJSON();
    const model = mlp(pipeline.width, 3, 1);
    const broken = { ...json, scaler: { type: 'RobustScaler' } } as unknown as typeof json;
    expect(() => exportTableModelOnnx(model, { pipeline: broken })).toThrow(OnnxError);
    expect(() => exportTableModelOnnx(model, { pipeline: broken })).toThrow(/preprocessing step scaler RobustScaler cannot be expressed/);
    expect(() => exportTableModelOnnx(model, { pipeline: json, classes: ['x', 'y'] })).toThrow(/3 scores per row, but there are 2 class names/);
  });
});
