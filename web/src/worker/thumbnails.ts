/**
 * The points of the data-set tiles' thumbnails, drawn from the library's own generators in
 * the worker (so the page itself loads no library code) and sent to the page once.
 * @module
 */
import { blobs, circles, moons, spiral, surface, xor } from 'cortex-nn';
import type { Thumbnail } from '../protocol.js';

/** One thumbnail per generated data set, 160 points each, seed 3. */
export function thumbnails(): Thumbnail[] {
  const opts = { n: 160, seed: 3 };
  const wave = surface({ ...opts, kind: 'wave' });
  const classes = (name: Thumbnail['name'], set: { x: Float32Array; y: Int32Array }): Thumbnail => ({
    name,
    x: set.x,
    y: Float32Array.from(set.y),
    regression: false,
  });
  return [
    classes('spiral', spiral({ ...opts, classes: 3, noise: 0.1 })),
    classes('xor', xor({ ...opts, noise: 0.03 })),
    classes('moons', moons({ ...opts, noise: 0.06 })),
    classes('circles', circles({ ...opts, noise: 0.04 })),
    classes('blobs', blobs({ ...opts, classes: 3, box: 1, noise: 0.15 })),
    { name: 'surface', x: wave.x, y: Float32Array.from(wave.y), regression: true },
  ];
}
