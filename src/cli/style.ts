/**
 * Terminal output for the `cortex` command: colour only on a TTY (and never with
 * `NO_COLOR` or `--json`), results on stdout, progress and errors on stderr.
 * @module
 */

/** Where a command writes. Tests and `--json` swap the streams' behaviour, not the code. */
export interface Output {
  /** True when results must be a single JSON document on stdout. */
  readonly json: boolean;
  /** True when `--verbose` was given. */
  readonly verbose: boolean;
  /** True when stderr is a terminal (progress bars, colour). */
  readonly tty: boolean;
  /** Writes a line of results to stdout (suppressed in JSON mode). */
  line(text?: string): void;
  /** Writes a line of progress or a note to stderr (suppressed in JSON mode). */
  note(text: string): void;
  /** Writes a warning line to stderr, also in JSON mode (stdout stays pure JSON there). */
  warn(text: string): void;
  /** Prints the final JSON document (JSON mode only). */
  result(value: unknown): void;
  /** Colour helpers; the identity when colour is off. */
  readonly c: Colours;
}

/** ANSI colour helpers. */
export interface Colours {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

function colours(on: boolean): Colours {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/** Whether `stream` should get colour. */
export function colourFor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR === '0') return false;
  return stream.isTTY === true;
}

/** The output of one command run. */
export function makeOutput(opts: { json?: boolean; verbose?: boolean; color?: boolean }): Output {
  const json = opts.json === true;
  const colour = !json && opts.color !== false && colourFor(process.stdout);
  return {
    json,
    verbose: opts.verbose === true,
    tty: !json && process.stderr.isTTY === true,
    line: (text = '') => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    note: (text) => {
      if (!json) process.stderr.write(`${text}\n`);
    },
    warn: (text) => {
      process.stderr.write(`${text}\n`);
    },
    result: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    c: colours(colour),
  };
}

/** Formats milliseconds as `1m 05s`, `12.3s` or `850ms`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}
