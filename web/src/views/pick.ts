/**
 * Choosing a data point on the output view: the point nearest a click, and, from the
 * keyboard, the nearest point in the direction of an arrow key. Pure functions over the
 * points' coordinates, so they are tested without a browser.
 * @module
 */
import type { Bounds } from '../protocol.js';

/** One data point of the plane: which split it is in, its row there, and where it is. */
export interface PlanePoint {
  split: 'train' | 'test';
  index: number;
  /** The two inputs, in the data's units. */
  x: number;
  y: number;
}

/** An arrow key's direction on the plane (up is larger x2). */
export type Direction = 'left' | 'right' | 'up' | 'down';

/** The points of the training split and, if `withTest`, of the test split, from `[x1, x2]` pairs. */
export function planePoints(trainX: Float32Array, testX: Float32Array, withTest: boolean): PlanePoint[] {
  const out: PlanePoint[] = [];
  const add = (split: PlanePoint['split'], xs: Float32Array) => {
    for (let i = 0; 2 * i + 1 < xs.length; i++) out.push({ split, index: i, x: xs[2 * i]!, y: xs[2 * i + 1]! });
  };
  add('train', trainX);
  if (withTest) add('test', testX);
  return out;
}

/** Where a point of the plane is drawn on a `size`-pixel square view (CSS pixels, y down). */
export function toView(b: Bounds, size: number, x: number, y: number): { px: number; py: number } {
  return { px: ((x - b.x0) / (b.x1 - b.x0)) * size, py: ((b.y1 - y) / (b.y1 - b.y0)) * size };
}

/**
 * The point drawn nearest view position `(px, py)`, if one is within `radius` pixels
 * (null otherwise, or when there are no points).
 */
export function nearestPoint(points: readonly PlanePoint[], b: Bounds, size: number, px: number, py: number, radius: number): PlanePoint | null {
  let best: PlanePoint | null = null;
  let bestD = radius * radius;
  for (const p of points) {
    const v = toView(b, size, p.x, p.y);
    const d = (v.px - px) ** 2 + (v.py - py) ** 2;
    if (d <= bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

/**
 * The next point from `from` in direction `dir`, on the view's scale: among the points
 * ahead of it, the one nearest along the direction with sideways distance counting
 * double. `from` itself when nothing is ahead; with no `from`, the point nearest the
 * middle of the plane.
 */
export function stepPoint(points: readonly PlanePoint[], b: Bounds, from: PlanePoint | null, dir: Direction): PlanePoint | null {
  if (points.length === 0) return null;
  const sx = 1 / (b.x1 - b.x0);
  const sy = 1 / (b.y1 - b.y0);
  if (from === null) {
    const mx = (b.x0 + b.x1) / 2;
    const my = (b.y0 + b.y1) / 2;
    let best = points[0]!;
    let bestD = Number.POSITIVE_INFINITY;
    for (const p of points) {
      const d = ((p.x - mx) * sx) ** 2 + ((p.y - my) * sy) ** 2;
      if (d < bestD) {
        best = p;
        bestD = d;
      }
    }
    return best;
  }
  let best = from;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const p of points) {
    const dx = (p.x - from.x) * sx;
    const dy = (p.y - from.y) * sy;
    const ahead = dir === 'right' ? dx : dir === 'left' ? -dx : dir === 'up' ? dy : -dy;
    const side = dir === 'left' || dir === 'right' ? Math.abs(dy) : Math.abs(dx);
    if (ahead <= 0 || (p.split === from.split && p.index === from.index)) continue;
    const cost = ahead + 2 * side;
    if (cost < bestCost) {
      best = p;
      bestCost = cost;
    }
  }
  return best;
}
