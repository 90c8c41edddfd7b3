/**
 * Where the brain view puts its neurons. Columns are spread across the width; a column of
 * up to {@link FULL_ROWS} neurons draws them at full size, a larger one (a model trained by
 * `cortex train`, say 64 neurons) packs them into the same height with smaller squares, so
 * the diagram never grows taller than about ten neurons.
 * @module
 */

/** Height of the column headers. */
export const HEADER = 52;
/** Neurons per column drawn at full size; larger columns are drawn compactly. */
export const FULL_ROWS = 10;

/** The diagram's layout. */
export interface Geometry {
  /** Full neuron size (columns of at most {@link FULL_ROWS} neurons). */
  size: number;
  /** Left edge of each column's slot (its width is `size`). */
  xs: number[];
  /** Each column's neuron size. */
  sizes: number[];
  /** Left edge of each column's neurons (centred in the slot). */
  lefts: number[];
  /** Top of every neuron, per column. */
  ys: number[][];
  width: number;
  height: number;
}

/** Lays out columns of `counts` neurons in a box `width` pixels wide. */
export function layout(counts: readonly number[], width: number, margins: { left: number; right: number }): Geometry {
  const cols = counts.length;
  const size = Math.round(Math.max(24, Math.min(44, (width - 24) / (cols * 1.9))));
  const gap = Math.round(size * 0.28);
  const rows = Math.min(Math.max(...counts, 1), FULL_ROWS);
  const span = rows * size + (rows - 1) * gap;
  const height = HEADER + span + 12;
  const { left, right } = margins;
  const xs = counts.map((_, c) => left + (cols === 1 ? 0 : (c * (width - left - right - size)) / (cols - 1)));
  const sizes: number[] = [];
  const ys = counts.map((n) => {
    let cell = size;
    let pitch = size + gap;
    if (n > FULL_ROWS) {
      pitch = (span + gap * 0.25) / n;
      cell = Math.max(2, pitch * 0.8);
    }
    sizes.push(cell);
    const used = n * pitch - (pitch - cell);
    const top = HEADER + (span - used) / 2;
    return Array.from({ length: n }, (_, j) => top + j * pitch);
  });
  const lefts = xs.map((x, c) => x + (size - sizes[c]!) / 2);
  return { size, xs, sizes, lefts, ys, width, height };
}
