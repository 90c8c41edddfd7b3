import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IRIS_CSV, loadIris } from '../../src/data/builtin/iris.js';
import { toTensors } from '../../src/data/dataset.js';
import { readCsvFile } from '../../src/data/node/csv-file.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { trainTestSplit } from '../../src/data/split.js';
import { selectRows } from '../../src/data/table.js';
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/random.js';
import { evaluate, fit as train } from '../../src/train/index.js';

const csvPath = new URL('../../data/iris.csv', import.meta.url).pathname;

describe('iris', () => {
  it('ships as a 150-row CSV, identical in data/ and in the library', () => {
    expect(readFileSync(csvPath, 'utf8')).toBe(IRIS_CSV);
    const t = loadIris();
    expect(t.rows).toBe(150);
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'sepal_length:numeric',
      'sepal_width:numeric',
      'petal_length:numeric',
      'petal_width:numeric',
      'species:categorical',
    ]);
  });

  it('a model fitted on iris loaded from CSV reaches at least 93% test accuracy', async () => {
    const table = await readCsvFile(csvPath, { target: 'species' });
    const labels = table.columns.find((c) => c.name === 'species')!.values as string[];
    const split = trainTestSplit(table.rows, { testSize: 0.3, seed: 42, stratify: labels });
    const pipe = new TablePipeline().fit(selectRows(table, split.train));
    const tr = toTensors(pipe.transform(selectRows(table, split.train)));
    const te = toTensors(pipe.transform(selectRows(table, split.test)));
    const g = new Generator(7);
    const model = new Sequential(new Linear(4, 16, { generator: g }), new ReLU(), new Linear(16, 3, { generator: g }));
    train(model, tr, { epochs: 60, batchSize: 16, seed: 1, loss: 'crossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }) });
    const { metrics } = evaluate(model, te, { loss: 'crossEntropy', metrics: ['accuracy'] });
    console.log(`iris test accuracy: ${(metrics.accuracy! * 100).toFixed(1)}% on ${split.test.length} rows`);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.93);
  });
});
