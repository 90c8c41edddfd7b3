import { ArgumentError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

interface Entry {
  backend: Backend;
  priority: number;
}

// The reference backend is always there, so ops work before any fast backend loads.
const entries = new Map<string, Entry>([['js', { backend: jsBackend, priority: 0 }]]);
let active: Backend | null = jsBackend;
let chosenByUser = false;

/**
 * Registers a backend. The registered backend with the highest priority
 * becomes active unless the user picked one with {@link setBackend}.
 */
export function registerBackend(backend: Backend, priority = 0): void {
  entries.set(backend.name, { backend, priority });
  if (!chosenByUser) active = best();
}

/** Removes a backend from the registry (mainly for tests). */
export function unregisterBackend(name: string): void {
  entries.delete(name);
  if (active?.name === name) {
    chosenByUser = false;
    active = best();
  }
}

function best(): Backend | null {
  let top: Entry | null = null;
  for (const e of entries.values()) if (top === null || e.priority > top.priority) top = e;
  return top?.backend ?? null;
}

/** Makes the named backend active for every following op. */
export function setBackend(name: string): Backend {
  const e = entries.get(name);
  if (e === undefined) {
    throw new ArgumentError(`setBackend: no backend named '${name}'; registered: ${listBackends().join(', ') || 'none'}`);
  }
  active = e.backend;
  chosenByUser = true;
  return e.backend;
}

/** The active backend. */
export function getBackend(): Backend {
  if (active === null) throw new ArgumentError('no backend is registered');
  return active;
}

/** Names of the registered backends, highest priority first. */
export function listBackends(): string[] {
  return [...entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.backend.name);
}

/** Looks a backend up by name without activating it. */
export function findBackend(name: string): Backend | undefined {
  return entries.get(name)?.backend;
}
