/**
 * The data-set chooser: a radio group of tiles, each with a thumbnail of the data set. The
 * thumbnails' points come from the library's own generators, made in the training worker
 * (see `worker/thumbnails.ts`), so the page paints before the library has loaded.
 * @module
 */
import { classColor, diverging, hex } from './colors.js';
import type { Thumbnail } from './protocol.js';
import type { DatasetName } from './state.js';

const TITLES: Record<DatasetName, string> = {
  spiral: 'Spiral',
  xor: 'XOR',
  moons: 'Moons',
  circles: 'Circles',
  blobs: 'Blobs',
  surface: 'Surface (regression)',
  csv: 'CSV file',
};

/** Clears a thumbnail to the background; the CSV tile says "CSV". */
function blank(name: DatasetName, canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const size = canvas.width;
  ctx.fillStyle = '#f7f7f5';
  ctx.fillRect(0, 0, size, size);
  if (name === 'csv') {
    ctx.fillStyle = '#8a949c';
    ctx.font = `600 ${Math.round(size * 0.26)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('CSV', size / 2, size / 2);
  }
}

/** Draws a thumbnail's points, scaled to fit with a margin. */
function paint(t: Thumbnail, canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  blank(t.name, canvas);
  const size = canvas.width;
  const { x, y } = t;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) return;
  const pad = (hi - lo) * 0.1;
  const scale = size / (hi - lo + 2 * pad);
  for (let i = 0; i < x.length / 2; i++) {
    ctx.fillStyle = hex(t.regression ? diverging(y[i] ?? 0) : classColor(y[i] ?? 0));
    ctx.beginPath();
    ctx.arc((x[2 * i]! - lo + pad) * scale, size - (x[2 * i + 1]! - lo + pad) * scale, size / 34, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** What {@link buildTiles} gives back. */
export interface Tiles {
  /** Checks the tile of a data set (without calling `onPick`). */
  pick(name: DatasetName): void;
  /** Draws the thumbnails, when the worker has sent them. */
  paint(sets: readonly Thumbnail[]): void;
}

/** Fills `root` with one radio tile per data set; `onPick` runs when the choice changes. */
export function buildTiles(root: HTMLElement, names: readonly DatasetName[], onPick: (name: DatasetName) => void): Tiles {
  const inputs = new Map<DatasetName, HTMLInputElement>();
  const canvases = new Map<DatasetName, HTMLCanvasElement>();
  for (const name of names) {
    const label = document.createElement('label');
    label.className = 'tile';
    label.title = TITLES[name];
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'dataset';
    input.value = name;
    input.id = `data-${name}`;
    input.setAttribute('aria-label', TITLES[name]);
    input.addEventListener('change', () => {
      if (input.checked) onPick(name);
    });
    const canvas = document.createElement('canvas');
    canvas.width = 96;
    canvas.height = 96;
    canvas.setAttribute('aria-hidden', 'true');
    blank(name, canvas);
    canvases.set(name, canvas);
    const caption = document.createElement('span');
    caption.textContent = name === 'surface' ? 'Surface' : TITLES[name];
    label.append(input, canvas, caption);
    root.append(label);
    inputs.set(name, input);
  }
  return {
    pick(name) {
      const input = inputs.get(name);
      if (input) input.checked = true;
    },
    paint(sets) {
      for (const t of sets) {
        const canvas = canvases.get(t.name);
        if (canvas) paint(t, canvas);
      }
    },
  };
}
