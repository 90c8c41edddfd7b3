/**
 * Pure parts of the playground's views: the loss chart's log ticks fit the room there is,
 * and the data points stand out from the decision regions behind them.
 */
import { describe, expect, it } from 'vitest';
import { BACKGROUND_TINT, CLASS_COLORS, NEUTRAL, paintClasses, POINT_OUTLINE } from '../../web/src/colors.js';
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
