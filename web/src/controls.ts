/**
 * The form controls: filling the select boxes, showing a state in the controls and
 * reading edits back into the state.
 * @module
 */
import {
  ACTIVATIONS,
  BATCH_SIZES,
  LEARNING_RATES,
  MAX_LAYERS,
  MAX_NEURONS,
  OPTIMIZERS,
  type PlaygroundState,
  REG_RATES,
  REGULARISERS,
} from './state.js';

/** Looks up an element by id, with a clear error when the page lacks it. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`playground: element #${id} is missing`);
  return el;
}

const ACTIVATION_LABELS: Record<string, string> = {
  tanh: 'Tanh',
  relu: 'ReLU',
  leakyRelu: 'Leaky ReLU',
  elu: 'ELU',
  gelu: 'GELU',
  sigmoid: 'Sigmoid',
  linear: 'Linear',
};

const OPTIMIZER_LABELS: Record<string, string> = {
  adam: 'Adam',
  sgd: 'SGD',
  momentum: 'SGD + momentum',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  adamw: 'AdamW',
};

function fill(select: HTMLSelectElement, values: readonly (string | number)[], label: (v: string) => string = (v) => v): void {
  select.replaceChildren(
    ...values.map((v) => {
      const o = document.createElement('option');
      o.value = String(v);
      o.textContent = label(String(v));
      return o;
    }),
  );
}

/** Sets a select's value, adding an option first when the value is not offered. */
function choose(select: HTMLSelectElement, value: string | number): void {
  const v = String(value);
  if (![...select.options].some((o) => o.value === v)) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = v;
    select.append(o);
  }
  select.value = v;
}

/** The controls of the page, by role. */
export interface Controls {
  lr: HTMLSelectElement;
  activation: HTMLSelectElement;
  optimizer: HTMLSelectElement;
  regulariser: HTMLSelectElement;
  regRate: HTMLSelectElement;
  batch: HTMLSelectElement;
  seed: HTMLInputElement;
  noise: HTMLInputElement;
  points: HTMLInputElement;
  ratio: HTMLInputElement;
  target: HTMLSelectElement;
  addLayer: HTMLButtonElement;
  removeLayer: HTMLButtonElement;
  /** The extra-input toggles (their values are feature names). */
  features: HTMLInputElement[];
}

/** Finds the controls and fills the select boxes. */
export function findControls(): Controls {
  const c: Controls = {
    lr: byId('lr', HTMLSelectElement),
    activation: byId('activation', HTMLSelectElement),
    optimizer: byId('optimizer', HTMLSelectElement),
    regulariser: byId('regulariser', HTMLSelectElement),
    regRate: byId('reg-rate', HTMLSelectElement),
    batch: byId('batch', HTMLSelectElement),
    seed: byId('seed', HTMLInputElement),
    noise: byId('noise', HTMLInputElement),
    points: byId('points', HTMLInputElement),
    ratio: byId('ratio', HTMLInputElement),
    target: byId('target', HTMLSelectElement),
    addLayer: byId('add-layer', HTMLButtonElement),
    removeLayer: byId('remove-layer', HTMLButtonElement),
    features: [...document.querySelectorAll<HTMLInputElement>('#features input[type="checkbox"]')],
  };
  fill(c.lr, LEARNING_RATES);
  fill(c.activation, ACTIVATIONS, (v) => ACTIVATION_LABELS[v] ?? v);
  fill(c.optimizer, OPTIMIZERS, (v) => OPTIMIZER_LABELS[v] ?? v);
  fill(c.regRate, REG_RATES);
  fill(c.batch, BATCH_SIZES);
  return c;
}

/** Shows a state in the controls. */
export function showState(c: Controls, s: PlaygroundState): void {
  choose(c.lr, s.lr);
  choose(c.activation, s.activation);
  choose(c.optimizer, s.optimizer);
  choose(c.regulariser, s.regulariser);
  choose(c.regRate, s.regRate);
  c.regRate.disabled = s.regulariser === 'none';
  choose(c.batch, s.batch);
  c.seed.value = String(s.seed);
  c.noise.value = String(s.noise);
  c.points.value = String(s.points);
  c.ratio.value = String(s.trainRatio);
  byId('noise-out', HTMLOutputElement).value = s.noise.toFixed(2);
  byId('points-out', HTMLOutputElement).value = String(s.points);
  byId('ratio-out', HTMLOutputElement).value = `${Math.round(s.trainRatio * 100)}%`;
  const csv = s.dataset === 'csv';
  c.points.disabled = csv;
  c.noise.disabled = csv;
  for (const box of c.features) box.checked = s.features.some((f) => f === box.value);
  c.addLayer.disabled = s.layers.length >= MAX_LAYERS;
  c.removeLayer.disabled = s.layers.length === 0;
  const n = s.layers.length;
  byId('layer-count', HTMLSpanElement).textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
}

/** Reads the hyperparameter and data controls into a copy of `s`. */
export function readControls(c: Controls, s: PlaygroundState): PlaygroundState {
  const seed = Number(c.seed.value);
  return {
    ...s,
    lr: Number(c.lr.value),
    activation: ACTIVATIONS.find((a) => a === c.activation.value) ?? s.activation,
    optimizer: OPTIMIZERS.find((o) => o === c.optimizer.value) ?? s.optimizer,
    regulariser: REGULARISERS.find((r) => r === c.regulariser.value) ?? 'none',
    regRate: Number(c.regRate.value),
    batch: Number(c.batch.value),
    seed: Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31 ? seed : s.seed,
    noise: Number(c.noise.value),
    points: Number(c.points.value),
    trainRatio: Number(c.ratio.value),
    target: c.target.value || s.target,
  };
}

/** The layer list after adding or removing a layer, or a neuron in one layer. */
export function editLayers(layers: readonly number[], edit: { layer?: number; delta: 1 | -1 }): number[] {
  const out = [...layers];
  if (edit.layer === undefined) {
    if (edit.delta > 0 && out.length < MAX_LAYERS) out.push(Math.min(out[out.length - 1] ?? 4, MAX_NEURONS));
    if (edit.delta < 0) out.pop();
    return out;
  }
  const v = out[edit.layer];
  // The + button stops at MAX_NEURONS; a larger imported layer can still shrink.
  if (v !== undefined) out[edit.layer] = edit.delta > 0 ? (v < MAX_NEURONS ? v + 1 : v) : Math.max(1, v - 1);
  return out;
}

/** Fills the target chooser with an uploaded CSV's candidate columns. */
export function showTargets(c: Controls, columns: readonly string[], chosen: string): void {
  if (columns.length === 0) {
    c.target.disabled = true;
    return;
  }
  fill(c.target, columns);
  c.target.disabled = false;
  c.target.value = chosen;
}
