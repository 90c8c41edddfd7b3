/**
 * The data-set chooser: a radio group of tiles, each with a thumbnail drawn from the
 * library's own generators.
 * @module
 */
import { blobs, circles, moons, spiral, surface, xor } from '../../src/data/generators.js';
import { classColor, diverging, hex } from './colors.js';
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

function thumbnail(name: DatasetName, canvas: HTMLCanvasElement): void {
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
    return;
  }
  const opts = { n: 160, seed: 3 };
  let x: Float32Array;
  let colour: (i: number) => string;
  if (name === 'surface') {
    const r = surface({ ...opts, kind: 'wave' });
    x = r.x;
    colour = (i) => hex(diverging(r.y[i]!));
  } else {
    const set =
      name === 'xor'
        ? xor({ ...opts, noise: 0.03 })
        : name === 'moons'
          ? moons({ ...opts, noise: 0.06 })
          : name === 'circles'
            ? circles({ ...opts, noise: 0.04 })
            : name === 'blobs'
              ? blobs({ ...opts, classes: 3, box: 1, noise: 0.15 })
              : spiral({ ...opts, classes: 3, noise: 0.1 });
    x = set.x;
    colour = (i) => hex(classColor(set.y[i]!));
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = (hi - lo) * 0.1;
  const scale = size / (hi - lo + 2 * pad);
  for (let i = 0; i < x.length / 2; i++) {
    ctx.fillStyle = colour(i);
    ctx.beginPath();
    ctx.arc((x[2 * i]! - lo + pad) * scale, size - (x[2 * i + 1]! - lo + pad) * scale, size / 34, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Fills `root` with one radio tile per data set; `onPick` runs when the choice changes. */
export function buildTiles(root: HTMLElement, names: readonly DatasetName[], onPick: (name: DatasetName) => void): (name: DatasetName) => void {
  const inputs = new Map<DatasetName, HTMLInputElement>();
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
    thumbnail(name, canvas);
    const caption = document.createElement('span');
    caption.textContent = name === 'surface' ? 'Surface' : TITLES[name];
    label.append(input, canvas, caption);
    root.append(label);
    inputs.set(name, input);
  }
  return (name) => {
    const input = inputs.get(name);
    if (input) input.checked = true;
  };
}
