import { ArgumentError, GradientError } from '../errors.js';
import { allocate } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import { backprop, seedFor } from './backprop.js';
import { Tensor } from './tensor.js';
import { valuesOf } from './values.js';

/** Options of {@link grad} with outputs and inputs. */
export interface GradOptions {
  /**
   * dL/d(output) for each output (one tensor when there is one output). May be
   * omitted, or null for an entry, where the output has one element (then 1).
   */
  gradOutputs?: Tensor | readonly (Tensor | null | undefined)[];
  /** Record the backward pass, so the returned gradients are differentiable (default false). */
  createGraph?: boolean;
  /** Keep the graph for another backward or grad call (default: `createGraph`). */
  retainGraph?: boolean;
  /** Give null for an input the outputs do not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
}

/** A function of tensors, as {@link grad} transforms it. */
export type TensorFunction = (...inputs: Tensor[]) => Tensor;

/**
 * Functional gradient (JAX style): `grad(f)(x, y)` returns `[df/dx, df/dy]`
 * for a function with a one-element output. Inputs are not modified.
 *
 * @example
 * ```ts
 * const [dx] = grad((x) => x.pow(3).sum())(tensor([2]));  // [12]
 * ```
 */
export function grad(f: TensorFunction): (...inputs: Tensor[]) => Tensor[];
/**
 * The gradients of `outputs` with respect to `inputs` (PyTorch's
 * `torch.autograd.grad`), one per input, without touching any `.grad`. A
 * one-element output implies an upstream gradient of 1; others need
 * `gradOutputs`. With `createGraph` the gradients are differentiable, for
 * higher-order derivatives. Tensor hooks run as in `backward`.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const y = x.pow(3).sum();
 * const [dx] = grad(y, x, { createGraph: true }); // 3x², differentiable
 * const [d2x] = grad(dx.sum(), x);              // 6x
 * ```
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor, opts?: GradOptions & { allowUnused?: false }): [Tensor];
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor, opts: GradOptions): [Tensor | null];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  opts?: GradOptions & { allowUnused?: false },
): Tensor[];
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], opts: GradOptions): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts?: GradOptions,
): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[] | TensorFunction,
  inputs?: Tensor | readonly Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] | ((...inputs: Tensor[]) => Tensor[]) {
  if (typeof outputs === 'function') return functionalGrad(outputs);
  if (inputs === undefined) throw new ArgumentError('grad: pass the inputs to differentiate with respect to: grad(outputs, inputs)');
  return gradOf(outputs, inputs, opts);
}

function functionalGrad(f: TensorFunction): (...inputs: Tensor[]) => Tensor[] {
  return (...inputs: Tensor[]) => {
    const xs = inputs.map((t) => new Tensor(valuesOf(t).slice(), t.shape, t.dtype !== 'int32'));
    const y = f(...xs);
    y.backward();
    return xs.map((x) => x.grad ?? new Tensor(allocate(x.dtype, x.size), x.shape));
  };
}

function gradOf(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: GradOptions,
): (Tensor | null)[] {
  const outs: readonly Tensor[] = outputs instanceof Tensor ? [outputs] : outputs;
  const ins: readonly Tensor[] = inputs instanceof Tensor ? [inputs] : inputs;
  if (outs.length === 0) throw new ArgumentError('grad: outputs must not be empty');
  if (ins.length === 0) throw new ArgumentError('grad: inputs must not be empty');
  const given = opts.gradOutputs;
  const gos: readonly (Tensor | null | undefined)[] = given === undefined ? [] : given instanceof Tensor ? [given] : given;
  if (given !== undefined && gos.length !== outs.length) {
    throw new ArgumentError(`grad: got ${gos.length} gradOutputs for ${outs.length} outputs; give one per output (null for a one-element output)`);
  }
  const one = outs.length === 1;
  outs.forEach((y, i) => {
    if (!y.requiresGrad) {
      throw new GradientError(
        `grad: ${one ? 'the output' : `output ${i}`} (shape ${fmt(y.shape)}) does not require grad and has no gradient function; compute it from tensors created with { requiresGrad: true }`,
      );
    }
  });
  ins.forEach((x, i) => {
    if (!x.requiresGrad) {
      throw new GradientError(`grad: input ${i} (shape ${fmt(x.shape)}) does not require grad, so it has no gradient; create it with { requiresGrad: true }`);
    }
  });
  const seeds = outs.map((y, i) => seedFor('grad', y, gos[i], one ? 'the output' : `output ${i}`));
  const createGraph = opts.createGraph ?? false;
  const found = backprop(outs, seeds, {
    retainGraph: opts.retainGraph ?? createGraph,
    createGraph,
    targets: ins,
    accumulate: false,
    op: 'grad',
  });
  return ins.map((x, i) => {
    const g = found.get(x);
    if (g !== undefined) return g;
    if (opts.allowUnused === true) return null;
    throw new GradientError(
      `grad: input ${i} (shape ${fmt(x.shape)}) was not used to compute the outputs, so it has no gradient; pass { allowUnused: true } to get null for it`,
    );
  });
}
