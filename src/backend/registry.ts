/**
 * The kernel registry: every kernel of every backend, keyed by kernel name
 * (a key of {@link Kernels}) and backend name, and the one place where a
 * call falls back to the reference backend.
 *
 * A backend registers the kernels it has with {@link registerKernel} (or all
 * at once with {@link registerBackend}). A kernel may decline a call by
 * returning {@link DECLINE} (the WASM kernels decline float64 and int32
 * arrays, say). {@link getBackend} returns the active backend as a complete
 * {@link Backend}: each of its kernels runs the active backend's kernel and,
 * when there is none or it declines, the reference (`'js'`) kernel, counting
 * the fallback under the kernel's name and, for kernels whose first argument
 * names an op, that op (`'where'`, `'binary:pow'`). {@link fallbackCounts}
 * (shown in `backendStatus()`) reports the counts.
 *
 * ```ts
 * registerKernel({ name: 'matmul', backend: 'mine', fn: (a, b, spec) => myMatmul(a, b, spec) });
 * registerBackend({ name: 'mine' }, 5); // selectable, and active unless the user chose another
 * ```
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { Backend, KernelName, Kernels } from './backend.js';
import { jsBackend } from './js/index.js';

/** Returned by a kernel that does not take these arguments: the call runs on the reference backend. */
export const DECLINE: unique symbol = Symbol('cortex.decline');
/** The type of {@link DECLINE}. */
export type Declined = typeof DECLINE;

/** The implementation of kernel `K` on a backend: the kernel's signature, which may also return {@link DECLINE}. */
export type KernelFn<K extends KernelName> = (...args: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> | Declined;

/** What {@link registerKernel} takes. */
export interface KernelConfig<K extends KernelName> {
  /** The kernel's name (a key of {@link Kernels}); it fixes the type of `fn`. */
  name: K;
  /** The backend that has this kernel, such as `'wasm'`. */
  backend: string;
  /** The implementation. */
  fn: KernelFn<K>;
}

/** A backend as {@link registerBackend} takes it: its name and any of its kernels. */
export type BackendKernels = { readonly name: string } & { [K in KernelName]?: KernelFn<K> };

/** The backend whose kernels define the semantics and serve every fallback. */
export const REFERENCE_BACKEND = 'js';

/** Most arguments a kernel takes (`where` has 7); {@link registerKernel} rejects longer functions. */
const MAX_ARITY = 7;

type AnyKernel = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown) => unknown;

/** kernel name -> backend name -> implementation. */
const kernels = new Map<string, Map<string, AnyKernel>>();
/** Selectable backends and their priorities. */
const priorities = new Map<string, number>();
/** Fallbacks so far, by kernel name (or `kernel:op`). */
const fallbacks = new Map<string, number>();
/** Complete backends built from the registry, by backend name; refreshed in place on every change. */
const views = new Map<string, Backend>();

let activeName: string | null = null;
let active: Backend | null = null;
let chosenByUser = false;

function changed(): void {
  for (const [name, view] of views) fill(view, name);
  active = null;
}

/** Registers one kernel of one backend, replacing any earlier one of the same name there. */
export function registerKernel<K extends KernelName>(config: KernelConfig<K>): void {
  if (config.fn.length > MAX_ARITY) {
    throw new ArgumentError(`registerKernel: '${config.name}' takes ${config.fn.length} arguments; the registry passes at most ${MAX_ARITY}`);
  }
  let byBackend = kernels.get(config.name);
  if (byBackend === undefined) {
    byBackend = new Map();
    kernels.set(config.name, byBackend);
  }
  byBackend.set(config.backend, config.fn as AnyKernel);
  changed();
}

/** Removes one kernel of one backend (calls then fall back to the reference). */
export function unregisterKernel(name: KernelName, backend: string): void {
  kernels.get(name)?.delete(backend);
  changed();
}

/** The kernel `name` of `backend` as registered (it may decline), or undefined. */
export function getKernel<K extends KernelName>(name: K, backend: string): KernelFn<K> | undefined {
  return kernels.get(name)?.get(backend) as KernelFn<K> | undefined;
}

/** Names of the kernels `backend` has registered, sorted. */
export function listKernels(backend: string): string[] {
  const out: string[] = [];
  for (const [name, byBackend] of kernels) if (byBackend.has(backend)) out.push(name);
  return out.sort();
}

/**
 * Registers a backend under `backend.name` with every kernel it carries (it
 * may carry none and register them one by one with {@link registerKernel}).
 * The registered backend with the highest priority becomes active unless the
 * user picked one with {@link setBackend}.
 */
export function registerBackend(backend: BackendKernels, priority = 0): void {
  for (const [key, fn] of Object.entries(backend)) {
    if (key !== 'name' && typeof fn === 'function') registerKernel({ name: key as KernelName, backend: backend.name, fn });
  }
  priorities.set(backend.name, priority);
  if (!chosenByUser) activeName = best();
  changed();
}

/** Removes a backend and its kernels from the registry (mainly for tests). */
export function unregisterBackend(name: string): void {
  if (name === REFERENCE_BACKEND) throw new ArgumentError(`unregisterBackend: the reference backend '${name}' stays registered`);
  priorities.delete(name);
  for (const byBackend of kernels.values()) byBackend.delete(name);
  if (activeName === name) {
    chosenByUser = false;
    activeName = best();
  }
  changed();
}

function best(): string | null {
  let top: string | null = null;
  let topPriority = Number.NEGATIVE_INFINITY;
  for (const [name, p] of priorities) {
    if (p > topPriority) {
      top = name;
      topPriority = p;
    }
  }
  return top;
}

/** Makes the named backend active for every following op. */
export function setBackend(name: string): Backend {
  if (!priorities.has(name)) {
    throw new ArgumentError(`setBackend: no backend named '${name}'; registered: ${listBackends().join(', ') || 'none'}`);
  }
  activeName = name;
  chosenByUser = true;
  active = null;
  return getBackend();
}

/** The active backend: its kernels, with the reference backend's wherever it has none or declines. */
export function getBackend(): Backend {
  if (active !== null) return active;
  if (activeName === null) throw new ArgumentError('no backend is registered');
  active = backendView(activeName);
  return active;
}

/** Names of the registered backends, highest priority first. */
export function listBackends(): string[] {
  return [...priorities.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}

/** Looks a backend up by name without activating it (as {@link getBackend} would give it). */
export function findBackend(name: string): Backend | undefined {
  return priorities.has(name) ? backendView(name) : undefined;
}

/** Fallbacks to the reference backend so far, by kernel name or `kernel:op` (e.g. `{ where: 12, 'binary:pow': 3 }`). */
export function fallbackCounts(): Record<string, number> {
  return Object.fromEntries([...fallbacks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Sets every fallback count back to zero. */
export function resetFallbackCounts(): void {
  fallbacks.clear();
}

function countFallback(name: string, op: unknown): void {
  const key = typeof op === 'string' ? `${name}:${op}` : name;
  fallbacks.set(key, (fallbacks.get(key) ?? 0) + 1);
}

/**
 * Backend `name` as a complete {@link Backend}: its registered kernels, and the
 * reference kernels (counted as fallbacks) for the rest. The object is stable
 * (a module may keep it) and follows later registrations; `name` need not be
 * selectable yet (the WASM backend registers its kernels before it loads).
 */
export function backendView(name: string): Backend {
  const cached = views.get(name);
  if (cached !== undefined) return cached;
  const view = { name } as Backend;
  fill(view, name);
  views.set(name, view);
  return view;
}

/** Sets every kernel method of `view` to the dispatch for backend `name`. */
function fill(view: Backend, name: string): void {
  const methods: Record<string, AnyKernel> = {};
  for (const [kernel, byBackend] of kernels) {
    const reference = byBackend.get(REFERENCE_BACKEND);
    if (reference === undefined) throw new ArgumentError(`kernel '${kernel}' has no reference implementation`);
    methods[kernel] = name === REFERENCE_BACKEND ? reference : dispatch(kernel, byBackend.get(name), reference);
  }
  Object.assign(view, methods);
}

/**
 * The single fallback path: `own` when it exists and accepts the call, else
 * `reference`, counted. The wrappers take a fixed number of arguments (no
 * kernel has more than {@link MAX_ARITY}) so that a call allocates nothing.
 */
function dispatch(kernel: string, own: AnyKernel | undefined, reference: AnyKernel): AnyKernel {
  if (own === undefined) {
    return (a, b, c, d, e, f, g) => {
      countFallback(kernel, a);
      return reference(a, b, c, d, e, f, g);
    };
  }
  return (a, b, c, d, e, f, g) => {
    const out = own(a, b, c, d, e, f, g);
    if (out !== DECLINE) return out;
    countFallback(kernel, a);
    return reference(a, b, c, d, e, f, g);
  };
}

// The reference backend is always there, so ops work before any fast backend loads.
registerBackend(jsBackend, 0);
