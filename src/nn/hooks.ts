/**
 * Module forward hooks: functions that run before and after a module's `forward`, see
 * {@link Module.registerForwardPreHook} and {@link Module.registerForwardHook}.
 *
 * There is no callable module object in this library: users and containers call
 * `module.forward(...)` directly. So the first hook registered on a module installs an
 * own-property `forward` on that instance that runs the pre-hooks, the class's `forward`
 * and the hooks; removing the last hook deletes it again, so an unhooked module runs
 * exactly the class's method (which `Sequential` relies on to fuse `Linear` + activation).
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { AnyModule } from './module.js';

/** The input tuple of a module's `forward`, e.g. `[x: Tensor]` or `[x: Tensor, state: Tensor]`. */
export type ModuleInputs<M extends AnyModule> = M['forward'] extends (...inputs: infer I extends readonly unknown[]) => unknown
  ? I
  : never;

/** The return type of a module's `forward`, e.g. `Tensor` or `[Tensor, Tensor]`. */
export type ModuleOutput<M extends AnyModule> = M['forward'] extends (...inputs: never) => infer O ? O : never;

/**
 * Runs before `forward` with the module and its inputs (as a tuple). Returning a tuple
 * replaces the inputs; returning nothing keeps them.
 */
export type ForwardPreHook<M extends AnyModule> = (
  module: M,
  inputs: ModuleInputs<M>,
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes has a block body returning void
) => [...ModuleInputs<M>] | undefined | void;

/**
 * Runs after `forward` with the module, its inputs (after the pre-hooks) and its output.
 * Returning a value replaces the output; returning nothing keeps it.
 */
export type ForwardHook<M extends AnyModule> = (
  module: M,
  inputs: ModuleInputs<M>,
  output: ModuleOutput<M>,
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes has a block body returning void
) => ModuleOutput<M> | undefined | void;

/** Options of the hook registrations. */
export interface HookOptions {
  /** Run this hook before the ones already registered (default false: after them). */
  prepend?: boolean;
}

/** Returned by a hook registration; `remove()` unregisters the hook (calling it again does nothing). */
export interface RemovableHandle {
  /** A number unique among all hooks of the process. */
  readonly id: number;
  remove(): void;
}

// The stored hooks are type-erased: `call` is a method signature, so the typed hook of
// any module kind fits it (method parameters are compared bivariantly).
interface PreEntry {
  readonly id: number;
  call(module: AnyModule, inputs: readonly unknown[]): unknown;
}
interface PostEntry {
  readonly id: number;
  call(module: AnyModule, inputs: readonly unknown[], output: unknown): unknown;
}

let nextId = 0;

/** The forward hooks of one module instance, and the `forward` wrapper they need. */
export class ForwardHooks {
  private readonly pre: PreEntry[] = [];
  private readonly post: PostEntry[] = [];
  /** The instance's own `forward` before the wrapper was installed (normally none). */
  private saved: PropertyDescriptor | undefined;
  private installed = false;

  constructor(private readonly owner: AnyModule) {}

  /** True while at least one hook is registered. */
  get active(): boolean {
    return this.pre.length + this.post.length > 0;
  }

  addPre(call: PreEntry['call'], options: HookOptions = {}): RemovableHandle {
    const entry: PreEntry = { id: nextId++, call };
    return this.add(this.pre, entry, options);
  }

  addPost(call: PostEntry['call'], options: HookOptions = {}): RemovableHandle {
    const entry: PostEntry = { id: nextId++, call };
    return this.add(this.post, entry, options);
  }

  private add<E extends { readonly id: number }>(list: E[], entry: E, options: HookOptions): RemovableHandle {
    if (options.prepend) list.unshift(entry);
    else list.push(entry);
    this.install();
    return {
      id: entry.id,
      remove: () => {
        const i = list.indexOf(entry);
        if (i < 0) return;
        list.splice(i, 1);
        if (!this.active) this.uninstall();
      },
    };
  }

  private install(): void {
    if (this.installed) return;
    const owner = this.owner;
    this.saved = Object.getOwnPropertyDescriptor(owner, 'forward');
    // The class's forward (or an instance-level one the user set before the first hook).
    const original = owner.forward;
    const run = (...inputs: readonly unknown[]): unknown => {
      let args = inputs;
      for (const h of [...this.pre]) {
        const r = h.call(owner, args);
        if (r === undefined) continue;
        if (!Array.isArray(r)) {
          throw new ArgumentError(
            `${owner.constructor.name}: a forward pre-hook must return the inputs as an array (a tuple), or nothing to keep them`,
          );
        }
        args = r;
      }
      let out = original.call(owner, ...args);
      for (const h of [...this.post]) {
        const r = h.call(owner, args, out);
        if (r !== undefined) out = r;
      }
      return out;
    };
    Object.defineProperty(owner, 'forward', { value: run, configurable: true, writable: true, enumerable: false });
    this.installed = true;
  }

  private uninstall(): void {
    if (!this.installed) return;
    if (this.saved) Object.defineProperty(this.owner, 'forward', this.saved);
    else Reflect.deleteProperty(this.owner, 'forward');
    this.saved = undefined;
    this.installed = false;
  }
}
