/**
 * `.onnx` files come from strangers: damaged copies of the committed fixtures (bytes
 * overwritten, files cut short) are either read or refused with a Cortex error
 * (ModelFormatError, OnnxError, ShapeError…), never a TypeError or RangeError from inside.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CortexError, describeOnnx, Generator, importOnnx } from '../../src/index.js';

const dir = new URL('../fixtures/onnx/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.onnx'));

it('damaged .onnx files are read or refused with a typed error', () => {
  const g = new Generator(2026);
  const untyped: string[] = [];
  let refused = 0;
  for (let trial = 0; trial < 400; trial++) {
    const name = files[trial % files.length]!;
    const bytes = new Uint8Array(readFileSync(`${dir}${name}`));
    const flips = 1 + g.nextInt(0, 8);
    for (let k = 0; k < flips; k++) bytes[g.nextInt(0, bytes.length)] = g.nextInt(0, 256);
    const damaged = g.nextInt(0, 4) === 0 ? bytes.subarray(0, g.nextInt(0, bytes.length)) : bytes;
    for (const read of [() => describeOnnx(damaged), () => importOnnx(damaged)]) {
      try {
        read();
      } catch (e) {
        if (e instanceof CortexError) refused++;
        else untyped.push(`${name} (trial ${trial}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
  expect(untyped).toEqual([]);
  expect(refused).toBeGreaterThan(100);
});
