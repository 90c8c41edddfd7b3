/**
 * Training a model on a table, as `cortex train` and `cortex demo iris` do it: decide the
 * task, split off a stratified validation set, fit the preprocessing on the training rows
 * only, build an MLP, run `fit` with progress, and measure the final metrics on every split.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { type Encoded, TablePipeline } from '../data/pipeline.js';
import { trainTestSplit } from '../data/split.js';
import { getColumn, selectRows, type Table } from '../data/table.js';
import { dataError } from '../data/where.js';
import { TrainingDivergedError } from '../errors.js';
import type { Checkpoint } from '../io/checkpoint.js';
import type { DataSchema } from '../io/model-file.js';
import type { JsonObject } from '../io/registry.js';
import { type ActivationName, activationModule } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { manualSeed } from '../tensor/random.js';
import type { History } from '../train/callbacks.js';
import type { OptimizerName } from '../train/fit.js';
import { runEpochs } from './epochs.js';
import { UsageError } from './errors.js';
import { ClassificationTally, type Metrics, RegressionTally } from './metrics.js';
import { findIdColumn, forward, inferTask, preprocessingJson, scoreChunk, type Task } from './model-data.js';
import { type PrivacyConfig, type PrivacySpent, privacyJson } from './privacy.js';
import type { Output } from './style.js';
import { type ImputeMode, type Imputed, imputedCells, imputeOptions, UnseenCategories } from './tables.js';

/**
 * Most classes `cortex train` accepts: beyond this a target is almost surely an id or a
 * measurement, and its confusion matrix would run to hundreds of kilobytes.
 */
export const MAX_CLASSES = 50;

/** Rows per chunk when scoring; `evaluate` and `predict` stream with the same size. */
export const CHUNK_ROWS = 10_000;

/** Everything `cortex train` can be told. */
export interface TrainConfig {
  target: string;
  hidden: number[];
  activation: ActivationName;
  task: Task | 'auto';
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  valSplit: number;
  seed: number;
  earlyStopping: number | null;
  clipGradNorm: number | null;
  /** Weight decay (`--weight-decay`); undefined: the optimizer's own default. */
  weightDecay?: number | undefined;
  /** Dropout after each hidden activation (`--dropout`); 0 or undefined: none. */
  dropout?: number | undefined;
  id?: string | undefined;
  /** Missing feature cells: imputed (`mean`, `median`, `most-frequent`), or none (`drop` and `error` are applied before training; also the default). */
  impute?: ImputeMode | undefined;
  /** Columns left out of the data (`--drop`). */
  drop?: string[];
  /** Text columns to use even if they look like free text (`--keep`). */
  keep?: string[];
  /** Every column left out, and why (`--drop`, or free text); stored in the model file. */
  droppedColumns?: { column: string; reason: string }[];
  /** Print every epoch's line (`--verbose`). */
  allEpochs?: boolean;
  /** Save a checkpoint here after every epoch. */
  checkpoint?: string | null;
  /** The training configuration stored in checkpoints (checked when resuming). */
  checkpointConfig?: JsonObject | null;
  /** Continue from this checkpoint. */
  resume?: Checkpoint | null;
  /** Train with DP-SGD to this budget (`--dp-epsilon`, `--dp-delta`, `--max-grad-norm`). */
  privacy?: PrivacyConfig | null;
}

/** The outcome of {@link trainOnTable}. */
export interface Trained {
  model: Module;
  pipeline: TablePipeline;
  task: Task;
  classes: string[];
  schema: DataSchema;
  preprocessing: ReturnType<typeof preprocessingJson>;
  targetScaling: { mean: number; scale: number } | null;
  history: History;
  epochsRun: number;
  /** The epoch whose weights were kept (the best one, with early stopping). */
  keptEpoch: number;
  splits: { train: number; validation: number };
  /** The missing cells the pipeline filled in, by column (training and validation rows). */
  imputed: Imputed[];
  /** Final metrics by split name: `train`, `validation`, `test` and `all rows`. */
  metrics: [string, Metrics][];
  seconds: number;
  /** What a private run spent (null for ordinary training). */
  privacy: PrivacySpent | null;
}

/** Scores a whole table in chunks of {@link CHUNK_ROWS}, as `evaluate` does for a file. */
export function scoreTable(
  a: { model: Module; pipeline: TablePipeline; targetScaling: Trained['targetScaling']; classes: string[]; task: Task },
  table: Table,
): Metrics {
  const tally = a.task === 'classification' ? new ClassificationTally(a.classes.length) : new RegressionTally();
  for (let start = 0; start < table.rows; start += CHUNK_ROWS) {
    const idx = Int32Array.from({ length: Math.min(CHUNK_ROWS, table.rows - start) }, (_, i) => start + i);
    const chunk = table.rows <= CHUNK_ROWS ? table : selectRows(table, idx);
    scoreChunk(a, tally, a.pipeline.transform(chunk));
  }
  return tally.result();
}

function stratifyLabels(table: Table, target: string): string[] {
  const col = getColumn(table, target, 'target column');
  return col.type === 'numeric' ? Array.from(col.values, String) : col.values.map((v) => v ?? '');
}

/** Builds `Linear → act [→ Dropout] → ... → Linear`. */
export function buildMlp(
  inputs: number,
  hidden: readonly number[],
  outputs: number,
  activation: ActivationName,
  dropout = 0,
): Sequential {
  const model = new Sequential();
  let width = inputs;
  for (const h of hidden) {
    model.append(new Linear(width, h));
    model.append(activationModule(activation));
    if (dropout > 0) model.append(new Dropout(dropout));
    width = h;
  }
  model.append(new Linear(width, outputs));
  return model;
}

/** Trains on `table` (and measures on `test`, if given). */
export async function trainOnTable(table: Table, cfg: TrainConfig, out: Output, test: Table | null = null): Promise<Trained> {
  const started = performance.now();
  const targetCol = getColumn(table, cfg.target, 'target column');
  const task = cfg.task === 'auto' ? inferTask(table, cfg.target) : cfg.task;
  if (task === 'regression' && targetCol.type !== 'numeric') {
    throw new UsageError(`--task regression needs a numeric target, but "${cfg.target}" in ${table.source} holds text (categories)`);
  }
  const idColumn = findIdColumn(table, cfg.target, cfg.id);
  const features = table.columns.map((c) => c.name).filter((n) => n !== cfg.target && n !== idColumn);
  if (features.length === 0) throw new UsageError(`${table.source} has no feature columns besides the target "${cfg.target}"`);

  let trainRows = table;
  let valRows: Table | null = null;
  if (cfg.valSplit > 0) {
    if (table.rows < 4) throw new UsageError(`--val-split ${cfg.valSplit}: ${table.source} has only ${table.rows} rows; use --val-split 0`);
    const split = trainTestSplit(table.rows, {
      testSize: cfg.valSplit,
      seed: cfg.seed,
      stratify: task === 'classification' ? stratifyLabels(table, cfg.target) : undefined,
    });
    trainRows = selectRows(table, split.train);
    valRows = selectRows(table, split.test);
  }

  const pipeline = new TablePipeline({
    target: cfg.target,
    features,
    task,
    impute: imputeOptions(cfg.impute),
    handleUnknown: 'ignore',
    onWarning: (m) => out.note(`warning: ${m}`),
  }).fit(trainRows);
  for (const [rows, name] of [
    [valRows, 'validation rows'],
    [test, 'test rows'],
  ] as const) {
    if (rows === null) continue;
    const unseen = UnseenCategories.of(pipeline);
    unseen.check(rows);
    const w = unseen.warning(name);
    if (w !== null) out.warn(`warning: ${w}`);
  }
  const enc = pipeline.transform(trainRows);
  const classes = (pipeline.classes ?? []).map(String);
  if (task === 'classification' && classes.length > MAX_CLASSES) {
    throw dataError({
      file: table.source,
      column: cfg.target,
      what: `the target has ${classes.length} distinct values in the training rows; classification takes at most ${MAX_CLASSES} classes`,
      fix: 'For a numeric target pass --task regression; otherwise group the values into fewer classes',
    });
  }
  if (task === 'classification' && classes.length < 2) {
    throw dataError({
      file: table.source,
      column: cfg.target,
      what: `the target has only one class (${classes[0] ?? 'none'}) in the training rows; classification needs at least two`,
      fix: 'Check the --target column, or use data with rows of at least two classes',
    });
  }
  let targetScaling: Trained['targetScaling'] = null;
  let y: Tensor;
  if (task === 'regression') {
    const v = enc.y as Float32Array;
    let mean = 0;
    for (const t of v) mean += t;
    mean /= v.length;
    let sq = 0;
    for (const t of v) sq += (t - mean) ** 2;
    const scale = Math.sqrt(sq / v.length) || 1;
    targetScaling = { mean, scale };
    y = new Tensor(Float32Array.from(v, (t) => (t - mean) / scale), [v.length, 1]);
  } else {
    y = new Tensor(enc.y as Int32Array, [enc.rows]);
  }
  const validationData = (() => {
    if (!valRows) return undefined;
    const ev = pipeline.transform(valRows);
    const vy =
      task === 'regression'
        ? new Tensor(Float32Array.from(ev.y as Float32Array, (t) => (t - targetScaling!.mean) / targetScaling!.scale), [ev.rows, 1])
        : new Tensor(ev.y as Int32Array, [ev.rows]);
    return { x: new Tensor(ev.x, [ev.rows, ev.cols]), y: vy, encoded: ev };
  })();

  manualSeed(cfg.seed);
  const outputs = task === 'classification' ? classes.length : 1;
  const model = buildMlp(enc.cols, cfg.hidden, outputs, cfg.activation, cfg.dropout ?? 0);
  const preprocessing = preprocessingJson(pipeline, targetScaling);
  if (cfg.resume && JSON.stringify(cfg.resume.info.preprocessing) !== JSON.stringify(preprocessing)) {
    throw new UsageError(`--resume: the preprocessing fitted on ${table.source} differs from the checkpoint's; resume with the same data file and options`);
  }
  const run = await runEpochs(
    model,
    { x: new Tensor(enc.x, [enc.rows, enc.cols]), y },
    validationData,
    cfg,
    task,
    out,
    cfg.checkpoint ? { path: cfg.checkpoint, info: { preprocessing, training: cfg.checkpointConfig ?? null } } : null,
    cfg.resume ?? null,
  );

  const fitted = pipeline.toJSON();
  const schema: DataSchema = {
    task,
    features: features.map((name) => {
      const j = fitted.categorical.indexOf(name);
      if (j < 0) return { name, type: 'numeric' as const };
      return { name, type: 'categorical' as const, categories: (fitted.encoder?.categories[j] ?? []).map(String) };
    }),
    target: { name: cfg.target, type: targetCol.type, ...(task === 'classification' ? { classes } : {}) },
    idColumn,
  };
  const history = run.history;
  const scorer = { model, pipeline, targetScaling, classes, task };
  const metrics: [string, Metrics][] = [['train', scoreTable(scorer, trainRows)]];
  if (valRows) metrics.push(['validation', scoreTable(scorer, valRows)]);
  if (test) metrics.push(['test', scoreTable(scorer, test)]);
  if (valRows) metrics.push(['all rows', scoreTable(scorer, table)]);
  checkFinite(model, cfg, run.epochsRun, validationData ? [enc, validationData.encoded] : [enc], metrics, table.source);
  return {
    model,
    pipeline,
    task,
    classes,
    schema,
    preprocessing,
    targetScaling,
    history,
    epochsRun: run.epochsRun,
    keptEpoch: run.keptEpoch,
    splits: { train: trainRows.rows, validation: valRows?.rows ?? 0 },
    imputed: imputedCells(pipeline, table),
    metrics,
    seconds: (performance.now() - started) / 1000,
    privacy: run.privacy,
  };
}

/** The training configuration as stored in the model file. */
export function configJson(cfg: TrainConfig, t: Trained, data: string): JsonObject {
  return {
    data,
    target: cfg.target,
    task: t.task,
    layers: cfg.hidden,
    activation: cfg.activation,
    epochs: cfg.epochs,
    epochsRun: t.epochsRun,
    keptEpoch: t.keptEpoch,
    batchSize: cfg.batchSize,
    optimizer: cfg.optimizer,
    lr: cfg.lr,
    valSplit: cfg.valSplit,
    seed: cfg.seed,
    earlyStopping: cfg.earlyStopping,
    clipGradNorm: cfg.clipGradNorm,
    weightDecay: cfg.weightDecay ?? null,
    dropout: cfg.dropout ?? 0,
    impute: cfg.impute ?? null,
    drop: cfg.drop ?? [],
    keep: cfg.keep ?? [],
    droppedColumns: cfg.droppedColumns ?? [],
    trainRows: t.splits.train,
    validationRows: t.splits.validation,
    seconds: Math.round(t.seconds * 1000) / 1000,
    ...(t.privacy === null ? {} : { privacy: privacyJson(t.privacy) }),
  };
}

/** The metrics as JSON, keyed by split. */
export function metricsJson(metrics: [string, Metrics][]): JsonObject {
  const out: JsonObject = {};
  for (const [name, m] of metrics) out[name] = { ...m };
  return out;
}

/** The first row of `x` (`rows × cols`) whose outputs are not all finite, or -1; in chunks of {@link CHUNK_ROWS}. */
function firstNonFiniteRow(model: Module, x: Float32Array, rows: number, cols: number): number {
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    const out = forward(model, x.subarray(start * cols, (start + n) * cols), n, cols);
    const k = out.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) return start + Math.floor(k / (out.length / n));
  }
  return -1;
}

/**
 * Refuses a trained model that could not be saved honestly: one with a non-finite weight,
 * one whose outputs overflow (on a training or validation row, or on the rows of all 0,
 * +1 and −1 that loading a model file checks), or with non-finite metrics. Data too large
 * for a model is rejected before training, so what is left is divergence in the last
 * updates, after the last loss that was checked: a {@link TrainingDivergedError} (exit code 3).
 */
function checkFinite(model: Module, cfg: TrainConfig, epochs: number, encoded: Encoded[], metrics: [string, Metrics][], source: string): void {
  let what: string | null = null;
  for (const [name, w] of Object.entries(model.stateDict())) {
    if (Array.prototype.some.call(w.dataSync(), (v: number) => !Number.isFinite(v))) {
      what = `the weights of '${name}' are not finite`;
      break;
    }
  }
  const width = encoded[0]?.cols ?? 0;
  const probe = new Float32Array(3 * width);
  probe.fill(1, width, 2 * width);
  probe.fill(-1, 2 * width);
  if (what === null && firstNonFiniteRow(model, probe, 3, width) >= 0) what = 'the model gives non-finite outputs for ordinary input rows';
  for (const enc of encoded) {
    if (what !== null) break;
    const i = firstNonFiniteRow(model, enc.x, enc.rows, enc.cols);
    if (i >= 0) what = `the model gives a non-finite output for ${source}, row ${enc.rowNumbers[i]}`;
  }
  for (const [split, m] of metrics) {
    if (what !== null) break;
    const bad = Object.entries(m).find(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    if (bad) what = `the ${split} ${bad[0]} is ${String(bad[1])}`;
  }
  if (what === null) return;
  const hint = cfg.clipGradNorm === null ? ' or --clip-grad-norm 1' : '';
  const batches = Math.ceil((encoded[0]?.rows ?? 0) / cfg.batchSize);
  throw new TrainingDivergedError(
    `training diverged: after epoch ${epochs} ${what}, so the model was not saved. Try a lower --lr (it is ${cfg.lr})${hint}`,
    epochs,
    batches,
    Number.NaN,
  );
}
