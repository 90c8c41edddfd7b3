/**
 * Tick values for the charts' log scale, chosen from the room there is: at least
 * {@link MIN_SPACING} pixels between two labels, so a short chart shows a few decades and a
 * tall one more (uPlot's own log ticks label every decade, however little room there is).
 * @module
 */

/** Fewest pixels between two tick labels of a vertical axis. */
export const MIN_SPACING = 24;

/** How many ticks fit along `pixels` (at least 2). */
export function tickCount(pixels: number, spacing = MIN_SPACING): number {
  return Math.max(2, Math.floor(pixels / spacing) + 1);
}

/**
 * Ticks for a log axis from `min` to `max` (both positive) along `pixels`: powers of ten,
 * every k-th one when they do not all fit; within less than a decade, 1-2-5 steps.
 */
export function logTicks(min: number, max: number, pixels: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const most = tickCount(pixels);
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  for (const steps of [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1]]) {
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) for (const m of steps) if (inRange(m * 10 ** e)) ticks.push(Number((m * 10 ** e).toPrecision(12)));
    if (ticks.length >= 2 && ticks.length <= most) return ticks;
    if (steps.length === 1 && ticks.length > most) {
      // Every k-th power of ten, keeping the largest.
      const k = Math.ceil((ticks.length - 1) / (most - 1));
      return ticks.filter((_, i) => (ticks.length - 1 - i) % k === 0);
    }
  }
  return [min, max].map((v) => Number(v.toPrecision(2)));
}
