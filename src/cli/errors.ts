/**
 * How the `cortex` command reports failures: one line naming the file, row and column,
 * an exit code by kind, and a stack trace only with `--verbose`.
 *
 * | exit code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | usage error: a bad option or argument |
 * | 2 | data or model error: a missing or malformed file, a bad value, a corrupt model |
 * | 3 | training diverged (the loss became NaN or infinite) |
 * @module
 */
import { problemMessage } from '../data/where.js';
import { ArgumentError, CortexError, DataError, type DataErrorCode, ModelFormatError, OnnxError, TrainingDivergedError } from '../errors.js';

/** A bad command line (exit code 1). */
export class UsageError extends CortexError {
  override name = 'UsageError';
}

/** Exit codes of the `cortex` command. */
export const EXIT = { ok: 0, usage: 1, data: 2, diverged: 3 } as const;

/** Errors thrown by Node for files (ENOENT, EACCES...), which are data errors. */
function isSystemError(e: unknown): e is Error & { code: string; path?: string } {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code);
}

/** The exit code for an error. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof TrainingDivergedError) return EXIT.diverged;
  if (e instanceof DataError || e instanceof ModelFormatError || e instanceof OnnxError || isSystemError(e)) return EXIT.data;
  if (e instanceof UsageError || e instanceof ArgumentError || e instanceof RangeError) return EXIT.usage;
  return EXIT.usage;
}

/**
 * The command's own wording for the data errors whose library advice names API options:
 * what is wrong (when the library's wording mentions API terms) and what to do, as flags.
 */
const CLI_ADVICE: Record<DataErrorCode, (e: DataError) => { what?: string; fix: string }> = {
  'missing-value': () => ({
    what: 'the value is missing',
    fix: 'Fill in the value, or train the model with --impute mean (the default), median or most-frequent so that missing cells are filled in',
  }),
  'not-a-number': () => ({ fix: 'Correct the value, or leave the cell empty to mark it as missing (missing cells are imputed; see --impute)' }),
  'not-finite': () => ({ fix: 'Replace it with a real number, or leave the cell empty to mark it as missing (see --impute)' }),
  'all-missing': (e) => ({ what: 'every value of the column is missing in the training rows, so nothing can be imputed', fix: `Leave the column out with --drop ${e.column ?? '<column>'}` }),
  'extra-fields': () => ({ fix: 'Remove the extra fields, quote fields that contain the delimiter, or pass the right --delimiter' }),
  // The data layer words a target value's problem "the target value ...": a target cannot be
  // dropped or imputed, but a row without one is left out.
  'out-of-range': (e) => ({
    fix: e.problem?.startsWith('the target value')
      ? 'Correct the value (is it in the right units?), or leave the cell empty to leave the row out'
      : `Correct the value (is it in the right units?), leave the cell empty to mark it as missing (see --impute), or leave the column out with --drop ${e.column ?? '<column>'}`,
  }),
  'malformed-csv': () => ({ fix: "Check the quotes around this row, or pass the file's --delimiter (tab, ';' or '|', for example)" }),
  'unknown-column': () => ({ fix: "Check the spelling, or the delimiter (pass --delimiter ';' for a file separated by semicolons, for example)" }),
};

/** The message of a data error, with the command's advice where the library's names API options. */
function dataMessage(e: DataError): string {
  if (e.code === undefined || e.problem === undefined || e.file === undefined) return e.message;
  const advice = CLI_ADVICE[e.code](e);
  return problemMessage({ file: e.file, row: e.row, column: e.column, what: advice.what ?? e.problem, fix: advice.fix });
}

/** A one-line message for an error (no stack). */
export function oneLine(e: unknown): string {
  if (e instanceof DataError) return dataMessage(e).replace(/\s*\n\s*/g, ' ').trim();
  if (isSystemError(e)) {
    if (e.message.startsWith('cannot write ')) return e.message;
    const what: Record<string, string> = {
      ENOENT: 'no such file or folder',
      EACCES: 'permission denied',
      EISDIR: 'it is a folder',
      ENOSPC: 'no space left on the device',
      EROFS: 'read-only file system',
    };
    return `${e.path ?? ''}${e.path ? ': ' : ''}${what[e.code] ?? e.message}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

/** The error as JSON for `--json` output. */
export function errorJson(e: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: e instanceof Error ? e.name : 'Error',
    message: oneLine(e),
    exitCode: exitCodeFor(e),
  };
  if (e instanceof DataError) {
    if (e.file !== undefined) out.file = e.file;
    if (e.row !== undefined) out.row = e.row;
    if (e.column !== undefined) out.column = e.column;
    if (e.code !== undefined) out.code = e.code;
  }
  if (e instanceof TrainingDivergedError) {
    out.epoch = e.epoch;
    out.batch = e.batch;
  }
  return out;
}
