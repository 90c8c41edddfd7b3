/**
 * `cortex train <data.csv> --target <column>`: trains an MLP on a CSV file and saves it,
 * with its preprocessing and metadata, as one model file (written atomically).
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { readCsvFile } from '../../data/node/csv-file.js';
import type { Table } from '../../data/table.js';
import type { Checkpoint } from '../../io/checkpoint.js';
import { loadCheckpoint, save } from '../../io/node/files.js';
import type { JsonObject } from '../../io/registry.js';
import { UsageError } from '../errors.js';
import type { ActivationName } from '../../nn/activation.js';
import type { OptimizerName } from '../../train/fit.js';
import { confusionTable, isClassification, metricsTable } from '../metrics.js';
import { checkColumns, findIdColumn, readHeader, type Task } from '../model-data.js';
import { fraction, nonNegativeInt, oneOf, positiveInt, positiveNumber, sizeList } from '../options.js';
import type { Output } from '../style.js';
import { configJson, metricsJson, type TrainConfig, type Trained, trainOnTable } from '../train-core.js';

/** Raw option strings from commander. */
export interface TrainFlags {
  target: string;
  layers: string;
  activation: string;
  task: string;
  epochs: string;
  batchSize: string;
  lr: string;
  optimizer: string;
  valSplit: string;
  test?: string;
  seed: string;
  earlyStopping?: string;
  clipGradNorm?: string;
  out?: string;
  id?: string;
  checkpoint?: string;
  resume?: string;
  verbose?: boolean;
}

/** Activations `--activation` accepts. */
export const ACTIVATIONS: readonly ActivationName[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'elu', 'leakyRelu', 'softplus'];
/** Optimizers `--optimizer` accepts. */
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'adamw', 'rmsprop', 'adagrad'];

/** Checks and converts the flags (usage errors exit with code 1). */
export function parseTrainFlags(f: TrainFlags): TrainConfig {
  return {
    target: f.target,
    hidden: sizeList('--layers', f.layers),
    activation: oneOf('--activation', f.activation, ACTIVATIONS),
    task: oneOf<Task | 'auto'>('--task', f.task, ['auto', 'classification', 'regression']),
    epochs: positiveInt('--epochs', f.epochs),
    batchSize: positiveInt('--batch-size', f.batchSize),
    lr: positiveNumber('--lr', f.lr),
    optimizer: oneOf('--optimizer', f.optimizer, OPTIMIZERS),
    valSplit: fraction('--val-split', f.valSplit),
    seed: nonNegativeInt('--seed', f.seed),
    earlyStopping: f.earlyStopping === undefined ? null : nonNegativeInt('--early-stopping', f.earlyStopping),
    clipGradNorm: f.clipGradNorm === undefined ? null : positiveNumber('--clip-grad-norm', f.clipGradNorm),
    id: f.id,
    allEpochs: f.verbose === true,
  };
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Prints what is about to be trained. */
function describeStart(out: Output, table: Table, cfg: TrainConfig): void {
  out.note(`${out.c.bold('data')}    ${table.source}: ${table.rows} rows, ${table.columns.length} columns, target "${cfg.target}"`);
}

/** Prints the result of training (shared with `cortex demo iris`). */
export function printTrained(out: Output, t: Trained, cfg: TrainConfig): void {
  const c = out.c;
  const what =
    t.task === 'classification'
      ? `classification, ${t.classes.length} classes (${t.classes.join(', ')})`
      : `regression (target mean ${t.targetScaling!.mean.toPrecision(4)}, std ${t.targetScaling!.scale.toPrecision(4)})`;
  out.line(`${c.bold('task')}    ${what}`);
  out.line(
    `${c.bold('split')}   ${t.splits.train} training rows, ${t.splits.validation} validation rows${t.task === 'classification' && t.splits.validation ? ' (stratified)' : ''}, seed ${cfg.seed}`,
  );
  out.line(
    `${c.bold('model')}   ${[t.pipeline.width, ...cfg.hidden, t.task === 'classification' ? t.classes.length : 1].join(' → ')} (${cfg.activation}), ${t.model.numParameters().toLocaleString('en-US')} parameters; ${cfg.optimizer} lr ${cfg.lr}, batch ${cfg.batchSize}, ${t.epochsRun}/${cfg.epochs} epochs in ${t.seconds.toFixed(1)}s${t.keptEpoch !== t.epochsRun ? `; early stopping kept the weights of epoch ${t.keptEpoch}` : ''}`,
  );
  out.line();
  out.line(metricsTable(t.metrics, c));
  const shown = t.metrics.find(([n]) => n === 'test') ?? t.metrics.find(([n]) => n === 'validation') ?? t.metrics[0]!;
  if (isClassification(shown[1])) {
    out.line();
    out.line(`confusion matrix (${shown[0]}):`);
    out.line(confusionTable(shown[1].confusion, t.classes, c));
  }
}

/** The options a resumed run must share with the run that wrote the checkpoint. */
function resumableConfig(cfg: TrainConfig, data: string): JsonObject {
  return {
    data,
    target: cfg.target,
    task: cfg.task,
    layers: cfg.hidden,
    activation: cfg.activation,
    batchSize: cfg.batchSize,
    optimizer: cfg.optimizer,
    lr: cfg.lr,
    valSplit: cfg.valSplit,
    seed: cfg.seed,
    earlyStopping: cfg.earlyStopping,
    clipGradNorm: cfg.clipGradNorm,
  };
}

function checkResumable(path: string, ckpt: Checkpoint, cfg: TrainConfig): void {
  const saved = ckpt.info.training;
  if (!saved) throw new UsageError(`--resume ${path}: this checkpoint was not written by cortex train --checkpoint`);
  const differ = Object.entries(cfg.checkpointConfig ?? {})
    .filter(([k, v]) => JSON.stringify(saved[k]) !== JSON.stringify(v))
    .map(([k, v]) => `${k} ${JSON.stringify(saved[k])} (now ${JSON.stringify(v)})`);
  if (differ.length > 0) throw new UsageError(`--resume ${path}: the checkpoint was made with different options: ${differ.join(', ')}`);
  if (ckpt.epoch >= cfg.epochs) {
    throw new UsageError(`--resume ${path}: the checkpoint has already trained ${ckpt.epoch} epochs; pass --epochs above ${ckpt.epoch} to train further`);
  }
}

/** Runs `cortex train`. */
export async function trainCommand(path: string, flags: TrainFlags, out: Output): Promise<void> {
  const cfg = parseTrainFlags(flags);
  const started = performance.now();
  const table = await readCsvFile(path, { target: cfg.target });
  let test: Table | null = null;
  if (flags.test !== undefined) {
    const header = await readHeader(flags.test);
    const id = findIdColumn(table, cfg.target, cfg.id);
    const needed = table.columns.map((col) => col.name).filter((n) => n !== id);
    checkColumns(flags.test, header, needed, 'the training columns');
    test = await readCsvFile(flags.test, {
      header: true,
      columns: needed,
      target: cfg.target,
      types: Object.fromEntries(table.columns.filter((col) => needed.includes(col.name)).map((col) => [col.name, col.type])),
    });
  }
  describeStart(out, table, cfg);
  cfg.checkpointConfig = resumableConfig(cfg, basename(path));
  cfg.checkpoint = flags.checkpoint ?? flags.resume ?? null;
  if (flags.resume !== undefined) {
    cfg.resume = await loadCheckpoint(flags.resume);
    checkResumable(flags.resume, cfg.resume, cfg);
    out.note(`${out.c.bold('resume')}  ${flags.resume}: ${cfg.resume.epoch} of ${cfg.epochs} epochs done`);
  }
  const t = await trainOnTable(table, cfg, out, test);
  const target = flags.out ?? `${basename(path, extname(path))}.cortex`;
  await save(t.model, target, {
    schema: t.schema,
    preprocessing: t.preprocessing,
    training: configJson(cfg, t, basename(path)),
    metrics: metricsJson(t.metrics),
  });
  const size = (await stat(target)).size;
  if (out.json) {
    out.result({
      command: 'train',
      data: path,
      out: target,
      bytes: size,
      task: t.task,
      target: cfg.target,
      classes: t.task === 'classification' ? t.classes : null,
      idColumn: t.schema.idColumn ?? null,
      features: t.pipeline.inputColumns,
      splits: t.splits,
      parameters: t.model.numParameters(),
      epochsRun: t.epochsRun,
      keptEpoch: t.keptEpoch,
      history: t.history.toJSON(),
      metrics: metricsJson(t.metrics),
      seconds: (performance.now() - started) / 1000,
    });
    return;
  }
  printTrained(out, t, cfg);
  out.line();
  out.line(`${out.c.green('saved')}   ${target} (${kb(size)}); try: cortex evaluate ${target} ${path}`);
}
