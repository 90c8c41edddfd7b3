/**
 * Export and import of the trained model, in the library's model-file format (the one
 * `cortex predict` and `cortex info` read), through `src/io`'s browser-safe functions.
 * @module
 */
import { type DataSchema, Dropout, deserializeModel, type JsonObject, Linear, ModelFormatError, Sequential, serializeModel } from 'cortex-nn';
import type { CsvUpload } from '../protocol.js';
import { splitMetrics } from './metrics.js';
import { ACTIVATIONS, type ActivationChoice, type PlaygroundState, stateFromQuery, stateToQuery } from '../state.js';
import { buildData, type Preprocessing } from './dataset.js';
import { type Network, Session } from './session.js';

function schemaOf(s: Session): DataSchema {
  const { data } = s;
  return {
    task: data.task,
    features: data.featureNames.map((name) => ({ name, type: 'numeric' as const })),
    target:
      data.task === 'classification'
        ? { name: data.targetName, type: 'categorical', classes: [...data.classNames] }
        : { name: data.targetName, type: 'numeric' },
    idColumn: data.idColumn,
  };
}

/** Serialises the session's model with its schema, the run's settings and its metrics. */
export function exportModel(s: Session): { bytes: ArrayBuffer; fileName: string } {
  if (s.state.features.length > 0) {
    throw new ModelFormatError(
      'Export takes the two plain inputs only (cortex predict reads the columns themselves, not x1², sin x1 and the like): turn the extra inputs off to export.',
    );
  }
  // Per split, as `cortex train` writes them (and `cortex info` prints them).
  const { train, test } = s.splitOutputs();
  const classes = s.classes;
  const metrics = { train: splitMetrics(train, classes), test: splitMetrics(test, classes) };
  const st = s.state;
  const bytes = serializeModel(s.net.model, {
    schema: schemaOf(s),
    // The same preprocessing record `cortex train` writes: the fitted table pipeline and
    // the regression target's scaling.
    preprocessing: JSON.parse(JSON.stringify(s.preprocessing)) as JsonObject,
    training: {
      source: 'cortex playground',
      query: stateToQuery(st),
      dataset: st.dataset,
      layers: st.layers,
      activation: st.activation,
      optimizer: st.optimizer,
      lr: st.lr,
      batchSize: st.batch,
      regulariser: st.regulariser,
      regRate: st.regRate,
      seed: st.seed,
      epochs: s.epoch,
      steps: s.step,
    },
    metrics,
  });
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return { bytes: copy, fileName: `cortex-${st.dataset}-${st.layers.join('x') || 'linear'}-seed${st.seed}.cortex` };
}

/** Whether a model file's preprocessing record has the shape `cortex train` writes. */
function isPreprocessing(v: unknown): v is Preprocessing {
  if (typeof v !== 'object' || v === null || !('pipeline' in v) || !('targetScaling' in v)) return false;
  const { pipeline, targetScaling } = v;
  const okPipeline = typeof pipeline === 'object' && pipeline !== null && 'type' in pipeline && pipeline.type === 'TablePipeline';
  const okScaling =
    targetScaling === null ||
    (typeof targetScaling === 'object' && 'mean' in targetScaling && typeof targetScaling.mean === 'number' && 'scale' in targetScaling && typeof targetScaling.scale === 'number');
  return okPipeline && okScaling;
}

/** Finds the `Linear` layers and the activation positions of a loaded `Sequential`. */
function networkOf(model: Sequential, source: string): { net: Network; activation: ActivationChoice | null } {
  const linears: Linear[] = [];
  const taps: number[] = [];
  let activation: ActivationChoice | null = null;
  for (let i = 0; i < model.length; i++) {
    const m = model.at(i);
    if (m instanceof Linear) linears.push(m);
    else if (!(m instanceof Dropout) && i + 1 < model.length) {
      taps.push(i);
      const name = m.constructor.name.toLowerCase();
      activation = ACTIVATIONS.find((a) => a.toLowerCase() === name) ?? (name === 'identity' ? 'linear' : activation);
    }
  }
  if (linears[0]?.inFeatures !== 2) {
    throw new ModelFormatError(`${source}: the playground shows models with two numeric inputs and Linear layers`);
  }
  return { net: { model, taps, linears }, activation };
}

/** The columns a model file was trained on (its schema), when it names exactly two inputs. */
export interface ModelColumns {
  features: [string, string];
  target: string;
}

/** A model that needs the columns of a CSV the page has not been given (yet). */
export class NeedsCsvError extends ModelFormatError {
  override name = 'NeedsCsvError';
  constructor(
    message: string,
    readonly columns: ModelColumns,
  ) {
    super(message);
  }
}

function columnsOf(schema: DataSchema | null): ModelColumns | null {
  const [a, b] = schema?.features ?? [];
  if (!schema || !a || !b || schema.features.length !== 2) return null;
  return { features: [a.name, b.name], target: schema.target.name };
}

function needsCsv(name: string, cols: ModelColumns): NeedsCsvError {
  const [a, b] = cols.features;
  return new NeedsCsvError(
    `${name} was trained on a CSV file with the inputs '${a}' and '${b}' and the target '${cols.target}'. ` +
      'Upload that CSV (Upload a CSV, under Data) and the model loads on it.',
    cols,
  );
}

/**
 * Loads a model file. When it was exported by the playground, its settings (and so its
 * data) are restored too; otherwise it is shown on the current data.
 */
export function importModel(
  bytes: ArrayBuffer,
  name: string,
  current: Session | null,
  csv: CsvUpload | null,
): { session: Session; message: string } {
  const saved = deserializeModel(bytes, name);
  if (!(saved.model instanceof Sequential)) throw new ModelFormatError(`${name}: the playground shows Sequential models only`);
  const { net, activation } = networkOf(saved.model, name);
  const query = saved.training?.query;
  let state: PlaygroundState;
  if (typeof query === 'string') state = stateFromQuery(query);
  else if (current) state = { ...current.state };
  else throw new ModelFormatError(`${name}: no data to show the model on`);
  state.layers = net.linears.slice(0, -1).map((l) => l.outFeatures);
  state.features = [];
  if (activation) state.activation = activation;
  const cols = columnsOf(saved.schema);
  if (state.dataset === 'csv' && csv === null && cols) throw needsCsv(name, cols);
  const data = state.dataset === 'csv' && current?.state.dataset === 'csv' ? current.data : buildData(state, csv);
  // A model trained on other columns (by `cortex train`, say) cannot be shown on these data.
  if (cols && (cols.features[0] !== data.featureNames[0] || cols.features[1] !== data.featureNames[1])) throw needsCsv(name, cols);
  const outputs = net.linears[net.linears.length - 1]!.outFeatures;
  const want = data.task === 'classification' ? data.classNames.length : 1;
  if (outputs !== want) {
    throw new ModelFormatError(`${name}: the model has ${outputs} outputs but the data needs ${want}`);
  }
  net.model.train();
  const pre = isPreprocessing(saved.preprocessing) ? saved.preprocessing : data.preprocessing;
  return { session: new Session(state, data, net, pre), message: `Loaded ${name}` };
}
