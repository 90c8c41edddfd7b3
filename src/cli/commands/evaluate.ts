/**
 * `cortex evaluate <model> <data.csv>`: the metrics of a saved model on a labelled CSV,
 * streamed in chunks, printed as the same table `cortex train` prints.
 * @module
 */
import { basename } from 'node:path';
import { streamCsvFile } from '../../data/node/csv-file.js';
import { load } from '../../io/node/files.js';
import { confusionTable, isClassification, type Metrics, metricsTable } from '../metrics.js';
import { applicable, checkColumns, newTally, readHeader, scoreChunk } from '../model-data.js';
import type { Output } from '../style.js';
import { CHUNK_ROWS } from '../train-core.js';

/** Computes a saved model's metrics on a CSV file that has the target column. */
export async function evaluateFile(modelPath: string, dataPath: string): Promise<{ metrics: Metrics; classes: string[]; task: string; target: string }> {
  const a = applicable(await load(modelPath), modelPath);
  const target = a.schema.target.name;
  const header = await readHeader(dataPath);
  const inputs = a.pipeline.inputColumns;
  checkColumns(dataPath, header, [...inputs, target], 'the columns');
  const types = a.pipeline.columnTypes();
  const tally = newTally(a);
  for await (const chunk of streamCsvFile(dataPath, { header: true, columns: inputs, target, types, chunkRows: CHUNK_ROWS })) {
    scoreChunk(a, tally, a.pipeline.transform(chunk));
  }
  return { metrics: tally.result(), classes: a.classes, task: a.schema.task, target };
}

/** Runs `cortex evaluate`. */
export async function evaluateCommand(modelPath: string, dataPath: string, out: Output): Promise<void> {
  const r = await evaluateFile(modelPath, dataPath);
  if (out.json) {
    out.result({ command: 'evaluate', model: modelPath, data: dataPath, task: r.task, target: r.target, classes: r.task === 'classification' ? r.classes : null, metrics: r.metrics });
    return;
  }
  out.line(`${out.c.bold('model')}   ${modelPath}: ${r.task}, target "${r.target}"`);
  out.line();
  out.line(metricsTable([[basename(dataPath), r.metrics]], out.c));
  if (isClassification(r.metrics)) {
    out.line();
    out.line('confusion matrix:');
    out.line(confusionTable(r.metrics.confusion, r.classes, out.c));
  }
}
