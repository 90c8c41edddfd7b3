/**
 * Where `cortex train` saves its model: next to the data file by default
 * (`data/train.csv` → `data/train.cortex`), and never over a model trained for another
 * target unless `--force` says so.
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { dataError } from '../data/where.js';
import { ModelFormatError } from '../errors.js';
import { decodeModelFile } from '../io/model-file.js';
import { readModelBytes } from '../io/node/files.js';
import type { Task } from './model-data.js';

/** The default model path for a data file: the same folder and name, with `.cortex`. */
export function defaultModelPath(data: string): string {
  return join(dirname(data), `${basename(data, extname(data))}.cortex`);
}

/** What is at the output path before saving. */
export interface Replacing {
  /** The target column of the model being replaced. */
  target: string;
  /** Its task. */
  task: string;
  /** True when it was trained for another target or task (replaced because of `--force`). */
  forced: boolean;
}

/** The target and task of the model file at `path`, or null when it is not a model `cortex train` saved. */
async function trainedFor(path: string): Promise<{ target: string; task: string } | null> {
  try {
    const { doc } = decodeModelFile(await readModelBytes(path), path);
    const s = doc.schema;
    if (doc.kind !== 'model' || !s) return null;
    return { target: s.target.name, task: s.task };
  } catch (e) {
    if (e instanceof ModelFormatError) return null;
    throw e;
  }
}

/**
 * Checks that saving to `path` replaces nothing but a model for the same target column
 * and task: anything else there (a model for another target, or a file that is not a
 * model) is a data error (exit 2) that suggests `--out` or `--force`, unless `force`.
 * Returns what is replaced, or null when there is no file yet.
 */
export async function checkModelOut(path: string, target: string, task: Task, force: boolean): Promise<Replacing | null> {
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) return null;
  const was = await trainedFor(path);
  if (was !== null && was.target === target && was.task === task) return { ...was, forced: false };
  if (force) return { target: was?.target ?? '', task: was?.task ?? '', forced: true };
  const what =
    was === null
      ? 'the file exists and is not a model saved by cortex train'
      : `a model of "${was.target}" (${was.task}) is already there, and this run trains a model of "${target}" (${task})`;
  throw dataError({ file: path, what: `${what}; it was not replaced`, fix: 'Pass --out <file> to save the model elsewhere, or --force to replace it' });
}

/** `(replaced the earlier model for "y")`, for the `saved` line; empty when nothing was replaced. */
export function describeReplaced(r: Replacing | null): string {
  if (r === null) return '';
  if (!r.forced) return `, replacing the earlier model for "${r.target}"`;
  return r.target === '' ? ', replacing the file there (--force)' : `, replacing the model for "${r.target}" (${r.task}) (--force)`;
}
