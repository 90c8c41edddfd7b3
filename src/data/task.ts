import type { Column, Table } from './table.js';

/** What a model learns from a target column. */
export type Task = 'classification' | 'regression';

/** Targets with more distinct whole numbers than this are taken as regression. */
const MAX_CLASSES = 20;

/**
 * Decides the task from a target column, as `cortex train --task auto` and the
 * playground do: a categorical column is classification; a numeric one whose
 * values are whole numbers with at most 20 distinct values (and no more than
 * half the rows, or 2) is classification; any other numeric column is regression.
 */
export function inferTask(target: Column, rows: number): Task {
  if (target.type === 'categorical') return 'classification';
  const distinct = new Set<number>();
  for (const v of target.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    distinct.add(v);
    if (distinct.size > MAX_CLASSES) return 'regression';
  }
  return distinct.size <= Math.max(2, rows / 2) ? 'classification' : 'regression';
}

/**
 * The id column of a table: the first column other than `target` named `id`
 * (any case) or ending in `_id`/`-id` whose values are all different. Such a
 * column is carried through to predictions rather than used as a feature.
 */
export function findIdColumn(table: Table, target?: string): Column | null {
  for (const c of table.columns) {
    if (c.name === target || !/^(id|.*[_-]id)$/i.test(c.name)) continue;
    const values: unknown[] = c.type === 'numeric' ? Array.from(c.values) : [...c.values];
    if (new Set(values).size === table.rows) return c;
  }
  return null;
}
