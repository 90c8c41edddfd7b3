/**
 * The output view: the decision boundary (classification) or the regression surface as a
 * heat map over the input plane, with the training and test points on top.
 * @module
 */
import { BACKGROUND_TINT, classColor, diverging, hex, POINT_OUTLINE, paintClasses, paintDiverging } from '../colors.js';
import { type Bounds, type DataMessage, NEURON_GRID, OUTPUT_GRID } from '../protocol.js';

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

  constructor(readonly canvas: HTMLCanvasElement) {
    this.heat.width = OUTPUT_GRID;
    this.heat.height = OUTPUT_GRID;
    this.small.width = NEURON_GRID;
    this.small.height = NEURON_GRID;
  }

  /** Shows one neuron's heat map in place of the model's output (null: back to the output). */
  setPreview(p: NeuronPreview | null): void {
    this.preview = p;
    this.render();
  }

  /** New data: resets the picture. */
  setData(data: DataMessage): void {
    this.data = data;
    this.output = null;
    this.render();
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
    const size = Math.max(canvas.clientWidth, 120);
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
    if (p) this.caption(ctx, p.name);
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
