/**
 * Free-text columns: a text column with more than 20 distinct values and fewer than 5 rows
 * per value is left out of training with a warning, unless --keep names it; the model
 * then needs it neither at prediction nor at evaluation, and `cortex info` says why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, type Run } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-free-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

const COUNTRIES = Array.from({ length: 25 }, (_, i) => `country${i}`);

/**
 * 200 passengers: `name` has 48 distinct values (about 4 rows each: free text), `ticket`
 * one per row with a few missing (free text), `country` 25 values with 8 rows each (a
 * category), `city` 3 values. survived = fare > 50.
 */
function passengers(rows = 200, withText = true): string {
  const head = ['passenger_id', ...(withText ? ['name', 'ticket'] : []), 'country', 'city', 'fare', 'survived'];
  const lines = [head.join(',')];
  for (let i = 0; i < rows; i++) {
    const fare = 5 + ((i * 37) % 95);
    const text = withText ? [`Person ${(i * 7) % 48}`, i % 17 === 3 ? '' : `T-${1000 + i}`] : [];
    lines.push([String(i + 1), ...text, COUNTRIES[i % 25]!, ['Paris', 'Rome', 'Lima'][i % 3]!, String(fare), fare > 50 ? 'yes' : 'no'].join(','));
  }
  return `${lines.join('\n')}\n`;
}

interface TrainJson {
  features: string[];
  droppedColumns: { column: string; reason: string }[];
  metrics: Record<string, { rows: number }>;
}

const csv = p('passengers.csv');
const model = p('passengers.cortex');
let run: Run;
let json: TrainJson;

beforeAll(async () => {
  writeFileSync(csv, passengers());
  writeFileSync(p('new.csv'), passengers(6, false));
  ({ run, json } = await cliJson<TrainJson>(['train', csv, '--target', 'survived', '--epochs', '5', '--drop', 'city', '--test', p('new.csv'), '--out', model]));
  expect(run.code, run.stderr).toBe(0);
});

describe('free-text columns', () => {
  it('are left out with one warning that names them, their counts, the threshold and --keep', () => {
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: .*passengers\.csv: left out the text columns "name" \(48 distinct values in 200 cells\), "ticket" \(188 distinct values in 188 cells\): more than 20 distinct values and fewer than 5 rows per value look like free text, not categories; pass --keep name,ticket to use them anyway$/,
      ),
    ]);
    expect(json.features).toEqual(['fare', 'country']);
    expect(json.metrics.test?.rows).toBe(6); // --test without the free-text columns
    expect(json.droppedColumns).toEqual([
      { column: 'city', reason: '--drop' },
      { column: 'name', reason: 'free text: 48 distinct values in 200 cells' },
      { column: 'ticket', reason: 'free text: 188 distinct values in 188 cells' },
    ]);
  });

  it('are not needed by --test, predict or evaluate; info lists the columns used and those left out, and why', async () => {
    const pred = await cli(['predict', model, p('new.csv')]);
    expect(pred.code, pred.stderr).toBe(0);
    expect(pred.stdout.trimEnd().split('\n')).toHaveLength(7);
    const ev = await cli(['evaluate', model, p('new.csv')]);
    expect(ev.code, ev.stderr).toBe(0);
    const info = await cli(['info', model]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^uses +country \(categorical: country0\|.*\), fare \(numeric\)$/m);
    expect(info.stdout).toMatch(/^left out +city \(--drop\), name \(free text: 48 distinct values in 200 cells\), ticket \(free text: 188 distinct values in 188 cells\)$/m);
    expect(info.stdout).not.toMatch(/droppedColumns|\[object Object\]/);
  });

  it('--keep uses them anyway; an unknown --keep column is a data error', async () => {
    const kept = await cliJson<TrainJson>(['train', csv, '--target', 'survived', '--epochs', '2', '--keep', 'name', '--out', p('kept.cortex')]);
    expect(kept.run.code, kept.run.stderr).toBe(0);
    expect(kept.json.features).toEqual(['fare', 'name', 'country', 'city']);
    expect(kept.run.stderr).toMatch(/left out the text column "ticket" \(188 distinct values in 188 cells\).*--keep ticket to use it anyway/);
    const bad = await cli(['train', csv, '--target', 'survived', '--keep', 'nmae', '--out', p('bad.cortex')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/passengers\.csv, row 1, column "nmae": --keep names nmae, which is not among the columns read/);
  });
});
