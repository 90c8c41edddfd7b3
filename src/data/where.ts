/**
 * Builds the {@link DataError}s of the data layer in one format:
 * `<file>, row <r>, column "<c>": <what is wrong>. <what to do>.`
 * @module
 */
import { DataError, type DataErrorCode } from '../errors.js';

/** Where a problem was found, and what to say about it. */
export interface Problem {
  /** File name, or a label such as `<string>`. */
  file: string;
  /** 1-based row of the source (the header is row 1), when known. */
  row?: number;
  /** Column name (or 1-based position), when known. */
  column?: string;
  /** What is wrong. */
  what: string;
  /** What the user can do about it. */
  fix: string;
  /** The kind of problem, for callers that word their own advice (see {@link DataErrorCode}). */
  code?: DataErrorCode;
}

/** The one-line message of a problem: `<file>, row <r>, column "<c>": <what>. <fix>`. */
export function problemMessage(p: Problem): string {
  let at = p.file;
  if (p.row !== undefined) at += `, row ${p.row}`;
  if (p.column !== undefined) at += `, column "${p.column}"`;
  return `${at}: ${p.what}. ${p.fix}`;
}

/** Makes a {@link DataError} whose message and fields name the file, row and column. */
export function dataError(p: Problem): DataError {
  const where: { file: string; row?: number; column?: string } = { file: p.file };
  if (p.row !== undefined) where.row = p.row;
  if (p.column !== undefined) where.column = p.column;
  return new DataError(problemMessage(p), where, { code: p.code, problem: p.what });
}

/** Shows a value inside a message, shortened if long. */
export function show(value: string): string {
  const v = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return JSON.stringify(v);
}

/** Lists names for a message: `a, b, c` (shortened after 20). */
export function list(names: readonly string[]): string {
  const head = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${head}, ... (${names.length} in all)` : head;
}
