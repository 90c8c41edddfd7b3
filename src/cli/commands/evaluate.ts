/**
 * `cortex evaluate <model> <data>`: the metrics of a saved model on a labelled CSV,
 * streamed in chunks, printed as the same table `cortex train` prints. An image
 * classifier (from `cortex demo fashion-mnist --out`) is evaluated on IDX images instead
 * (see `evaluate-images.ts`).
 * @module
 */
import { basename } from 'node:path';
import { streamCsvFile } from '../../data/node/csv-file.js';
import type { SavedModel } from '../../io/model-file.js';
import { load } from '../../io/node/files.js';
import { confusionTable, isClassification, type Metrics, metricsTable } from '../metrics.js';
import { applicable, checkColumns, newTally, readHeader, scoreChunk } from '../model-data.js';
import { delimiter } from '../options.js';
import type { Output } from '../style.js';
import { dropMissingTarget, UnseenCategories } from '../tables.js';
import { CHUNK_ROWS } from '../train-core.js';
import { evaluateImages, imageModel } from './evaluate-images.js';

/** A saved model's metrics on a labelled CSV, and what was wrong with the data. */
export interface Evaluated {
  metrics: Metrics;
  classes: string[];
  task: string;
  target: string;
  /** Warnings for stderr: rows without a target (left out), categories not seen in training. */
  warnings: string[];
}

/**
 * Computes a saved model's metrics on a CSV file that has the target column. Rows without
 * a target are left out; unseen categories are encoded as all zeros; both are counted.
 */
export async function evaluateFile(modelPath: string, dataPath: string, opts: { delimiter?: string; saved?: SavedModel } = {}): Promise<Evaluated> {
  const a = applicable(opts.saved ?? (await load(modelPath)), modelPath);
  const target = a.schema.target.name;
  const delim = opts.delimiter ?? ',';
  const header = await readHeader(dataPath, delim);
  const inputs = a.pipeline.inputColumns;
  checkColumns(dataPath, header, [...inputs, target], 'the columns');
  const types = a.pipeline.columnTypes();
  const tally = newTally(a);
  const unseen = UnseenCategories.of(a.pipeline);
  let noTarget = 0;
  for await (const read of streamCsvFile(dataPath, { header: true, columns: inputs, target, types, delimiter: delim, chunkRows: CHUNK_ROWS })) {
    const { table: chunk, dropped } = dropMissingTarget(read, target);
    noTarget += dropped;
    unseen.check(chunk);
    if (chunk.rows > 0) scoreChunk(a, tally, a.pipeline.transform(chunk));
  }
  const warnings: string[] = [];
  if (noTarget > 0) warnings.push(`${dataPath}: left out ${noTarget} row${noTarget === 1 ? '' : 's'} with no value for the target "${target}"`);
  const w = unseen.warning();
  if (w !== null) warnings.push(w);
  return { metrics: tally.result(), classes: a.classes, task: a.schema.task, target, warnings };
}

/** Runs `cortex evaluate`. */
export async function evaluateCommand(modelPath: string, dataPath: string, flags: { delimiter: string }, out: Output): Promise<void> {
  const saved = await load(modelPath);
  const image = imageModel(saved, modelPath);
  if (image !== null) {
    const r = await evaluateImages(saved, image, dataPath);
    if (out.json) {
      out.result({ command: 'evaluate', model: modelPath, data: r.images, task: 'classification', classes: image.classes, images: r.n, metrics: r.metrics, warnings: [] });
      return;
    }
    out.line(`${out.c.bold('model')}   ${modelPath}: image classifier, input ${image.inputShape.join('×')}, ${image.classes.length} classes`);
    out.line();
    out.line(metricsTable([[`${basename(r.images)} (${r.n} images)`, r.metrics]], out.c));
    out.line();
    out.line('confusion matrix:');
    out.line(confusionTable(r.metrics.confusion, image.classes, out.c));
    return;
  }
  const r = await evaluateFile(modelPath, dataPath, { delimiter: delimiter('--delimiter', flags.delimiter), saved });
  for (const w of r.warnings) out.warn(`warning: ${w}`);
  if (out.json) {
    out.result({ command: 'evaluate', model: modelPath, data: dataPath, task: r.task, target: r.target, classes: r.task === 'classification' ? r.classes : null, metrics: r.metrics, warnings: r.warnings });
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
