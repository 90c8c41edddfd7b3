/**
 * Colours shared by the views: a diverging scale (orange for negative, blue for positive)
 * and one colour per class.
 * @module
 */

/** An RGB triple, 0–255. */
export type Rgb = readonly [number, number, number];

/** Negative values. */
export const NEGATIVE: Rgb = [232, 125, 30];
/** Positive values. */
export const POSITIVE: Rgb = [37, 110, 186];
/** Zero. */
export const NEUTRAL: Rgb = [247, 247, 245];

/** How much of the class colour the decision regions take, where the model is sure. */
export const BACKGROUND_TINT = 0.55;
/** The outline of the data points: dark, so a point shows on a region of its own colour. */
export const POINT_OUTLINE = '#1b1f24';

/** One colour per class (the first two match the diverging scale). */
export const CLASS_COLORS: readonly Rgb[] = [
  [232, 125, 30],
  [37, 110, 186],
  [30, 158, 119],
  [204, 64, 94],
  [128, 94, 190],
  [214, 170, 20],
  [90, 104, 115],
  [0, 160, 200],
  [160, 98, 40],
  [100, 150, 70],
];

/** The colour of class `i` (the palette repeats after ten). */
export function classColor(i: number): Rgb {
  return CLASS_COLORS[i % CLASS_COLORS.length]!;
}

/** `#rrggbb` for an RGB triple. */
export function hex(c: Rgb): string {
  return `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/** Linear blend of two colours, `t` in [0, 1]. */
export function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The diverging scale at `t` in [-1, 1]: orange, white, blue. */
export function diverging(t: number): [number, number, number] {
  const v = Math.max(-1, Math.min(1, t));
  return v < 0 ? mix(NEUTRAL, NEGATIVE, -v) : mix(NEUTRAL, POSITIVE, v);
}

/**
 * Paints `values` (a `side × side` map, row 0 at the top) into RGBA pixels with the
 * diverging scale, dividing by `scale` (values beyond it saturate).
 */
export function paintDiverging(values: ArrayLike<number>, offset: number, side: number, scale: number, out: Uint8ClampedArray): void {
  const inv = scale > 0 ? 1 / scale : 0;
  for (let i = 0; i < side * side; i++) {
    const c = diverging(values[offset + i]! * inv);
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = 255;
  }
}

/**
 * Paints class probabilities (`classes` values per cell, cell after cell) as the blend of
 * the class colours, faded towards white where the model is unsure; `discrete`: each cell
 * in the colour of its most likely class, as hard decision regions.
 */
export function paintClasses(probs: ArrayLike<number>, classes: number, cells: number, out: Uint8ClampedArray, discrete = false): void {
  const chance = 1 / classes;
  for (let i = 0; i < cells; i++) {
    if (discrete) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
      const c = mix(NEUTRAL, classColor(best), BACKGROUND_TINT);
      out.set([c[0], c[1], c[2], 255], 4 * i);
      continue;
    }
    let r = 0;
    let g = 0;
    let b = 0;
    let top = 0;
    for (let k = 0; k < classes; k++) {
      const p = probs[i * classes + k]!;
      const c = classColor(k);
      r += p * c[0];
      g += p * c[1];
      b += p * c[2];
      if (p > top) top = p;
    }
    const sure = Math.max(0, (top - chance) / (1 - chance));
    // At most 55% of the class colour: the data points, drawn in the full colour, stand out.
    const c = mix(NEUTRAL, [r, g, b], BACKGROUND_TINT * (0.35 + 0.65 * sure));
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = 255;
  }
}

/** Largest absolute value in `values[offset, offset + count)` (at least a tiny positive number). */
export function maxAbs(values: ArrayLike<number>, offset: number, count: number): number {
  let m = 1e-6;
  for (let i = 0; i < count; i++) m = Math.max(m, Math.abs(values[offset + i]!));
  return m;
}

/** Paints a probability map (0–1) from white to the class colour into RGBA pixels. */
export function paintProbability(values: ArrayLike<number>, offset: number, cells: number, color: Rgb, out: Uint8ClampedArray): void {
  for (let i = 0; i < cells; i++) {
    const c = mix(NEUTRAL, color, Math.max(0, Math.min(1, values[offset + i]!)));
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = 255;
  }
}
