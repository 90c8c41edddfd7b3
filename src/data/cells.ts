/**
 * Reading single cells: missing-value tokens, strict decimal numbers, and the rejection of
 * NaN and infinities. Shared by the CSV reader and by the pipelines that take raw values.
 * @module
 */

/** Tokens read as a missing value unless the user gives their own list. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'null', 'NULL'];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** What a cell holds, as far as typing is concerned. */
export type CellKind = 'missing' | 'number' | 'not-finite' | 'text';

/** Classifies a cell. */
export function cellKind(s: string, missing: ReadonlySet<string>): CellKind {
  if (missing.has(s)) return 'missing';
  if (DECIMAL.test(s)) return Number.isFinite(Number(s)) ? 'number' : 'not-finite';
  return NOT_FINITE.test(s) ? 'not-finite' : 'text';
}

/**
 * Parses a cell of a numeric column: a finite number, NaN for a missing cell, or a string
 * saying why it is not a number (the caller turns it into a located error).
 */
export function parseNumberCell(s: string, missing: ReadonlySet<string>): number | CellKind {
  // Fast path: most cells of a numeric column are plain decimals. Number() alone would
  // also take hex, binary and octal literals ("0x1F"), so a letter in second place
  // (x, b, o) sends the cell to the strict check.
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 43) {
    const v = Number(s);
    const c1 = s.charCodeAt(1) | 0x20;
    if (Number.isFinite(v) && c1 !== 0x78 && c1 !== 0x62 && c1 !== 0x6f) return v;
  }
  const kind = cellKind(s, missing);
  return kind === 'missing' ? Number.NaN : kind;
}
