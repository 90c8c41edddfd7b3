/**
 * The output view: the decision boundary (classification) or the regression surface as a
 * heat map over the input plane, with the training and test points on top. A point can be
 * chosen, by a click or from the keyboard (arrow keys move between points, Enter chooses,
 * Escape lets go), and is then marked with a ring.
 * @module
 */
import { BACKGROUND_TINT, classColor, diverging, hex, POINT_OUTLINE, paintClasses, paintDiverging } from '../colors.js';
import { type Bounds, type DataMessage, NEURON_GRID, OUTPUT_GRID } from '../protocol.js';
import { type Direction, nearestPoint, type PlanePoint, planePoints, stepPoint, toView } from './pick.js';

/** What the page hears of point choices on the view. */
export interface PointActions {
  /** A point was chosen (clicked, or Enter on the highlighted one). */
  choose(p: PlanePoint): void;
  /** The keyboard highlight moved to a point. */
  highlight(p: PlanePoint): void;
  /** Escape: no point any more. */
  release(): void;
}

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
/** How far from a point (CSS pixels) a click still chooses it. */
const CLICK_RADIUS = 14;

/** One neuron's map, shown large in the output view while it is hovered. */
export interface NeuronPreview {
  /** What is shown, e.g. `hidden layer 1, neuron 3`. */
  name: string;
  /** Paints the NEURON_GRID² map into RGBA pixels. */
  paint(out: Uint8ClampedArray): void;
}

/** Draws the model's output over the input plane. */
export class OutputView {
  /** Whether test points are drawn. */
  showTest = true;
  /** Hard decision regions (the most likely class; the sign of a regression output) instead of shades. */
  discrete = false;
  private data: DataMessage | null = null;
  private output: Float32Array | null = null;
  private readonly heat = document.createElement('canvas');
  private readonly small = document.createElement('canvas');
  private preview: NeuronPreview | null = null;
  /** The marked point: chosen, or highlighted from the keyboard. */
  private marked: PlanePoint | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly actions: PointActions,
  ) {
    this.heat.width = OUTPUT_GRID;
    this.heat.height = OUTPUT_GRID;
    this.small.width = NEURON_GRID;
    this.small.height = NEURON_GRID;
    // A picture until now; from here on points can be chosen on it, by pointer and keyboard.
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'application');
    canvas.setAttribute('aria-roledescription', 'data plane');
    canvas.setAttribute(
      'aria-label',
      'Decision boundary with the training and test points. Click a point, or use the arrow keys and Enter, to explain its prediction',
    );
    canvas.addEventListener('click', (e) => {
      const d = this.data;
      if (!d) return;
      const p = nearestPoint(this.points(), d.bounds, this.size(), e.offsetX, e.offsetY, CLICK_RADIUS);
      if (p) this.choose(p);
    });
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const d = this.data;
    if (!d || e.ctrlKey || e.metaKey || e.altKey) return;
    const dir = ARROWS[e.key];
    if (dir) {
      e.preventDefault();
      const p = stepPoint(this.points(), d.bounds, this.marked, dir);
      if (p) {
        this.mark(p);
        this.actions.highlight(p);
      }
    } else if (e.key === 'Enter' && this.marked) {
      e.preventDefault();
      this.choose(this.marked);
    } else if (e.key === 'Escape' && this.marked) {
      e.preventDefault();
      this.mark(null);
      this.actions.release();
    }
  }

  private choose(p: PlanePoint): void {
    this.mark(p);
    this.actions.choose(p);
  }

  /** Marks a point with a ring (null: none). */
  mark(p: PlanePoint | null): void {
    this.marked = p;
    if (p) this.canvas.dataset.marked = `${p.split}:${p.index}`;
    else delete this.canvas.dataset.marked;
    this.render();
  }

  /** The points that can be chosen: the training points, and the test points when shown. */
  private points(): PlanePoint[] {
    const d = this.data;
    return d ? planePoints(d.trainX, d.testX, this.showTest) : [];
  }

  /** The view's side in CSS pixels. */
  private size(): number {
    return Math.max(this.canvas.clientWidth, 120);
  }

  /** Where a data point is drawn, in CSS pixels from the canvas's top left corner. */
  pointPosition(split: PlanePoint['split'], index: number): { x: number; y: number } | undefined {
    const d = this.data;
    const xs = split === 'train' ? d?.trainX : d?.testX;
    if (!d || !xs || 2 * index + 1 >= xs.length || index < 0) return undefined;
    const v = toView(d.bounds, this.size(), xs[2 * index]!, xs[2 * index + 1]!);
    return { x: v.px, y: v.py };
  }

  /** Shows one neuron's heat map in place of the model's output (null: back to the output). */
  setPreview(p: NeuronPreview | null): void {
    this.preview = p;
    this.render();
  }

  /** New data: resets the picture and lets go of the marked point. */
  setData(data: DataMessage): void {
    this.data = data;
    this.output = null;
    this.mark(null);
  }

  /** New model output over the grid. */
  setOutput(output: Float32Array): void {
    this.output = output;
    this.render();
  }

  /** The regression colour scale's half-range. */
  private valueScale(d: DataMessage): number {
    return Math.max(Math.abs(d.yMin), Math.abs(d.yMax), 1e-6);
  }

  private paintHeat(d: DataMessage, out: Float32Array): void {
    const ctx = this.heat.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(OUTPUT_GRID, OUTPUT_GRID);
    const scale = this.valueScale(d);
    if (d.task === 'classification') paintClasses(out, d.classNames.length, OUTPUT_GRID * OUTPUT_GRID, img.data, this.discrete);
    else paintDiverging(this.discrete ? out.map((v) => (v < 0 ? -scale : scale) * BACKGROUND_TINT) : out, 0, OUTPUT_GRID, scale, img.data);
    ctx.putImageData(img, 0, 0);
  }

  /** Redraws at the canvas's current CSS size. */
  render(): void {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const size = this.size();
    const px = Math.round(size * dpr);
    if (canvas.width !== px || canvas.height !== px) {
      canvas.width = px;
      canvas.height = px;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#f7f7f5';
    ctx.fillRect(0, 0, size, size);
    const d = this.data;
    if (!d) return;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const p = this.preview;
    if (p) {
      const small = this.small.getContext('2d');
      if (small) {
        const img = small.createImageData(NEURON_GRID, NEURON_GRID);
        p.paint(img.data);
        small.putImageData(img, 0, 0);
        ctx.drawImage(this.small, 0, 0, size, size);
      }
    } else if (this.output) {
      this.paintHeat(d, this.output);
      // Hard regions keep hard edges.
      ctx.imageSmoothingEnabled = !this.discrete;
      ctx.drawImage(this.heat, 0, 0, size, size);
      ctx.imageSmoothingEnabled = true;
    }
    this.drawAxes(ctx, d.bounds, size);
    this.drawPoints(ctx, d, d.trainX, d.trainY, size, false);
    if (this.showTest) this.drawPoints(ctx, d, d.testX, d.testY, size, true);
    if (this.marked) this.drawMark(ctx, d.bounds, size, this.marked);
    if (p) this.caption(ctx, p.name);
  }

  /** A dark ring with a white halo around the marked point. */
  private drawMark(ctx: CanvasRenderingContext2D, b: Bounds, size: number, m: PlanePoint): void {
    const { px, py } = toView(b, size, m.x, m.y);
    const r = Math.max(2.2, Math.min(4, size / 110)) + 5;
    ctx.save();
    ctx.beginPath();
    ctx.arc(px, py, r, 0, Math.PI * 2);
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = POINT_OUTLINE;
    ctx.stroke();
    ctx.restore();
  }

  private caption(ctx: CanvasRenderingContext2D, text: string): void {
    ctx.save();
    ctx.font = '600 12px system-ui, sans-serif';
    const w = ctx.measureText(text).width + 14;
    ctx.fillStyle = 'rgba(24, 34, 48, 0.85)';
    ctx.beginPath();
    ctx.roundRect(6, 6, w, 22, 5);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, 13, 17);
    ctx.restore();
  }

  private drawAxes(ctx: CanvasRenderingContext2D, b: Bounds, size: number): void {
    ctx.save();
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.12)';
    ctx.lineWidth = 1;
    const zx = ((0 - b.x0) / (b.x1 - b.x0)) * size;
    const zy = ((b.y1 - 0) / (b.y1 - b.y0)) * size;
    ctx.beginPath();
    if (zx > 0 && zx < size) {
      ctx.moveTo(zx, 0);
      ctx.lineTo(zx, size);
    }
    if (zy > 0 && zy < size) {
      ctx.moveTo(0, zy);
      ctx.lineTo(size, zy);
    }
    ctx.stroke();
    ctx.restore();
  }

  private drawPoints(
    ctx: CanvasRenderingContext2D,
    d: DataMessage,
    x: Float32Array,
    y: Float32Array,
    size: number,
    test: boolean,
  ): void {
    const b = d.bounds;
    const n = y.length;
    const radius = Math.max(2.2, Math.min(4, size / 110));
    const scale = Math.max(Math.abs(d.yMin), Math.abs(d.yMax), 1e-6);
    ctx.save();
    // Filled in the full class colour with a dark outline (the regions behind are paler);
    // test points get a white ring inside the outline.
    for (let i = 0; i < n; i++) {
      const px = ((x[2 * i]! - b.x0) / (b.x1 - b.x0)) * size;
      const py = ((b.y1 - x[2 * i + 1]!) / (b.y1 - b.y0)) * size;
      const c = d.task === 'classification' ? classColor(y[i]!) : diverging(y[i]! / scale);
      ctx.beginPath();
      ctx.arc(px, py, test ? radius + 1 : radius, 0, Math.PI * 2);
      ctx.fillStyle = hex(c);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = POINT_OUTLINE;
      ctx.stroke();
      if (test) {
        ctx.beginPath();
        ctx.arc(px, py, radius - 0.4, 0, Math.PI * 2);
        ctx.lineWidth = 1.2;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
      }
    }
    ctx.restore();
  }
}
