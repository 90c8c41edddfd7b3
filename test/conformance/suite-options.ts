/**
 * Options shared by the backend-parameterised suites.
 * @module
 */

/** How a suite prepares its backend. */
export interface SuiteOptions {
  /**
   * Runs before the suite switches to the backend, e.g. to load a WASM module
   * or set its thread count: `{ setup: () => setNumThreads(2), label: '2 threads' }`.
   */
  setup?: () => void | Promise<void>;
  /** Added to the suite's name, to tell apart several runs on one backend. */
  label?: string;
}

/** The suite title for a backend and options. */
export function suiteTitle(what: string, backendName: string, options: SuiteOptions): string {
  return `${what} on the '${backendName}' backend${options.label === undefined ? '' : ` (${options.label})`}`;
}
