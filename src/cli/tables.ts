/**
 * Real-world tables in the `cortex` command: rows without a target (dropped, never
 * imputed), missing feature cells (imputed, dropped or an error, as `--impute` says), a
 * summary of what was imputed, and categories seen only after training (encoded as all
 * zeros, counted, and reported once).
 * @module
 */
import type { SimpleImputerJSON } from '../data/imputer.js';
import type { PipelineOptions, TablePipeline } from '../data/pipeline.js';
import { completeRows, getColumn, isMissingAt, missingCounts, selectRows, type Table } from '../data/table.js';
import { dataError } from '../data/where.js';

/** What `cortex train --impute` does with a missing feature cell. */
export type ImputeMode = 'mean' | 'median' | 'most-frequent' | 'drop' | 'error';

/** The values `--impute` accepts; the first is the default. */
export const IMPUTE_MODES: readonly ImputeMode[] = ['mean', 'median', 'most-frequent', 'drop', 'error'];

/**
 * The pipeline's imputation for a mode: the statistic for numeric columns, the most
 * frequent category for text columns; none for `drop` and `error` (or no mode).
 */
export function imputeOptions(mode: ImputeMode | undefined): PipelineOptions['impute'] {
  if (mode === undefined || mode === 'drop' || mode === 'error') return undefined;
  return { numeric: mode === 'most-frequent' ? 'most_frequent' : mode, categorical: 'most_frequent' };
}

/** A table with some rows left out, and how many. */
export interface Kept {
  table: Table;
  dropped: number;
}

function keepRows(table: Table, keep: Int32Array): Kept {
  return keep.length === table.rows ? { table, dropped: 0 } : { table: selectRows(table, keep), dropped: table.rows - keep.length };
}

/** Leaves out the rows whose target cell is empty: targets are never imputed. */
export function dropMissingTarget(table: Table, target: string): Kept {
  return keepRows(table, completeRows(table, [target]));
}

/**
 * Applies `--impute drop` (leaves out rows with a missing feature cell) or `--impute error`
 * (throws a located error for the first one, in file order); other modes keep every row.
 */
export function applyMissingMode(table: Table, features: readonly string[], mode: ImputeMode): Kept {
  if (mode === 'drop') return keepRows(table, completeRows(table, features));
  if (mode !== 'error') return { table, dropped: 0 };
  const cols = features.map((n) => getColumn(table, n));
  for (let i = 0; i < table.rows; i++) {
    const col = cols.find((c) => isMissingAt(c, i));
    if (col !== undefined) {
      throw dataError({
        file: table.source,
        row: table.rowNumbers[i]!,
        column: col.name,
        what: 'the value is missing (--impute error)',
        fix: 'Fill it in, pass --impute mean, median or most-frequent to fill missing cells in, or --impute drop to leave such rows out',
      });
    }
  }
  return { table, dropped: 0 };
}

/** What was imputed in one column. */
export interface Imputed {
  /** The column. */
  column: string;
  /** `mean`, `median` or `most_frequent`. */
  strategy: string;
  /** The fill value, learned from the training rows. */
  value: number | string;
  /** How many cells of the table were filled. */
  cells: number;
}

/** The columns of `table` that the fitted pipeline fills in, with their fill values and counts. */
export function imputedCells(pipeline: TablePipeline, table: Table): Imputed[] {
  const s = pipeline.toJSON();
  const out: Imputed[] = [];
  const add = (names: readonly string[], imp: SimpleImputerJSON | null): void => {
    if (imp === null) return;
    missingCounts(table, names).forEach((cells, j) => {
      const value = imp.statistics[j];
      if (cells > 0 && value !== undefined) out.push({ column: names[j]!, strategy: imp.strategy, value, cells });
    });
  };
  add(s.numeric, s.numericImputer);
  add(s.categorical, s.categoricalImputer);
  return out;
}

/** `imputed 12 missing cells: age (mean 29.7) 10, embarked (most frequent 'S') 2`, or null when none were. */
export function describeImputed(imputed: readonly Imputed[]): string | null {
  if (imputed.length === 0) return null;
  const total = imputed.reduce((a, m) => a + m.cells, 0);
  const parts = imputed.map((m) => {
    const value = typeof m.value === 'number' ? String(Number(m.value.toPrecision(4))) : `'${m.value}'`;
    return `${m.column} (${m.strategy.replace('_', ' ')} ${value}) ${m.cells}`;
  });
  return `imputed ${total} missing cell${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** How many distinct unseen values of a column a warning lists. */
const SHOWN = 3;

/**
 * Counts the rows that have a category not seen in training (the pipeline encodes such a
 * category as all zeros), over any number of tables, and words one warning for them all.
 */
export class UnseenCategories {
  /** Rows with at least one unseen category so far. */
  rows = 0;
  private readonly known: Set<string>[];
  private readonly unseen: Set<string>[];

  constructor(
    private readonly columns: readonly string[],
    categories: readonly (readonly (string | number)[])[],
  ) {
    this.known = columns.map((_, j) => new Set((categories[j] ?? []).map(String)));
    this.unseen = columns.map(() => new Set<string>());
  }

  /** The tally for a fitted pipeline's categorical columns. */
  static of(pipeline: TablePipeline): UnseenCategories {
    const s = pipeline.toJSON();
    return new UnseenCategories(s.categorical, s.encoder?.categories ?? []);
  }

  /** Counts the rows of `table` with an unseen category. */
  check(table: Table): void {
    const cols = this.columns.map((n) => getColumn(table, n));
    for (let i = 0; i < table.rows; i++) {
      let hit = false;
      cols.forEach((c, j) => {
        if (isMissingAt(c, i)) return;
        const v = String(c.values[i]);
        if (this.known[j]!.has(v)) return;
        hit = true;
        if (this.unseen[j]!.size <= SHOWN) this.unseen[j]!.add(v);
      });
      if (hit) this.rows++;
    }
  }

  /** `3 rows had categories not seen in training (column 'city': 'Oslo', ...); encoded as all zeros`, or null. */
  warning(rows = 'rows'): string | null {
    if (this.rows === 0) return null;
    const parts = this.columns.flatMap((name, j) => {
      const values = [...this.unseen[j]!];
      if (values.length === 0) return [];
      const shown = values.slice(0, SHOWN).map((v) => `'${v}'`);
      if (values.length > SHOWN) shown.push('...');
      return [`column '${name}': ${shown.join(', ')}`];
    });
    const one = this.rows === 1;
    return `${this.rows} ${one ? rows.replace(/s$/, '') : rows} had ${one ? 'a category' : 'categories'} not seen in training (${parts.join('; ')}); encoded as all zeros`;
  }
}
