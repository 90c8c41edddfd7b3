/**
 * Free-text columns in `cortex train`: a text column with so many distinct values that
 * one-hot encoding it would give features seen in a handful of rows each (names, tickets,
 * comments) is left out, with a warning, unless `--keep` names it.
 * @module
 */
import type { Table } from '../data/table.js';

/**
 * The threshold: a text column is free text when it has more than `minDistinct` distinct
 * values among its non-missing cells and fewer than `minRowsPerValue` non-missing cells per
 * distinct value on average (more than 1 distinct value per 5 cells). A one-hot feature
 * seen in fewer than 5 rows is noise the network can only memorise; most real category
 * columns (a country, a product type) have far more rows per value.
 */
export const FREE_TEXT = { minDistinct: 20, minRowsPerValue: 5 } as const;

/** A text column judged to be free text. */
export interface FreeText {
  /** The column. */
  column: string;
  /** Its distinct non-missing values. */
  distinct: number;
  /** Its non-missing cells. */
  cells: number;
}

/** The text columns among `candidates` that are free text by {@link FREE_TEXT}, in table order. */
export function freeTextColumns(table: Table, candidates: readonly string[]): FreeText[] {
  const out: FreeText[] = [];
  for (const col of table.columns) {
    if (col.type !== 'categorical' || !candidates.includes(col.name)) continue;
    const seen = new Set<string>();
    let cells = 0;
    for (const v of col.values) {
      if (v === null) continue;
      cells++;
      seen.add(v);
    }
    if (seen.size > FREE_TEXT.minDistinct && seen.size * FREE_TEXT.minRowsPerValue > cells) out.push({ column: col.name, distinct: seen.size, cells });
  }
  return out;
}

/** Why a free-text column was left out, as recorded in the model file: `free text: 48 distinct values in 200 cells`. */
export function freeTextReason(f: FreeText): string {
  return `free text: ${f.distinct} distinct values in ${f.cells} cells`;
}

/** The warning for the columns left out. */
export function freeTextWarning(source: string, cols: readonly FreeText[]): string {
  const one = cols.length === 1;
  const names = cols.map((f) => f.column).join(',');
  const what = cols.map((f) => `"${f.column}" (${f.distinct} distinct values in ${f.cells} cells)`).join(', ');
  return (
    `warning: ${source}: left out the text column${one ? '' : 's'} ${what}: more than ${FREE_TEXT.minDistinct} distinct values and fewer than ` +
    `${FREE_TEXT.minRowsPerValue} rows per value look like free text, not categories; pass --keep ${names} to use ${one ? 'it' : 'them'} anyway`
  );
}
