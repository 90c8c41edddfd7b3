// Tables from strangers: a few hundred seeded mutants of a clean CSV (flipped bytes, stray
// quotes and delimiters, cut rows, huge or non-numeric cells, unseen categories). Each one must
// give a typed Cortex error, or features that are all finite after preprocessing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { CortexError } from '../../src/errors.js';
import { Generator } from '../../src/tensor/random.js';

const root = join(import.meta.dirname, '..', '..');
// Iris with a text column added, so category handling is fuzzed too.
const clean = readFileSync(join(root, 'data', 'iris.csv'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((line, i) => `${line},${i === 0 ? 'site' : ['north', 'south', 'east'][i % 3]}`)
  .join('\n');
const NASTY = ['', 'NaN', 'Infinity', '-1e308', '1e308', '1e39', 'abc', '"', '""', ',', '\n', '\r\n', '0x10', ' 5 ', '١٢', '\u0000', 'north', 'west'];

function mutate(text: string, g: Generator): string {
  const kind = g.nextInt(0, 5);
  if (kind === 0) {
    // Flip one bit of one character.
    const i = g.nextInt(0, text.length);
    return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << g.nextInt(0, 7))) + text.slice(i + 1);
  }
  if (kind === 1) return text.slice(0, g.nextInt(0, text.length)); // cut anywhere
  const rows = text.split('\n');
  const r = g.nextInt(0, rows.length);
  const cells = rows[r]!.split(',');
  if (kind === 2) cells[g.nextInt(0, cells.length)] = NASTY[g.nextInt(0, NASTY.length)]!;
  else if (kind === 3) cells.splice(g.nextInt(0, cells.length + 1), 0, NASTY[g.nextInt(0, NASTY.length)]!);
  else cells.splice(g.nextInt(0, cells.length), 1);
  rows[r] = cells.join(',');
  return rows.join('\n');
}

describe('CSV fuzz', () => {
  it('300 seeded mutants: a typed error or finite features', () => {
    const g = new Generator(16);
    let errors = 0;
    let tables = 0;
    for (let trial = 0; trial < 300; trial++) {
      const text = trial % 2 === 0 ? mutate(clean, g) : mutate(mutate(clean, g), g);
      try {
        const table = parseCsv(text, { target: 'species', source: 'fuzz.csv' });
        const pipe = new TablePipeline({ target: 'species', impute: { numeric: 'mean', categorical: 'most_frequent' }, handleUnknown: 'ignore', onWarning: () => {} });
        const enc = pipe.fitTransform(table);
        for (let i = 0; i < enc.x.length; i++) {
          if (!Number.isFinite(enc.x[i]!)) throw new Error(`mutant ${trial}: feature ${i} is ${enc.x[i]} after preprocessing`);
        }
        tables++;
      } catch (e) {
        if (!(e instanceof CortexError)) throw new Error(`mutant ${trial} threw ${String(e)} instead of a typed Cortex error`);
        errors++;
      }
    }
    expect(errors + tables).toBe(300);
    expect(tables).toBeGreaterThan(10);
    expect(errors).toBeGreaterThan(10);
  });
});
