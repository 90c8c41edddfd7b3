/**
 * The live curves: training and test loss, and training and test accuracy (R² for
 * regression), one point per epoch, drawn with uPlot.
 * @module
 */
import uPlot from 'uplot';
import type { EpochRecord } from '../protocol.js';
import { logTicks, MIN_SPACING } from './ticks.js';

/** Colour of the training curves. */
export const TRAIN = '#5b6770';
/** Colour of the test curves. */
export const TEST = '#d1495b';

const HEIGHT = 104;
/** Points per curve before a long run is thinned out. */
const MAX_POINTS = 2000;

/** R² below −1 says little; the chart clips there so the useful part stays readable. */
const R2_RANGE: uPlot.Range.Function = (_u, min) => [Math.max(Math.min(min, 0), -1), 1];

function chart(root: HTMLElement, log: boolean, fixed: [number, number] | uPlot.Range.Function | null): uPlot {
  const opts: uPlot.Options = {
    width: Math.max(root.clientWidth, 200),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { show: false },
    scales: {
      x: { time: false },
      y: fixed ? { range: fixed } : log ? { distr: 3 } : {},
    },
    axes: [
      { stroke: '#67707a', grid: { stroke: '#eef0ec' }, ticks: { stroke: '#dde0da' }, size: 26, space: 50, font: '11px system-ui' },
      {
        stroke: '#67707a',
        grid: { stroke: '#eef0ec' },
        ticks: { stroke: '#dde0da' },
        size: 50,
        font: '11px system-ui',
        space: MIN_SPACING,
        values: (_u, ticks) => ticks.map(tickLabel),
        // Log ticks chosen from the plot's height (uPlot's own would label every decade).
        ...(log ? { splits: (u: uPlot, _i: number, min: number, max: number) => logTicks(min, max, u.bbox.height / devicePixelRatio) } : {}),
      },
    ],
    series: [
      { label: 'epoch' },
      { label: 'train', stroke: TRAIN, width: 2, points: { show: false } },
      { label: 'test', stroke: TEST, width: 2, points: { show: false } },
    ],
  };
  return new uPlot(opts, [[], [], []], root);
}

/** Two charts that grow one point per epoch. */
export class Curves {
  private loss: uPlot;
  private score: uPlot;
  private epochs: number[] = [];
  private trainLoss: number[] = [];
  private testLoss: number[] = [];
  private trainScore: number[] = [];
  private testScore: number[] = [];
  private scoreName = 'accuracy';
  private dirty = false;

  constructor(
    private readonly lossRoot: HTMLElement,
    private readonly scoreRoot: HTMLElement,
  ) {
    this.loss = chart(lossRoot, true, null);
    this.score = chart(scoreRoot, false, [0, 1]);
    new ResizeObserver(() => this.resize()).observe(lossRoot);
  }

  /** Starts again (new run); `regression` switches the second chart to R². */
  reset(regression: boolean): void {
    this.epochs = [];
    this.trainLoss = [];
    this.testLoss = [];
    this.trainScore = [];
    this.testScore = [];
    const name = regression ? 'R²' : 'accuracy';
    if (name !== this.scoreName) {
      this.scoreName = name;
      this.score.destroy();
      this.score = chart(this.scoreRoot, false, regression ? R2_RANGE : [0, 1]);
    }
    this.redraw();
  }

  /** Appends epoch records (drawn by the next {@link Curves.draw}). */
  push(records: readonly EpochRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      this.epochs.push(r.epoch);
      this.trainLoss.push(positive(r.trainLoss));
      this.testLoss.push(positive(r.testLoss));
      this.trainScore.push(r.trainScore);
      this.testScore.push(r.testScore);
    }
    // A long run keeps every other point once there are more than a chart can show.
    if (this.epochs.length > MAX_POINTS) {
      for (const a of [this.epochs, this.trainLoss, this.testLoss, this.trainScore, this.testScore]) {
        const last = a[a.length - 1]!;
        const kept = a.filter((_, i) => i % 2 === 0);
        if (a.length % 2 === 0) kept.push(last);
        a.splice(0, a.length, ...kept);
      }
    }
    this.dirty = true;
  }

  /** Redraws the charts if points were added since the last call. */
  draw(): void {
    if (this.dirty) this.redraw();
  }

  private redraw(): void {
    this.dirty = false;
    this.loss.setData([this.epochs, this.trainLoss, this.testLoss]);
    this.score.setData([this.epochs, this.trainScore, this.testScore]);
  }

  private resize(): void {
    const width = Math.max(this.lossRoot.clientWidth, 200);
    this.loss.setSize({ width, height: HEIGHT });
    this.score.setSize({ width, height: HEIGHT });
  }
}

function tickLabel(v: number | null): string {
  if (v === null) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 0.01 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(0);
}

/** Log scales need positive values; a loss of exactly zero is drawn at a tiny value. */
function positive(v: number): number {
  return Number.isFinite(v) ? Math.max(v, 1e-5) : Number.NaN;
}
