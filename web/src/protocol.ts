/**
 * Messages between the page and the training worker. Everything is structured-clone
 * friendly: plain objects and typed arrays.
 * @module
 */
import type { DatasetName, PlaygroundState } from './state.js';

/** Side length of the grid of inputs used for the neuron heat maps. */
export const NEURON_GRID = 28;
/** Side length of the grid of inputs used for the output view. */
export const OUTPUT_GRID = 72;

/** The rectangle of the input plane that the views show. */
export interface Bounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** An uploaded CSV file, sent as text. */
export interface CsvUpload {
  name: string;
  text: string;
}

/** Page to worker. */
export type ToWorker =
  | { type: 'configure'; state: PlaygroundState; csv: CsvUpload | null }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'speed'; stepsPerSecond: number | null }
  | { type: 'export' }
  | { type: 'import'; bytes: ArrayBuffer; name: string }
  /**
   * Shared control flags (when the page is cross-origin isolated): `flags[0]` is 1 while the
   * page wants training stopped, read by the worker between batches.
   */
  | { type: 'control'; flags: Int32Array }
  /** The page has drawn the latest snapshot; the worker may send the next one. */
  | { type: 'drawn' }
  /** A new learning rate for the current run (no reset). */
  | { type: 'lr'; lr: number }
  /** Sets weight `[out, in]` of `Linear` layer `layer`. */
  | { type: 'setWeight'; layer: number; out: number; input: number; value: number }
  /** Explains the current model's prediction at a point of the input plane (raw `[x1, x2]`). */
  | ExplainRequest;

/** Asks the worker which inputs drive the prediction at one data point. */
export interface ExplainRequest {
  type: 'explain';
  /** Echoed in the answer, so the page can drop answers to requests it has moved past. */
  id: number;
  /** The point's two input columns, in the data's own units (before any preprocessing). */
  point: [number, number];
}

/**
 * Integrated gradients (zero baseline, 50 steps) of the model at one point, for the
 * predicted class's logit (classification) or the output (regression, in the target's units).
 */
export interface ExplanationMessage {
  type: 'explanation';
  id: number;
  point: [number, number];
  /** The training step of the model explained. */
  step: number;
  /** The names of the model's inputs (the two columns, then the extra features). */
  features: string[];
  /** The inputs as the network sees them (after the preprocessing), one per feature. */
  values: number[];
  /** One attribution per feature; they sum to `output − baselineOutput` up to `delta`. */
  attributions: number[];
  /** The explained output at the point and at the baseline (all inputs 0). */
  output: number;
  baselineOutput: number;
  /** Σ attributions − (output − baselineOutput): how far the path integral is from converged. */
  delta: number;
  /** The predicted class and its probability (classification), else null. */
  predicted: { index: number; name: string; probability: number } | null;
}

/** The points of one data-set tile's thumbnail. */
export interface Thumbnail {
  name: DatasetName;
  /** Points, `[x1, x2]` pairs. */
  x: Float32Array;
  /** Per point: its class id, or its target value (regression). */
  y: Float32Array;
  regression: boolean;
}

/** The data set as the page draws it. */
export interface DataMessage {
  type: 'data';
  task: 'classification' | 'regression';
  /** Class names (classification), or an empty list. */
  classNames: string[];
  /** The names of the two input columns. */
  featureNames: [string, string];
  /** The names of the model's inputs: the two columns and any extra features (`x1²`...). */
  inputNames: string[];
  /** The target's name. */
  targetName: string;
  /** Training points, `[x1, x2]` pairs, and their targets (class ids or values). */
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
  /** Range of the targets (regression colour scale). */
  yMin: number;
  yMax: number;
  bounds: Bounds;
  /** Numeric columns of an uploaded CSV (for the target chooser), else empty. */
  csvColumns: string[];
  /** Whether the target allows classification and regression both (the Problem switch). */
  taskSwitch: boolean;
}

/** One point of the curves, recorded once per epoch. */
export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  testLoss: number;
  /** Accuracy for classification, R² for regression. */
  trainScore: number;
  testScore: number;
}

/** One layer of weights as the brain view draws it. */
export interface LayerWeights {
  /** `[out, in]`, row-major, as in `Linear.weight`. */
  weight: Float32Array;
  bias: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

/** What the views need after some training. */
export interface SnapshotMessage {
  type: 'snapshot';
  running: boolean;
  epoch: number;
  step: number;
  stepsPerSecond: number;
  /** Loss of each batch since the last snapshot (the full history lives in the page). */
  newStepLosses: number[];
  /** Epoch records since the last snapshot. */
  newEpochs: EpochRecord[];
  /** Latest full-set losses and scores. */
  latest: EpochRecord;
  /**
   * Per neuron, its activation over a NEURON_GRID² grid of the input plane: one array per
   * column of the diagram (inputs, each hidden layer, outputs), neuron after neuron.
   */
  neurons: Float32Array[];
  /** Neurons per column of the diagram. */
  columnSizes: number[];
  weights: LayerWeights[];
  /**
   * The output view over an OUTPUT_GRID² grid: per cell, the class probabilities
   * (classification, `classes` values) or the predicted value (regression, one value).
   */
  output: Float32Array;
}

/** Worker to page. */
export type FromWorker =
  | { type: 'ready'; backend: string; detail: string }
  /** The data-set tiles' thumbnails, sent once after the library has loaded. */
  | { type: 'thumbnails'; sets: Thumbnail[] }
  | DataMessage
  | ExplanationMessage
  /** Explaining a point failed (training goes on). */
  | { type: 'explainFailed'; id: number; message: string }
  | SnapshotMessage
  | { type: 'exported'; bytes: ArrayBuffer; fileName: string }
  | { type: 'imported'; state: PlaygroundState; message: string }
  /**
   * Something failed. `needsCsv`: an imported model was trained on these CSV columns, which
   * the page does not have; it imports the model again once such a CSV is uploaded.
   */
  | { type: 'error'; message: string; needsCsv?: { features: [string, string]; target: string } };
