/**
 * `Module` and `Parameter`: the building blocks of models. A module registers its
 * parameters, buffers and sub-modules by name, so it can list them with dotted names
 * (`layers.0.weight`), save and load them, and switch between training and evaluation.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { dropGrad } from '../autograd/values.js';
import { Tensor } from '../autograd/tensor.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import { residentStorage } from '../tensor/storage.js';
import { type ForwardHook, ForwardHooks, type ForwardPreHook, type HookOptions, type RemovableHandle } from './hooks.js';
import { summary } from './summary.js';

/**
 * A trainable tensor owned by a module. It always requires a gradient; optimizers update
 * its values in place. On the WASM backend with shared memory the values are a copy of
 * `data` in the backend's memory; elsewhere they are `data` itself, unless `data` is a
 * view into a larger buffer (then a copy, so the parameter does not keep that buffer alive).
 *
 * @example
 * ```ts
 * const w = new Parameter(new Float32Array(6), [2, 3]);
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: FloatArray, shape: readonly number[]) {
    super(residentStorage(data), shape, true);
  }

  /** A parameter holding a copy of `t`'s values. */
  static from(t: Tensor): Parameter {
    if (t.dtype === 'int32') throw new DTypeError('Parameter.from: parameters must be float tensors; convert with .float() first');
    return new Parameter((t.dataSync() as FloatArray).slice(), [...t.shape]);
  }
}

/** A flat map from dotted names to tensors, as saved by {@link Module.stateDict}. */
export type StateDict = Record<string, Tensor>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** When true (the default), missing keys, unexpected keys and shape mismatches are errors. */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} found while loading. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
  /** Keys whose shapes differ (never loaded, also in non-strict mode). */
  mismatchedKeys: string[];
}

/** Thrown by a strict {@link Module.loadStateDict}; the message lists every problem at once. */
export class StateDictError extends ShapeError {
  override name = 'StateDictError';
  constructor(
    message: string,
    /** What was missing, unexpected or mis-shaped. */
    readonly problems: LoadStateDictResult,
  ) {
    super(message);
  }
}

/**
 * Base class of every layer and model. Subclasses register state in their constructor
 * with {@link Module.param}, {@link Module.buffer} and {@link Module.module}, and
 * implement {@link Module.forward}.
 *
 * The type parameters are the inputs of `forward` (a tuple) and its output. The default,
 * `Module` itself, is a layer from one tensor to one tensor, which is what `Sequential`,
 * `fit`, `evaluate`, `predict` and the model files take. Other modules declare theirs,
 * e.g. a recurrent cell `Module<[Tensor, Tensor], [Tensor, Tensor]>` taking `(x, state)`
 * and returning `[output, state]`, or a loss `Module<[Tensor, Tensor], Tensor>`.
 *
 * @example
 * ```ts
 * class MLP extends Module {
 *   readonly fc1 = this.module('fc1', new Linear(2, 16));
 *   readonly fc2 = this.module('fc2', new Linear(16, 1));
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(relu(this.fc1.forward(x)));
 *   }
 * }
 *
 * class Cell extends Module<[Tensor, Tensor], [Tensor, Tensor]> {
 *   readonly ih = this.module('ih', new Linear(2, 4));
 *   readonly hh = this.module('hh', new Linear(4, 4));
 *   forward(x: Tensor, h: Tensor): [Tensor, Tensor] {
 *     const next = tanh(this.ih.forward(x).add(this.hh.forward(h)));
 *     return [next, next];
 *   }
 * }
 * ```
 */
export abstract class Module<In extends readonly unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (dropout active, batch statistics used); see {@link Module.eval}. */
  training = true;
  private readonly paramsByName = new Map<string, Parameter | null>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly modulesByName = new Map<string, AnyModule>();
  private hooks: ForwardHooks | null = null;

  /**
   * Computes the module's output. Call it directly (`model.forward(x)`); registered
   * forward hooks run around it (see {@link Module.registerForwardHook}).
   */
  abstract forward(...inputs: In): Out;

  /** Registers (or replaces) a parameter under `name` and returns it. */
  protected param<P extends Parameter | null>(name: string, p: P): P {
    checkName(name);
    this.paramsByName.set(name, p);
    return p;
  }

  /** Registers (or replaces) a buffer: saved state that is not trained (e.g. running means). */
  protected buffer(name: string, t: Tensor): Tensor {
    checkName(name);
    this.buffersByName.set(name, t);
    return t;
  }

  /** Registers (or replaces) a sub-module of any input and output types under `name` and returns it. */
  protected module<M extends AnyModule>(name: string, m: M): M {
    checkName(name);
    this.modulesByName.set(name, m);
    return m;
  }

  /**
   * The direct sub-modules with their names, in registration order. A module registered
   * under two names is listed once, under the first (as in PyTorch's `named_children`).
   */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    const out: [string, AnyModule][] = [];
    for (const [name, m] of this.modulesByName) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  /** The direct sub-modules, each once. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every descendant, depth first (a module before its children), with
   * dotted names: `''` for this one (or `prefix`), then `layers`, `layers.0`, `encoder.fc1`
   * and so on. A module reachable along several paths is listed once, under the first
   * name met (as in PyTorch's `named_modules`).
   */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, c] of m.modulesByName) visit(c, join(name, child));
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every descendant, each once, in the order of {@link Module.namedModules}. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Calls `fn` on every descendant and then on this module (children before their
   * parent, as in PyTorch's `apply`), with each module's dotted name as in
   * {@link Module.namedModules}. A shared module is visited once. Returns this module.
   *
   * @example
   * ```ts
   * model.apply((m) => {
   *   if (m instanceof Linear) init.zeros(m.weight);
   * });
   * ```
   */
  apply(fn: (m: AnyModule, name: string) => void): this {
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      for (const [child, c] of m.modulesByName) visit(c, join(name, child));
      fn(m, name);
    };
    visit(this, '');
    return this;
  }

  /**
   * Registers `hook` to run before every call of `forward`, with this module and the
   * inputs as a tuple. If it returns a tuple, that replaces the inputs. Hooks run in
   * registration order (`prepend: true` puts this one first).
   *
   * @example
   * ```ts
   * const handle = layer.registerForwardPreHook((_m, [x]) => [x.mul(2)]);
   * handle.remove();
   * ```
   */
  registerForwardPreHook<M extends AnyModule>(this: M, hook: ForwardPreHook<M>, options?: HookOptions): RemovableHandle {
    this.hooks ??= new ForwardHooks(this);
    return this.hooks.addPre(hook, options);
  }

  /**
   * Registers `hook` to run after every call of `forward`, with this module, its inputs
   * (after any pre-hooks) and its output: the very tensors of the autograd graph, so a
   * hook can record activations during training. If it returns a value, that replaces
   * the output. Hooks run in registration order (`prepend: true` puts this one first).
   *
   * The hooks run whenever `forward` is called, also from a container: a hooked `Linear`
   * in a `Sequential` runs unfused so that its hooks see its own output.
   *
   * @example
   * ```ts
   * const acts: Tensor[] = [];
   * const handle = model.at(0).registerForwardHook((_m, _inputs, out) => {
   *   acts.push(out);
   * });
   * model.forward(x);
   * handle.remove();
   * ```
   */
  registerForwardHook<M extends AnyModule>(this: M, hook: ForwardHook<M>, options?: HookOptions): RemovableHandle {
    this.hooks ??= new ForwardHooks(this);
    return this.hooks.addPost(hook, options);
  }

  /** Every parameter of this module and its descendants, with dotted names. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.paramsByName) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([join(modName, name), p]);
      }
    }
    return out;
  }

  /** Every parameter, in registration order, each listed once. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer of this module and its descendants, with dotted names, each listed once. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffersByName) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([join(modName, name), b]);
      }
    }
    return out;
  }

  /** The number of trainable values. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Switches this module and every descendant to training mode (or evaluation if `mode` is false). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Switches this module and every descendant to evaluation mode. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) dropGrad(p);
  }

  /**
   * A copy of every parameter and buffer, keyed by dotted name. The tensors are detached
   * copies, so later training does not change a saved state.
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [name, p] of this.namedParameters()) sd[name] = copyOf(p);
    for (const [name, b] of this.namedBuffers()) sd[name] = copyOf(b);
    return sd;
  }

  /**
   * Copies values from `sd` into this module's parameters and buffers, in place (optimizers
   * keep working). In strict mode (the default) every missing key, unexpected key and shape
   * mismatch is reported together in one {@link StateDictError}, and nothing is loaded.
   */
  loadStateDict(sd: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const result: LoadStateDictResult = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
    const problems: string[] = [];
    for (const [name, t] of own) {
      const src = sd[name];
      if (src === undefined) {
        result.missingKeys.push(name);
        problems.push(`missing key '${name}'`);
      } else if (!sameShape(src.shape, t.shape)) {
        result.mismatchedKeys.push(name);
        problems.push(`shape mismatch for '${name}': the state has [${src.shape.join(', ')}], the model has [${t.shape.join(', ')}]`);
      }
    }
    for (const name of Object.keys(sd)) {
      if (!own.has(name)) {
        result.unexpectedKeys.push(name);
        problems.push(`unexpected key '${name}'`);
      }
    }
    const blocking = strict ? problems.length > 0 : false;
    if (blocking) {
      throw new StateDictError(
        `loadStateDict: ${problems.length} problem${problems.length === 1 ? '' : 's'} loading into ${this.constructor.name}:\n  ${problems.join('\n  ')}\nPass { strict: false } to load only the matching keys.`,
        result,
      );
    }
    noGrad(() => {
      for (const [name, t] of own) {
        const src = sd[name];
        if (src === undefined || result.mismatchedKeys.includes(name)) continue;
        // Into the tensor's own storage, wherever its backend keeps it (int32 truncates toward zero).
        t.copy_(src);
      }
    });
    return result;
  }

  /**
   * A Keras-style table of layers, output shapes and parameter counts. Give `inputShape`
   * (with the batch dimension) to record output shapes with one forward pass on one
   * tensor of zeros (so only for modules whose `forward` takes one tensor), float32 or,
   * with `dtype` `'int32'`, token ids for a model such as a GPT; a layer with a tuple
   * output shows the shape of each element.
   */
  summary(inputShape?: readonly number[], dtype: 'float32' | 'int32' = 'float32'): string {
    return summary(this, inputShape, dtype);
  }

  /** Extra text shown after the class name in {@link Module.toString}, e.g. `in=2, out=3`. */
  extraRepr(): string {
    return '';
  }

  /** A readable, indented description of the module tree. */
  toString(): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (this.modulesByName.size === 0) return `${head})`;
    const lines = [...this.modulesByName].map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}

/**
 * A module of any input and output types: what the walks ({@link Module.children},
 * {@link Module.modules}, ...) return. Narrow it with `instanceof` to call `forward`
 * with known types.
 */
export type AnyModule = Module<readonly unknown[], unknown>;

function checkName(name: string): void {
  if (name === '' || name.includes('.')) throw new ShapeError(`Module: invalid name '${name}' (must be non-empty, without dots)`);
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function copyOf(t: Tensor): Tensor {
  return new Tensor(t.dataSync().slice(), [...t.shape]);
}
