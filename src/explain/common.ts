/**
 * What every attribution method shares: the model as a function, the output each example
 * is explained for (its target), and one batched evaluation of the targeted outputs and
 * of their gradients with respect to the inputs.
 * @module
 */
import { grad } from '../autograd/grad.js';
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { Module } from '../nn/module.js';

/** A model to explain: a Module, or any function from a batch of inputs to a batch of outputs. */
export type Explained = Module | ((x: Tensor) => Tensor);

/**
 * The output each example is explained for: one class index for all examples, one per
 * example, or nothing when the model gives one value per example ([N] or [N, 1]).
 */
export type Target = number | readonly number[] | Int32Array | undefined;

/** Options every method takes. */
export interface TargetOptions {
  /** The output to explain (see {@link Target}); required when the model gives several outputs per example. */
  target?: Target;
}

/** Runs the model on `x` in evaluation mode (Dropout off, BatchNorm on its running statistics). */
export function run(model: Explained, x: Tensor): Tensor {
  if (model instanceof Module) {
    model.eval();
    return model.forward(x) as Tensor;
  }
  return model(x);
}

/** The targeted output of each of the `n` examples in `out`, as an [n] tensor (differentiable). */
export function select(method: string, out: Tensor, n: number, target: Target): Tensor {
  if (out.shape[0] !== n) throw new ShapeError(`${method}: the model gave ${out.shape[0]} outputs for ${n} examples`);
  const per = out.size / Math.max(n, 1);
  if (target === undefined) {
    if (per !== 1) {
      throw new ArgumentError(`${method}: the model gives ${per} outputs per example (shape [${out.shape.join(', ')}]); pass a target: the class index to explain`);
    }
    return out.reshape([n]);
  }
  const flat = out.reshape([n, per]);
  const mask = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const t = typeof target === 'number' ? target : target[i];
    if (t === undefined) throw new ArgumentError(`${method}: the target list has ${(target as ArrayLike<number>).length} entries for ${n} examples`);
    if (!Number.isInteger(t) || t < 0 || t >= per) throw new ArgumentError(`${method}: target ${t} is not an output index from 0 to ${per - 1}`);
    mask[i * per + t] = 1;
  }
  return flat.mul(new Tensor(mask, [n, per])).sum(1);
}

/** Checks the input batch: float, at least [N, features], finite. */
export function checkInput(method: string, x: Tensor): void {
  if (x.dtype === 'int32') throw new ArgumentError(`${method}: the inputs must be floating point, got int32`);
  if (x.ndim < 2) throw new ShapeError(`${method}: the inputs must be a batch [N, ...features], got shape [${x.shape.join(', ')}]`);
  const v = x.dataSync();
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new ArgumentError(`${method}: input value ${i} is ${v[i]}; attributions need finite inputs`);
  }
}

/** The targeted outputs of the model for `x`, without gradients, in float64. */
export function outputsAt(method: string, model: Explained, x: Tensor, target: Target): Float64Array {
  const n = x.shape[0]!;
  return Float64Array.from(noGrad(() => select(method, run(model, x), n, target)).dataSync());
}

/** The targeted outputs at `x` and their gradients with respect to `x` (same shape as `x`). */
export function gradientsAt(method: string, model: Explained, x: Tensor, target: Target): { out: Float64Array; grad: Float32Array } {
  const n = x.shape[0]!;
  const leaf = new Tensor(Float32Array.from(x.dataSync()), x.shape, true);
  const y = select(method, run(model, leaf), n, target);
  const [g] = grad(y.sum(), leaf);
  return { out: Float64Array.from(y.dataSync()), grad: Float32Array.from(g.dataSync()) };
}

/**
 * The baseline as a full batch like `x`: 0 everywhere by default, a number everywhere,
 * one example broadcast to every row, or a batch of the same shape.
 */
export function baselineLike(method: string, x: Tensor, baselines: Tensor | number | undefined): Float32Array {
  const size = x.size;
  if (baselines === undefined || typeof baselines === 'number') return new Float32Array(size).fill(baselines ?? 0);
  const per = size / x.shape[0]!;
  const b = baselines.dataSync();
  if (b.length === size) return Float32Array.from(b);
  if (b.length === per) {
    const out = new Float32Array(size);
    for (let i = 0; i < x.shape[0]!; i++) out.set(b, i * per);
    return out;
  }
  throw new ShapeError(`${method}: the baseline has shape [${baselines.shape.join(', ')}]; it must be one example [${x.shape.slice(1).join(', ')}] or a batch [${x.shape.join(', ')}]`);
}
