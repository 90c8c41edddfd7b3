/**
 * The explain panel: which inputs drive the prediction at the chosen point, as integrated
 * gradients (computed in the worker, see `worker/explain.ts`) drawn as bars to the left
 * (pushes the output down) and right (pushes it up) of a zero line, with the feature
 * names and values, the prediction and the convergence delta. Everything shown is also
 * in `data-*` attributes (`data-feature`, `data-attribution` per bar; `data-state`,
 * `data-delta`, `data-output`... on the panel) for tests and tools.
 * @module
 */
import { className } from '../panels.js';
import type { ExplanationMessage } from '../protocol.js';
import type { PlanePoint } from './pick.js';

/** Short numbers for the panel: three significant figures, small ones in exponent form. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** How a point is named on the panel, e.g. `training point 12`. */
export function pointName(p: PlanePoint): string {
  return `${p.split === 'train' ? 'training' : 'test'} point ${p.index + 1}`;
}

const HINT = 'Click a point on the output, or focus the output and use the arrow keys and Enter, to see which inputs drive its prediction.';

/** Draws explanations into `root` (a section with a heading already in it). */
export class ExplainView {
  private readonly status: HTMLParagraphElement;
  private readonly summary: HTMLParagraphElement;
  private readonly bars: HTMLUListElement;

  constructor(readonly root: HTMLElement) {
    this.status = document.createElement('p');
    this.status.className = 'explain-status';
    this.status.setAttribute('role', 'status');
    this.summary = document.createElement('p');
    this.summary.className = 'explain-summary';
    this.bars = document.createElement('ul');
    this.bars.className = 'explain-bars';
    this.bars.setAttribute('aria-label', 'Attribution per input');
    root.append(this.status, this.summary, this.bars);
    this.clear();
  }

  /** Back to the hint: nothing chosen. */
  clear(): void {
    this.setState('empty');
    for (const key of ['output', 'baseline', 'delta', 'predicted', 'probability', 'step', 'point']) delete this.root.dataset[key];
    this.status.textContent = HINT;
    this.summary.textContent = '';
    this.bars.replaceChildren();
  }

  /** A point is highlighted from the keyboard (not explained until Enter). */
  highlight(p: PlanePoint, names: readonly [string, string]): void {
    this.status.textContent = `${pointName(p)}: ${names[0]} ${formatNumber(p.x)}, ${names[1]} ${formatNumber(p.y)}. Enter explains it.`;
  }

  /** A point was chosen and its explanation is on its way (earlier bars stay until then). */
  pending(p: PlanePoint): void {
    this.setState('pending');
    this.root.dataset.point = `${p.split}:${p.index}`;
    this.status.textContent = `Explaining ${pointName(p)}…`;
  }

  /** Shows an explanation of point `p`; `outputName` names a regression output. */
  show(e: ExplanationMessage, p: PlanePoint, outputName: string): void {
    const d = this.root.dataset;
    d.output = String(e.output);
    d.baseline = String(e.baselineOutput);
    d.delta = String(e.delta);
    d.step = String(e.step);
    d.point = `${p.split}:${p.index}`;
    if (e.predicted) {
      d.predicted = e.predicted.name;
      d.probability = String(e.predicted.probability);
    } else {
      delete d.predicted;
      delete d.probability;
    }
    const what = e.predicted
      ? `Predicted ${className(e.predicted.name)} with probability ${formatNumber(e.predicted.probability)}. Its logit is ${formatNumber(e.output)} here`
      : `Predicted ${outputName} ${formatNumber(e.output)} here`;
    this.status.textContent = `${pointName(p)}, after step ${e.step}.`;
    this.summary.textContent =
      `${what} and ${formatNumber(e.baselineOutput)} where every input is 0; ` +
      `the bars share out the difference (integrated gradients, 50 steps; delta ${formatNumber(e.delta)}).`;
    const top = Math.max(...e.attributions.map(Math.abs), 1e-12);
    this.bars.replaceChildren(...e.features.map((name, i) => this.bar(name, e.values[i] ?? Number.NaN, e.attributions[i] ?? Number.NaN, top)));
    this.setState('ready');
  }

  private bar(name: string, value: number, attribution: number, top: number): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.feature = name;
    li.dataset.value = String(value);
    li.dataset.attribution = String(attribution);
    const label = document.createElement('span');
    label.className = 'explain-name';
    label.textContent = `${name} = ${formatNumber(value)}`;
    const track = document.createElement('span');
    track.className = 'explain-track';
    track.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.className = attribution < 0 ? 'explain-fill neg' : 'explain-fill pos';
    const half = Number.isFinite(attribution) ? (Math.abs(attribution) / top) * 50 : 0;
    fill.style.width = `${half.toFixed(2)}%`;
    fill.style.left = attribution < 0 ? `${(50 - half).toFixed(2)}%` : '50%';
    track.append(fill);
    const amount = document.createElement('span');
    amount.className = 'explain-value';
    amount.textContent = `${attribution > 0 ? '+' : ''}${formatNumber(attribution)}`;
    li.append(label, track, amount);
    return li;
  }

  /** Explaining failed: the message instead of bars. */
  failed(message: string): void {
    this.setState('error');
    this.status.textContent = `Could not explain this point: ${message}`;
    this.summary.textContent = '';
    this.bars.replaceChildren();
  }

  private setState(state: 'empty' | 'pending' | 'ready' | 'error'): void {
    this.root.dataset.state = state;
  }
}
