/**
 * Pure parts of the playground's views: the loss chart's log ticks fit the room there is,
 * the data points stand out from the decision regions behind them, points are chosen by
 * a click or the arrow keys, and the weights are walked from the keyboard.
 */
import { describe, expect, it } from 'vitest';
import { BACKGROUND_TINT, CLASS_COLORS, NEUTRAL, paintClasses, POINT_OUTLINE } from '../../web/src/colors.js';
import { formatNumber } from '../../web/src/views/explain.js';
import { moveLink } from '../../web/src/views/link-keys.js';
import { nearestPoint, planePoints, stepPoint, toView } from '../../web/src/views/pick.js';
import { logTicks, MIN_SPACING, tickCount } from '../../web/src/views/ticks.js';

describe('loss chart ticks', () => {
  it('label every decade only when there is room for them', () => {
    // Seven decades on a 70 px chart: three labels, the largest kept.
    const short = logTicks(1e-5, 10, 70);
    expect(short.length).toBeLessThanOrEqual(tickCount(70));
    expect(short.length).toBeGreaterThanOrEqual(2);
    expect(short.at(-1)).toBe(10);
    for (let i = 1; i < short.length; i++) expect(70 * (Math.log10(short[i]! / short[i - 1]!) / 6)).toBeGreaterThanOrEqual(MIN_SPACING);
    // The same decades on a tall chart: all seven.
    expect(logTicks(1e-5, 10, 400)).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10]);
  });

  it('use 1-2-5 steps within a decade or two', () => {
    expect(logTicks(0.1, 1, 240)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(logTicks(0.1, 1, 80)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.1, 1, 40)).toEqual([0.1, 1]);
  });
});

/** Largest difference between two colours over the three channels. */
function distance(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

describe('data points on the decision regions', () => {
  it('are filled in a colour the region of their own class does not reach', () => {
    for (let k = 0; k < 3; k++) {
      const probs = new Float32Array(3);
      probs[k] = 1;
      const out = new Uint8ClampedArray(4);
      paintClasses(probs, 3, 1, out);
      const fill = CLASS_COLORS[k]!;
      // A point of class k on a region the model is sure is class k still shows.
      expect(distance([out[0]!, out[1]!, out[2]!], fill)).toBeGreaterThan(50);
      expect(distance([out[0]!, out[1]!, out[2]!], NEUTRAL)).toBeGreaterThan(30);
    }
    expect(BACKGROUND_TINT).toBeLessThan(0.7);
    expect(POINT_OUTLINE).toMatch(/^#[0-3][0-9a-f][0-3][0-9a-f][0-3][0-9a-f]$/);
  });

  it('discretised, take one colour per class: the most likely one', () => {
    const probs = Float32Array.from([0.6, 0.3, 0.1, 0.2, 0.45, 0.35, 0.34, 0.33, 0.33]);
    const out = new Uint8ClampedArray(12);
    paintClasses(probs, 3, 3, out, true);
    const tint = (k: number) => CLASS_COLORS[k]!.map((c, i) => Math.round(NEUTRAL[i]! + (c - NEUTRAL[i]!) * BACKGROUND_TINT));
    expect([...out.slice(0, 3)]).toEqual(tint(0));
    expect([...out.slice(4, 7)]).toEqual(tint(1));
    expect([...out.slice(8, 11)]).toEqual(tint(0));
  });
});

describe('choosing a point on the output view', () => {
  const bounds = { x0: -1, x1: 1, y0: -1, y1: 1 };
  // A plus sign of training points around the origin, and one test point far right.
  const train = Float32Array.from([0, 0, 0.5, 0, -0.5, 0, 0, 0.5, 0, -0.5]);
  const test = Float32Array.from([0.9, 0.05]);
  const points = planePoints(train, test, true);

  it('lists the training points, then the test points when shown', () => {
    expect(points).toHaveLength(6);
    expect(points[5]).toEqual({ split: 'test', index: 0, x: expect.closeTo(0.9, 6), y: expect.closeTo(0.05, 6) });
    expect(planePoints(train, test, false)).toHaveLength(5);
  });

  it('picks the point nearest a click, within a radius', () => {
    // On a 200 px view the origin is at (100, 100) and x2 grows upwards.
    expect(toView(bounds, 200, 0.5, 0.5)).toEqual({ px: 150, py: 50 });
    expect(nearestPoint(points, bounds, 200, 148, 103, 10)).toMatchObject({ split: 'train', index: 1 });
    expect(nearestPoint(points, bounds, 200, 100, 48, 10)).toMatchObject({ split: 'train', index: 3 });
    expect(nearestPoint(points, bounds, 200, 125, 125, 10)).toBeNull();
  });

  it('steps to the nearest point in the direction of an arrow key', () => {
    const middle = stepPoint(points, bounds, null, 'right');
    expect(middle).toMatchObject({ split: 'train', index: 0 });
    expect(stepPoint(points, bounds, middle, 'right')).toMatchObject({ index: 1 });
    expect(stepPoint(points, bounds, middle, 'left')).toMatchObject({ index: 2 });
    expect(stepPoint(points, bounds, middle, 'up')).toMatchObject({ index: 3 });
    expect(stepPoint(points, bounds, middle, 'down')).toMatchObject({ index: 4 });
    const right = stepPoint(points, bounds, points[1]!, 'right');
    expect(right).toMatchObject({ split: 'test', index: 0 });
    // Nothing further right: it stays.
    expect(stepPoint(points, bounds, right, 'right')).toBe(right);
    expect(stepPoint([], bounds, null, 'up')).toBeNull();
  });
});

describe('weights from the keyboard', () => {
  const sizes = [2, 3, 1];

  it('starts at the first weight and walks a layer with Up, Down, Home and End', () => {
    expect(moveLink(sizes, null, 'ArrowDown')).toEqual({ layer: 0, out: 0, input: 0 });
    expect(moveLink(sizes, null, 'a')).toBeNull();
    expect(moveLink(sizes, { layer: 0, out: 0, input: 1 }, 'ArrowDown')).toEqual({ layer: 0, out: 1, input: 0 });
    expect(moveLink(sizes, { layer: 0, out: 1, input: 0 }, 'ArrowUp')).toEqual({ layer: 0, out: 0, input: 1 });
    expect(moveLink(sizes, { layer: 0, out: 0, input: 0 }, 'ArrowUp')).toEqual({ layer: 0, out: 0, input: 0 });
    expect(moveLink(sizes, { layer: 0, out: 1, input: 1 }, 'End')).toEqual({ layer: 0, out: 2, input: 1 });
    expect(moveLink(sizes, { layer: 0, out: 2, input: 1 }, 'ArrowDown')).toEqual({ layer: 0, out: 2, input: 1 });
    expect(moveLink(sizes, { layer: 0, out: 2, input: 1 }, 'Home')).toEqual({ layer: 0, out: 0, input: 0 });
  });

  it('moves between layers with Left and Right, staying in range', () => {
    expect(moveLink(sizes, { layer: 0, out: 2, input: 1 }, 'ArrowRight')).toEqual({ layer: 1, out: 0, input: 1 });
    const last = { layer: 1, out: 0, input: 2 };
    expect(moveLink(sizes, last, 'ArrowRight')).toBe(last);
    expect(moveLink(sizes, last, 'ArrowLeft')).toEqual({ layer: 0, out: 0, input: 1 });
    expect(moveLink([4], null, 'ArrowDown')).toBeNull();
  });
});

describe('explain panel numbers', () => {
  it('show three significant figures, and tiny ones as exponents', () => {
    expect(formatNumber(1.23456)).toBe('1.23');
    expect(formatNumber(-0.061234)).toBe('-0.0612');
    expect(formatNumber(1.2e-7)).toBe('1.2e-7');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1234.5)).toBe('1230');
  });
});
