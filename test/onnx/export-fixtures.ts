/**
 * The exported models committed under test/fixtures/onnx-export/ and checked there by
 * ONNX's own checker (scripts/onnx-check.py): every case of `EXPORT_CASES`, plus a
 * classification and a regression model with their table preprocessing. Everything is
 * seeded, so the bytes are the same on every run; a test compares them with the files.
 */
import { fileURLToPath } from 'node:url';
import { exportOnnx, exportTableModelOnnx } from '../../src/io/onnx/index.js';
import { Generator, Linear, parseCsv, ReLU, Sequential, TablePipeline } from '../../src/index.js';
import { EXPORT_CASES } from './export-cases.js';

/** Where the fixtures live. */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/onnx-export/', import.meta.url));

/** A table with numeric and categorical columns and missing cells. */
export const TABLE_CSV = `size (cm),colour,weight,shape,kind
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

function tableModel(target: 'kind' | 'weight'): Uint8Array {
  const classification = target === 'kind';
  const pipeline = new TablePipeline({
    target,
    numeric: classification ? 'standard' : 'minmax',
    impute: { numeric: 'median', categorical: 'most_frequent' },
    handleUnknown: 'ignore',
    onWarning: () => {},
  }).fit(parseCsv(TABLE_CSV.replace('\n,green,60', classification ? '\n,green,60' : '\n6.5,green,60').replace('2.5,blue,,', classification ? '2.5,blue,,' : '2.5,blue,20,')));
  const model = new Sequential(new Linear(pipeline.width, 8, { generator: new Generator(21) }), new ReLU(), new Linear(8, classification ? 3 : 1, { generator: new Generator(22) }));
  return exportTableModelOnnx(model, { pipeline: pipeline.toJSON(), targetScaling: classification ? null : { mean: 50, scale: 25 } });
}

/** Every fixture: its file name and how to make its bytes now. */
export const FIXTURES: readonly { file: string; bytes: () => Uint8Array }[] = [
  ...EXPORT_CASES.map((c) => ({ file: `${c.name}.onnx`, bytes: () => exportOnnx(c.model(), { sampleInput: c.input(2) }) })),
  { file: 'table-classification.onnx', bytes: () => tableModel('kind') },
  { file: 'table-regression.onnx', bytes: () => tableModel('weight') },
];
