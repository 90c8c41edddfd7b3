/**
 * Where `cortex train` saves: next to the data file by default, and never over a model
 * trained for another target or task unless `--force`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from '../../src/io/node/files.js';
import { cli, cliJson, irisCsv, root } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (...names: string[]) => join(dir, ...names);
const quick = ['--epochs', '2', '--layers', '8'];

describe('the default output path', () => {
  it('is next to the data file, so two train.csv files in different folders keep their own models', async () => {
    for (const d of ['a', 'b']) {
      mkdirSync(p(d));
      copyFileSync(irisCsv, p(d, 'train.csv'));
    }
    const a = await cli(['train', p('a', 'train.csv'), '--target', 'species', ...quick]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['train', p('b', 'train.csv'), '--target', 'petal_width', ...quick]);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toContain(`saved   ${p('a', 'train.cortex')}`);
    expect(existsSync(join(root, 'train.cortex'))).toBe(false);
    expect((await load(p('a', 'train.cortex'))).schema?.target.name).toBe('species');
    expect((await load(p('b', 'train.cortex'))).schema?.target.name).toBe('petal_width');
  }, 60_000);

  it('replaces a model for the same target, and says so', async () => {
    const run = await cliJson<{ out: string; replaced: unknown }>(['train', p('a', 'train.csv'), '--target', 'species', ...quick]);
    expect(run.run.code, run.run.stderr).toBe(0);
    expect(run.json.out).toBe(p('a', 'train.cortex'));
    expect(run.json.replaced).toEqual({ target: 'species', task: 'classification', forced: false });
    const text = await cli(['train', p('a', 'train.csv'), '--target', 'species', ...quick]);
    expect(text.stdout).toMatch(/saved +.*train\.cortex \([\d.]+ KB, replacing the earlier model for "species"\)/);
  }, 60_000);

  it('refuses to replace a model for another target or task (exit 2) unless --force', async () => {
    const before = readFileSync(p('a', 'train.cortex'));
    const other = await cli(['train', p('a', 'train.csv'), '--target', 'petal_width', ...quick]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /cortex: error: .*train\.cortex: a model of "species" \(classification\) is already there, and this run trains a model of "petal_width" \(regression\); it was not replaced\. Pass --out <file> .*or --force/,
    );
    expect(readFileSync(p('a', 'train.cortex')).equals(before)).toBe(true);
    // The same column, learned as another task, is another model too.
    const task = await cli(['train', p('b', 'train.csv'), '--target', 'petal_width', '--task', 'classification', ...quick]);
    expect(task.code).toBe(2);
    expect(task.stderr).toMatch(/a model of "petal_width" \(regression\) is already there, and this run trains a model of "petal_width" \(classification\)/);

    const forced = await cli(['train', p('a', 'train.csv'), '--target', 'petal_width', ...quick, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/replacing the model for "species" \(classification\) \(--force\)/);
    expect((await load(p('a', 'train.cortex'))).schema?.target.name).toBe('petal_width');
  }, 60_000);

  it('never replaces a file that is not a model, with --out too', async () => {
    writeFileSync(p('notes.cortex'), 'my notes\n');
    const run = await cli(['train', irisCsv, '--target', 'species', ...quick, '--out', p('notes.cortex')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/notes\.cortex: the file exists and is not a model saved by cortex train; it was not replaced\. .*--force/);
    expect(readFileSync(p('notes.cortex'), 'utf8')).toBe('my notes\n');
  }, 60_000);
});
