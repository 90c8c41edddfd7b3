/**
 * `Module` and `Parameter`: the building blocks of models. A module registers its
 * parameters, buffers and sub-modules by name, so it can list them with dotted names
 * (`layers.0.weight`), save and load them, and switch between training and evaluation.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { summary } from './summary.js';

/**
 * A trainable tensor owned by a module. It always requires a gradient; optimizers update
 * its `data` in place.
 *
 * @example
 * ```ts
 * const w = new Parameter(new Float32Array(6), [2, 3]);
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: FloatArray, shape: readonly number[]) {
    super(data, shape, true);
  }

  /** A parameter holding a copy of `t`'s values. */
  static from(t: Tensor): Parameter {
    if (t.dtype === 'int32') throw new DTypeError('Parameter.from: parameters must be float tensors; convert with .float() first');
    return new Parameter((t.data as FloatArray).slice(), [...t.shape]);
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
 * @example
 * ```ts
 * class MLP extends Module {
 *   readonly fc1 = this.module('fc1', new Linear(2, 16));
 *   readonly fc2 = this.module('fc2', new Linear(16, 1));
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(relu(this.fc1.forward(x)));
 *   }
 * }
 * ```
 */
export abstract class Module {
  /** True in training mode (dropout active, batch statistics used); see {@link Module.eval}. */
  training = true;
  private readonly paramsByName = new Map<string, Parameter | null>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly modulesByName = new Map<string, Module>();

  /** Computes the module's output. */
  abstract forward(input: Tensor): Tensor;

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

  /** Registers (or replaces) a sub-module under `name` and returns it. */
  protected module<M extends Module>(name: string, m: M): M {
    checkName(name);
    this.modulesByName.set(name, m);
    return m;
  }

  /** The direct sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this.modulesByName];
  }

  /** The direct sub-modules. */
  children(): Module[] {
    return [...this.modulesByName.values()];
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.modulesByName) out.push(...m.namedModules(join(prefix, name)));
    return out;
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

  /** Every buffer of this module and its descendants, with dotted names. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffersByName) out.push([join(modName, name), b]);
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
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls `fn` on this module and every descendant. */
  apply(fn: (m: Module, name: string) => void): this {
    for (const [name, m] of this.namedModules()) fn(m, name);
    return this;
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
    for (const [name, t] of own) {
      const src = sd[name];
      if (src === undefined || result.mismatchedKeys.includes(name)) continue;
      const dst = t.data;
      const from = src.data;
      if (dst instanceof Int32Array) for (let i = 0; i < dst.length; i++) dst[i] = Math.trunc(from[i]!);
      else dst.set(from);
    }
    return result;
  }

  /**
   * A Keras-style table of layers, output shapes and parameter counts. Give `inputShape`
   * (with the batch dimension) to record output shapes with one forward pass on zeros.
   */
  summary(inputShape?: readonly number[]): string {
    return summary(this, inputShape);
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

function checkName(name: string): void {
  if (name === '' || name.includes('.')) throw new ShapeError(`Module: invalid name '${name}' (must be non-empty, without dots)`);
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function copyOf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), [...t.shape]);
}
