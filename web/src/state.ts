/**
 * The playground's settings: what data, which network, which hyperparameters and seed.
 * The whole state round-trips through the URL's query string, so a link reproduces a run.
 * @module
 */

/** Data sets the page can generate (plus `csv` for an uploaded file). */
export const DATASETS = ['spiral', 'xor', 'moons', 'circles', 'blobs', 'surface', 'csv'] as const;
/** One of {@link DATASETS}. */
export type DatasetName = (typeof DATASETS)[number];

/** Hidden-layer activations offered in the page. */
export const ACTIVATIONS = ['tanh', 'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid', 'linear'] as const;
/** One of {@link ACTIVATIONS}. */
export type ActivationChoice = (typeof ACTIVATIONS)[number];

/** Optimizers offered in the page. */
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adamw'] as const;
/** One of {@link OPTIMIZERS}. */
export type OptimizerChoice = (typeof OPTIMIZERS)[number];

/** Regularisation choices. */
export const REGULARISERS = ['none', 'l1', 'l2', 'dropout'] as const;
/** One of {@link REGULARISERS}. */
export type RegulariserChoice = (typeof REGULARISERS)[number];

/** Kinds of problem: `auto` follows the target (as `cortex train` infers it). */
export const TASKS = ['auto', 'classification', 'regression'] as const;
/** One of {@link TASKS}. */
export type TaskChoice = (typeof TASKS)[number];

/** Extra input features (toggles, as in TensorFlow Playground). */
export const FEATURES = ['x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
/** One of {@link FEATURES}. */
export type FeatureName = (typeof FEATURES)[number];
/** How each feature is shown. */
export const FEATURE_LABELS: Readonly<Record<FeatureName, string>> = {
  x1sq: 'x1²',
  x2sq: 'x2²',
  x1x2: 'x1·x2',
  sinx1: 'sin x1',
  sinx2: 'sin x2',
};

/** Most neurons the + button gives a hidden layer (the brain view stays readable). */
export const MAX_NEURONS = 8;
/**
 * Most neurons a hidden layer may have at all: an imported model (`cortex train` makes
 * layers of 32 or 64) keeps its sizes in the URL, and the brain view draws them compactly.
 */
export const MAX_LAYER_SIZE = 512;
/** Most hidden layers. */
export const MAX_LAYERS = 6;

/** Everything that defines a run. */
export interface PlaygroundState {
  dataset: DatasetName;
  /** Noise level, 0 to 0.5. */
  noise: number;
  /** Number of points generated. */
  points: number;
  /** Fraction of the points used for training (the rest is the test set). */
  trainRatio: number;
  /** Neurons in each hidden layer. */
  layers: number[];
  activation: ActivationChoice;
  optimizer: OptimizerChoice;
  /** Learning rate. */
  lr: number;
  /** Mini-batch size. */
  batch: number;
  regulariser: RegulariserChoice;
  /** L1 or L2 coefficient, or the dropout probability. */
  regRate: number;
  /** Seed of the data, the split, the initial weights, the shuffles and the dropout masks. */
  seed: number;
  /** For CSV data: the name of the target column. */
  target: string;
  /** Extra inputs computed from the two (in {@link FEATURES} order). */
  features: FeatureName[];
  /** Classification or regression, for a CSV target that allows both (whole numbers, few of them). */
  task: TaskChoice;
}

/**
 * The page's starting point: spiral data, two hidden layers of eight tanh neurons, Adam at
 * 0.003 with L2 1e-3. A larger rate without the penalty overfits the spiral: its test loss
 * climbs back up after a few hundred epochs, with spikes (see test/web/defaults.test.ts).
 */
export const DEFAULT_STATE: Readonly<PlaygroundState> = {
  dataset: 'spiral',
  noise: 0.1,
  points: 400,
  trainRatio: 0.6,
  layers: [8, 8],
  activation: 'tanh',
  optimizer: 'adam',
  lr: 0.003,
  batch: 16,
  regulariser: 'l2',
  regRate: 0.001,
  seed: 1,
  target: '',
  features: [],
  task: 'auto',
};

/** Learning rates offered in the select box. */
export const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
/** Batch sizes offered in the select box. */
export const BATCH_SIZES = [1, 4, 8, 16, 32, 64, 128];
/** Regularisation rates offered in the select box (dropout uses the ones below 1). */
export const REG_RATES = [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5];

function pick<T extends string>(options: readonly T[], value: string | null, fallback: T): T {
  return options.find((o) => o === value) ?? fallback;
}

function num(value: string | null, fallback: number, min: number, max: number, integer = false): number {
  if (value === null || value.trim() === '') return fallback;
  const v = Number(value);
  if (!Number.isFinite(v) || v < min || v > max) return fallback;
  return integer ? Math.round(v) : v;
}

function parseLayers(value: string | null): number[] {
  if (value === null) return [...DEFAULT_STATE.layers];
  if (value === '' || value === '0') return [];
  const sizes = value.split(',').map((s) => Number(s));
  if (sizes.length > MAX_LAYERS || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > MAX_LAYER_SIZE)) {
    return [...DEFAULT_STATE.layers];
  }
  return sizes;
}

function parseFeatures(value: string | null): FeatureName[] {
  const names = new Set((value ?? '').split(','));
  return FEATURES.filter((f) => names.has(f));
}

/** Reads a state from a query string (`location.search`); unknown or bad values fall back to the defaults. */
export function stateFromQuery(search: string): PlaygroundState {
  const q = new URLSearchParams(search);
  const d = DEFAULT_STATE;
  return {
    dataset: pick(DATASETS, q.get('data'), d.dataset),
    noise: num(q.get('noise'), d.noise, 0, 0.5),
    points: num(q.get('n'), d.points, 20, 2000, true),
    trainRatio: num(q.get('train'), d.trainRatio, 0.1, 0.9),
    layers: parseLayers(q.get('layers')),
    activation: pick(ACTIVATIONS, q.get('act'), d.activation),
    optimizer: pick(OPTIMIZERS, q.get('opt'), d.optimizer),
    lr: num(q.get('lr'), d.lr, 1e-6, 10),
    batch: num(q.get('batch'), d.batch, 1, 1024, true),
    regulariser: pick(REGULARISERS, q.get('reg'), d.regulariser),
    regRate: num(q.get('rate'), d.regRate, 0, 0.9),
    seed: num(q.get('seed'), d.seed, 0, 2 ** 31 - 1, true),
    target: q.get('target') ?? '',
    features: parseFeatures(q.get('feat')),
    task: pick(TASKS, q.get('task'), d.task),
  };
}

/** Writes a state as a query string (with the leading `?`). */
export function stateToQuery(s: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set('data', s.dataset);
  q.set('noise', String(s.noise));
  q.set('n', String(s.points));
  q.set('train', String(s.trainRatio));
  q.set('layers', s.layers.length === 0 ? '0' : s.layers.join(','));
  q.set('act', s.activation);
  q.set('opt', s.optimizer);
  q.set('lr', String(s.lr));
  q.set('batch', String(s.batch));
  q.set('reg', s.regulariser);
  if (s.regulariser !== 'none') q.set('rate', String(s.regRate));
  q.set('seed', String(s.seed));
  if (s.dataset === 'csv' && s.target !== '') q.set('target', s.target);
  if (s.features.length > 0) q.set('feat', s.features.join(','));
  if (s.task !== 'auto') q.set('task', s.task);
  return `?${q.toString()}`;
}
