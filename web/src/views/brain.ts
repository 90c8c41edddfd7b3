/**
 * The brain view: the network as a diagram. Every neuron is a small heat map of its
 * activation over the input plane; every weight is a curve whose colour is its sign and
 * whose width is its magnitude. Hovering (or focusing) a neuron or a weight shows values;
 * a click on a weight, or Enter on it from the keyboard (see `link-keys.ts`), edits it.
 * @module
 */
import { classColor, hex, maxAbs, NEGATIVE, POSITIVE, paintDiverging, paintProbability } from '../colors.js';
import { NEURON_GRID, type SnapshotMessage } from '../protocol.js';
import { type Geometry, layout } from './brain-layout.js';
import { LinkKeys, type LinkRef } from './link-keys.js';
import { Tooltip } from './tooltip.js';
import { WeightEditor } from './weight-editor.js';

const SVG = 'http://www.w3.org/2000/svg';

/** What the diagram needs to know besides the snapshot. */
export interface BrainLabels {
  /** Names of the inputs (the two columns, then any extra features). */
  inputs: readonly string[];
  /** Names of the outputs (class names, or the regression target). */
  outputs: string[];
  /** Classification shows output probabilities in class colours. */
  classification: boolean;
}

/** Callbacks for the per-layer neuron buttons. */
export interface BrainActions {
  /** Adds (`+1`) or removes (`-1`) a neuron in hidden layer `layer`. */
  changeNeurons(layer: number, delta: 1 | -1): void;
  /** Sets weight `[out, input]` of `Linear` layer `layer` (a click on a link edits it). */
  editWeight(layer: number, out: number, input: number, value: number): void;
  /** A neuron is hovered or focused (`column`, `index`), or no longer (`null`). */
  preview(target: { column: number; index: number; name: string } | null): void;
}

/** Draws and updates the network diagram inside `root`. */
export class BrainView {
  private sizes: number[] = [];
  private labels: BrainLabels = { inputs: ['x1', 'x2'], outputs: [], classification: true };
  private neurons: HTMLCanvasElement[][] = [];
  private captions: HTMLSpanElement[][] = [];
  private links: SVGPathElement[][] = [];
  private readonly svg: SVGSVGElement;
  private readonly tip: Tooltip;
  private readonly layer: HTMLDivElement;
  private last: SnapshotMessage | null = null;
  private geometry: Geometry | null = null;
  private readonly editor: WeightEditor;
  private readonly keys: LinkKeys;
  /** The link the keyboard is on, highlighted. */
  private keyLink: SVGPathElement | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly actions: BrainActions,
  ) {
    root.classList.add('brain');
    this.layer = document.createElement('div');
    this.layer.className = 'brain-layer';
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('brain-links');
    this.layer.append(this.svg);
    root.append(this.layer);
    this.tip = new Tooltip(root, () => this.layer.offsetHeight);
    this.editor = new WeightEditor(root);
    this.keys = new LinkKeys(this.svg, {
      sizes: () => this.sizes,
      show: (l) => this.showKeyLink(l),
      hide: () => this.hideKeyLink(),
      edit: (l) => this.editLink(l.layer, l.out, l.input, null),
    });
    new ResizeObserver(() => this.relayout()).observe(root);
  }

  /** Neurons per diagram column (inputs, hidden layers, outputs), and their labels. */
  setStructure(sizes: number[], labels: BrainLabels): void {
    const same = sizes.length === this.sizes.length && sizes.every((s, i) => s === this.sizes[i]);
    this.labels = labels;
    if (same && this.neurons.length > 0) {
      this.relabel();
      return;
    }
    this.sizes = [...sizes];
    this.keys.reset();
    this.build();
  }

  private columnName(c: number): string {
    if (c === 0) return 'Input';
    if (c === this.sizes.length - 1) return 'Output';
    return `Hidden ${c}`;
  }

  private neuronName(c: number, j: number): string {
    if (c === 0) return `input ${this.labels.inputs[j] ?? j + 1}`;
    if (c === this.sizes.length - 1) {
      const name = this.labels.outputs[j] ?? `output ${j + 1}`;
      return this.labels.classification ? `output P(${name})` : `output ${name}`;
    }
    return `hidden layer ${c}, neuron ${j + 1}`;
  }

  private build(): void {
    this.actions.preview(null);
    this.tip.hide();
    for (const el of [...this.layer.children]) if (el !== this.svg) el.remove();
    this.svg.replaceChildren();
    this.neurons = [];
    this.captions = [];
    this.links = [];
    const last = this.sizes.length - 1;
    this.sizes.forEach((n, c) => {
      const head = document.createElement('div');
      head.className = 'brain-head';
      head.dataset.col = String(c);
      const title = document.createElement('span');
      title.className = 'brain-title';
      title.textContent = this.columnName(c);
      const count = document.createElement('span');
      count.className = 'brain-count';
      count.textContent = String(n);
      if (c > 0 && c < last) {
        const word = document.createElement('span');
        word.className = 'word';
        word.textContent = n === 1 ? ' neuron' : ' neurons';
        count.append(word);
      }
      head.append(title);
      if (c > 0 && c < last) {
        const row = document.createElement('span');
        row.className = 'neuron-buttons';
        row.append(this.button(`Remove a neuron from hidden layer ${c}`, '−', () => this.actions.changeNeurons(c - 1, -1)));
        row.append(count);
        row.append(this.button(`Add a neuron to hidden layer ${c}`, '+', () => this.actions.changeNeurons(c - 1, 1)));
        head.append(row);
      } else head.append(count);
      this.layer.append(head);
      const col: HTMLCanvasElement[] = [];
      const caps: HTMLSpanElement[] = [];
      for (let j = 0; j < n; j++) {
        const cv = document.createElement('canvas');
        cv.width = NEURON_GRID;
        cv.height = NEURON_GRID;
        cv.className = 'neuron';
        cv.tabIndex = 0;
        cv.setAttribute('role', 'img');
        cv.setAttribute('aria-label', this.neuronName(c, j));
        const show = () => this.showNeuronTip(c, j, cv);
        cv.addEventListener('pointerenter', show);
        cv.addEventListener('focus', show);
        const hide = () => {
          this.tip.hide();
          this.actions.preview(null);
        };
        cv.addEventListener('pointerleave', hide);
        cv.addEventListener('blur', hide);
        this.layer.append(cv);
        col.push(cv);
        if (c === 0 || c === last) {
          const cap = document.createElement('span');
          cap.className = c === 0 ? 'neuron-caption in' : 'neuron-caption out';
          cap.setAttribute('aria-hidden', 'true');
          this.layer.append(cap);
          caps.push(cap);
        }
      }
      this.neurons.push(col);
      this.captions.push(caps);
      this.relabel();
    });
    for (let c = 0; c + 1 < this.sizes.length; c++) {
      const group: SVGPathElement[] = [];
      for (let o = 0; o < this.sizes[c + 1]!; o++) {
        for (let i = 0; i < this.sizes[c]!; i++) {
          const path = document.createElementNS(SVG, 'path');
          path.classList.add('link');
          const hit = document.createElementNS(SVG, 'path');
          hit.classList.add('link-hit');
          hit.addEventListener('pointerenter', (e) => this.tip.showAt(this.weightText(c, o, i), e));
          hit.addEventListener('pointermove', (e) => this.tip.follow(e));
          hit.addEventListener('pointerleave', () => {
            path.classList.remove('hover');
            this.tip.hide();
          });
          hit.addEventListener('pointerenter', () => path.classList.add('hover'));
          hit.addEventListener('click', (e) => this.editLink(c, o, i, e));
          this.svg.append(path, hit);
          group.push(path);
        }
      }
      this.links.push(group);
    }
    this.relayout();
  }

  private relabel(): void {
    const last = this.sizes.length - 1;
    this.neurons.forEach((col, c) => {
      col.forEach((cv, j) => {
        cv.setAttribute('aria-label', this.neuronName(c, j));
      });
    });
    this.captions.forEach((caps, c) => {
      caps.forEach((cap, j) => {
        const text = c === 0 ? this.labels.inputs[j] : c === last ? this.labels.outputs[j] : undefined;
        cap.textContent = text ?? '';
        cap.title = text ?? '';
      });
    });
  }

  private button(label: string, text: string, onClick: () => void): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'mini';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', onClick);
    return b;
  }

  private computeGeometry(): Geometry {
    // The margins hold the input and output captions (narrower on a phone, where the
    // captions are shortened to fit them).
    const width = Math.max(this.root.clientWidth, 240);
    const margin = Math.round(Math.max(36, Math.min(62, width * 0.12)));
    return layout(this.sizes, width, { left: margin, right: margin });
  }

  private relayout(): void {
    if (this.sizes.length === 0) return;
    const g = this.computeGeometry();
    this.geometry = g;
    this.layer.style.height = `${g.height}px`;
    const spacing = this.sizes.length > 1 ? (g.xs[1] ?? 0) - (g.xs[0] ?? 0) : g.width;
    this.root.classList.toggle('compact', spacing < 110);
    this.svg.setAttribute('width', String(g.width));
    this.svg.setAttribute('height', String(g.height));
    this.svg.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
    const heads = this.layer.querySelectorAll<HTMLElement>('.brain-head');
    heads.forEach((h, c) => {
      const center = g.xs[c]! + g.size / 2;
      h.style.left = `${center}px`;
    });
    this.neurons.forEach((col, c) => {
      col.forEach((cv, j) => {
        cv.style.left = `${g.lefts[c]}px`;
        cv.style.top = `${g.ys[c]![j]}px`;
        cv.style.width = `${g.sizes[c]}px`;
        cv.style.height = `${g.sizes[c]}px`;
      });
    });
    this.captions.forEach((caps, c) => {
      caps.forEach((cap, j) => {
        const x = c === 0 ? g.lefts[c]! - 4 : g.lefts[c]! + g.sizes[c]! + 5;
        cap.style.left = `${x}px`;
        cap.style.maxWidth = `${Math.max(24, g.lefts[0]! - 10)}px`;
        cap.style.top = `${g.ys[c]![j]! + g.sizes[c]! / 2}px`;
      });
    });
    this.links.forEach((group, c) => {
      const nIn = this.sizes[c]!;
      group.forEach((path, k) => {
        const o = Math.floor(k / nIn);
        const i = k % nIn;
        const x0 = g.lefts[c]! + g.sizes[c]!;
        const y0 = g.ys[c]![i]! + g.sizes[c]! / 2;
        const x1 = g.lefts[c + 1]!;
        const y1 = g.ys[c + 1]![o]! + g.sizes[c + 1]! / 2;
        const mx = (x0 + x1) / 2;
        const d = `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`;
        path.setAttribute('d', d);
        (path.nextSibling as SVGPathElement | null)?.setAttribute('d', d);
      });
    });
    if (this.last) this.update(this.last);
  }

  /** Redraws the heat maps and the weights from a snapshot. */
  update(s: SnapshotMessage): void {
    this.last = s;
    this.neurons.forEach((col, c) => {
      col.forEach((cv, j) => {
        const ctx = cv.getContext('2d');
        if (!ctx) return;
        const img = ctx.createImageData(NEURON_GRID, NEURON_GRID);
        if (this.paintNeuron(c, j, img.data)) ctx.putImageData(img, 0, 0);
      });
    });
    this.links.forEach((group, c) => {
      const w = s.weights[c];
      if (!w) return;
      // Widths are relative to the layer's largest weight, so every layer stays readable.
      const top = maxAbs(w.weight, 0, w.weight.length);
      // Thinner lines between large layers, so that a 64-neuron layer is not a solid block.
      const thin = Math.min(1, 10 / Math.max(w.inFeatures, w.outFeatures));
      group.forEach((path, k) => {
        const v = w.weight[k] ?? 0;
        const t = Math.abs(v) / top;
        path.style.stroke = hex(v < 0 ? NEGATIVE : POSITIVE);
        path.style.strokeWidth = (0.35 + 4.4 * t * thin).toFixed(2);
        path.style.opacity = (0.2 + 0.7 * t).toFixed(2);
      });
    });
  }

  /**
   * Paints neuron `j` of column `c` from the latest snapshot into NEURON_GRID² RGBA pixels:
   * outputs of a classifier as probabilities in their class colour, everything else on the
   * diverging scale relative to the neuron's largest absolute value. False when there is no data.
   */
  paintNeuron(c: number, j: number, out: Uint8ClampedArray): boolean {
    const maps = this.last?.neurons[c];
    if (!maps) return false;
    const cells = NEURON_GRID * NEURON_GRID;
    if (c === this.sizes.length - 1 && this.labels.classification) paintProbability(maps, j * cells, cells, classColor(j), out);
    else paintDiverging(maps, j * cells, NEURON_GRID, maxAbs(maps, j * cells, cells), out);
    return true;
  }

  private weightText(c: number, o: number, i: number): string {
    const w = this.last?.weights[c];
    const v = w?.weight[o * (w?.inFeatures ?? 1) + i];
    return `weight ${v === undefined ? '–' : v.toFixed(3)}: ${this.neuronName(c, i)} → ${this.neuronName(c + 1, o)}`;
  }

  /** Opens the number box for a weight: at the click, or at the link's middle from the keyboard (`e` null). */
  private editLink(c: number, o: number, i: number, e: MouseEvent | null): void {
    const w = this.last?.weights[c];
    const v = w?.weight[o * w.inFeatures + i];
    if (v === undefined) return;
    this.tip.hide();
    const r = this.root.getBoundingClientRect();
    const mid = this.linkMiddle({ layer: c, out: o, input: i });
    const x = e ? e.clientX - r.left : mid.x;
    const y = e ? e.clientY - r.top : mid.y;
    const label = `weight ${this.neuronName(c, i)} → ${this.neuronName(c + 1, o)}`;
    const commit = (value: number) => this.actions.editWeight(c, o, i, value);
    this.editor.open(x + 8, y - 12, label, v, commit, e ? null : () => this.keys.focus());
  }

  /** The middle of a link, in pixels from the root's top left corner. */
  private linkMiddle(l: LinkRef): { x: number; y: number } {
    const g = this.geometry;
    if (!g) return { x: 0, y: 0 };
    const r = this.root.getBoundingClientRect();
    const s = this.svg.getBoundingClientRect();
    const x0 = g.lefts[l.layer]! + g.sizes[l.layer]!;
    const x1 = g.lefts[l.layer + 1]!;
    const y0 = g.ys[l.layer]![l.input]! + g.sizes[l.layer]! / 2;
    const y1 = g.ys[l.layer + 1]![l.out]! + g.sizes[l.layer + 1]! / 2;
    return { x: s.left - r.left + (x0 + x1) / 2, y: s.top - r.top + (y0 + y1) / 2 };
  }

  private showKeyLink(l: LinkRef): void {
    this.hideKeyLink();
    const path = this.links[l.layer]?.[l.out * this.sizes[l.layer]! + l.input] ?? null;
    path?.classList.add('hover');
    this.keyLink = path;
    this.svg.setAttribute('aria-description', this.weightText(l.layer, l.out, l.input));
    const m = this.linkMiddle(l);
    this.tip.show(this.weightText(l.layer, l.out, l.input), m.x + 12, m.y + 12);
  }

  private hideKeyLink(): void {
    this.keyLink?.classList.remove('hover');
    this.keyLink = null;
    this.tip.hide();
  }

  private showNeuronTip(c: number, j: number, cv: HTMLCanvasElement): void {
    const s = this.last;
    const cells = NEURON_GRID * NEURON_GRID;
    const lines = [this.neuronName(c, j)];
    const maps = s?.neurons[c];
    if (maps) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < cells; k++) {
        const v = maps[j * cells + k]!;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      lines.push(`${c === 0 ? 'value' : 'activation'} from ${lo.toFixed(3)} to ${hi.toFixed(3)}`);
    }
    const w = c > 0 ? s?.weights[c - 1] : undefined;
    if (w) lines.push(`bias ${w.bias[j]?.toFixed(3) ?? '–'}`);
    const g = this.geometry;
    if (g) this.tip.show(lines.join(' · '), g.lefts[c]! + g.sizes[c]! + 6, g.ys[c]![j]! + g.sizes[c]! / 2);
    cv.setAttribute('aria-description', lines.slice(1).join(', '));
    this.actions.preview({ column: c, index: j, name: this.neuronName(c, j) });
  }
}
