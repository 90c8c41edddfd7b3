/**
 * The optimizer base class: parameter groups, per-parameter state, `zeroGrad`, and a
 * serialisable state dict. Optimizers update parameters and their state buffers (tensors
 * of the parameter's dtype and shape) in place through the update ops of `ops/optim-steps`,
 * wherever the backend keeps their storage; they never touch raw arrays and never build an
 * autograd graph.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { dropGrad, gradSlot } from '../autograd/values.js';
import { tensor, zerosLike } from '../ops/creation.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { fmt } from '../tensor/shape.js';

/**
 * What an optimizer updates: a float tensor, usually a `Parameter` (any float
 * `Tensor` with `requiresGrad` will do), whose `.grad` backward fills.
 */
export type OptimizableParam = Tensor;

/** Hyperparameters every optimizer has. */
export interface BaseOptimizerOptions {
  /** Learning rate. */
  lr: number;
}

/** A parameter group as given to a constructor: parameters plus hyperparameter overrides. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<OptimizableParam> };

/** A parameter group as stored: its parameters and its complete hyperparameters. */
export type ParamGroup<O> = O & { params: OptimizableParam[] };

/** The state an optimizer keeps for one parameter: buffers (tensors shaped like it) and counters. */
export type ParamState = Record<string, Tensor | number>;

/** A JSON-friendly snapshot of an optimizer, keyed by parameter position. */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by the parameter's index across all groups. */
  state: Record<string, Record<string, number[] | number>>;
  /** Hyperparameters of each group, with the indices of its parameters. */
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Returns `t`, rejecting int tensors with a {@link DTypeError} that names the owner. */
export function floatTensor(owner: string, t: Tensor, what: string): Tensor {
  if (t.dtype === 'int32') {
    throw new DTypeError(`${owner}: ${what} is an int32 tensor; optimizers only update float parameters`);
  }
  return t;
}

/** Throws an {@link ArgumentError} unless `value` is a finite number within [min, max] (or (min, max] if `openMin`). */
export function checkRange(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  openMin = false,
): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (openMin ? value > min : value >= min) &&
    value <= max;
  if (!ok) {
    const lo = openMin ? `(${min}` : `[${min}`;
    const hi = max === Number.POSITIVE_INFINITY ? 'Infinity)' : `${max}]`;
    throw new ArgumentError(`${owner}: ${name} must be a finite number in ${lo}, ${hi}, got ${String(value)}`);
  }
}

function isGroupList<O>(params: unknown): params is ParamGroupInput<O>[] {
  return Array.isArray(params) && params.length > 0 && params.every((p) => typeof p === 'object' && p !== null && 'params' in p);
}

/**
 * Base class of every optimizer. Subclasses implement {@link Optimizer.validate} and
 * {@link Optimizer.updateGroup}.
 *
 * @example
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * ```
 */
export abstract class Optimizer<O extends BaseOptimizerOptions = BaseOptimizerOptions> {
  /** The parameter groups, each with its own hyperparameters (schedulers change `lr` here). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The defaults applied to groups that do not override a hyperparameter. */
  readonly defaults: O;
  /** Per-parameter state (moment buffers, step counts). */
  protected readonly state = new Map<OptimizableParam, ParamState>();

  constructor(params: Iterable<OptimizableParam> | ParamGroupInput<O>[], defaults: O) {
    this.defaults = { ...defaults };
    const groups: ParamGroupInput<O>[] = isGroupList<O>(params)
      ? params
      : [{ params: params as Iterable<OptimizableParam> } as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroup(g);
    if (this.paramGroups.every((g) => g.params.length === 0)) {
      throw new ArgumentError(`${this.constructor.name}: params must hold at least one parameter, got an empty parameter list`);
    }
  }

  /** Checks a group's hyperparameters; throws an {@link ArgumentError} that names the option and the bad value. */
  protected abstract validate(options: O): void;

  /** Applies one update to every parameter of a group that has a gradient. */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /** Adds a parameter group; missing hyperparameters come from the defaults. */
  addParamGroup(input: ParamGroupInput<O>): void {
    const params = [...input.params];
    const seen = new Set<OptimizableParam>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const [i, p] of params.entries()) {
      if (seen.has(p)) {
        throw new ArgumentError(
          `${this.constructor.name}: params[${i}] of parameter group ${this.paramGroups.length} appears in more than one group`,
        );
      }
      seen.add(p);
      floatTensor(this.constructor.name, p, 'a parameter');
    }
    const group = { ...this.defaults, ...input, params } as ParamGroup<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Clears every parameter's gradient (sets it to null, like PyTorch's `set_to_none`). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) dropGrad(p);
  }

  /** Performs one optimisation step on every parameter that has a gradient. */
  step(): void {
    for (const g of this.paramGroups) this.updateGroup(g);
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: OptimizableParam): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** A zero buffer shaped like `p`'s storage, stored in its state under `key` on first use. */
  protected buffer(p: OptimizableParam, key: string, fill = 0): Tensor {
    const s = this.stateOf(p);
    const existing = s[key];
    if (existing !== undefined && typeof existing !== 'number') return existing;
    floatTensor(this.constructor.name, p, 'a parameter');
    const buf = zerosLike(p);
    if (fill !== 0) buf.fill_(fill);
    s[key] = buf;
    return buf;
  }

  /** A JSON-friendly copy of the optimizer's hyperparameters and state. */
  stateDict(): OptimizerStateDict {
    const index = new Map<OptimizableParam, number>();
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    for (const g of this.paramGroups) {
      const { params, ...hyper } = g;
      const ids = params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      paramGroups.push({ ...structuredClone(hyper), params: ids });
    }
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: Record<string, number[] | number> = {};
      for (const [k, v] of Object.entries(s)) entry[k] = typeof v === 'number' ? v : Array.from(v.dataSync());
      state[String(i)] = entry;
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state saved by {@link stateDict} for the same parameter layout. */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ArgumentError(
        `${name}.loadStateDict: the state has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const params: OptimizableParam[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length) {
        throw new ArgumentError(
          `${name}.loadStateDict: group ${gi} has ${saved.params.length} parameters in the state, ${group.params.length} in the optimizer`,
        );
      }
      params.push(...group.params);
    });
    const restored = new Map<OptimizableParam, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new ArgumentError(`${name}.loadStateDict: state for unknown parameter index ${key}`);
      floatTensor(name, p, 'a parameter');
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') {
          s[k] = v;
          continue;
        }
        if (v.length !== p.size) {
          throw new ArgumentError(
            `${name}.loadStateDict: state '${k}' of parameter ${key} has ${v.length} values, the parameter has ${p.size}`,
          );
        }
        // Where the parameter lives (resident with it), holding the saved values.
        s[k] = zerosLike(p).copy_(tensor(p.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v)).reshape(p.shape));
      }
      restored.set(p, s);
    }
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      const { params: _ids, ...hyper } = saved;
      Object.assign(group, structuredClone(hyper));
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

/** The float gradient of `p`, or null when it has none. */
export function gradOf(owner: string, p: OptimizableParam): Tensor | null {
  const grad = gradSlot(p);
  if (grad === null) return null;
  const g = floatTensor(owner, grad, 'a gradient');
  if (g.size !== p.size) {
    throw new ArgumentError(`${owner}: a gradient has ${g.size} values but its parameter has ${p.size} (shape ${fmt(p.shape)})`);
  }
  return g;
}
