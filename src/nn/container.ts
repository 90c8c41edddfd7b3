/**
 * `Sequential`: a chain of modules applied in order.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import type { LinearActivation } from '../ops/linalg.js';
import { relu } from '../ops/activation.js';
import { ReLU, Sigmoid, Tanh } from './activation.js';
import { Conv2d } from './conv.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { MaxPool2d } from './pool.js';

/**
 * The activation a `Linear` can absorb when `m` comes right after it: only the
 * library's own ReLU, Sigmoid and Tanh (a subclass may override `forward`).
 */
function fusible(m: Module | undefined): LinearActivation | null {
  if (m === undefined) return null;
  if (m.forward === ReLU.prototype.forward) return 'relu';
  if (m.forward === Sigmoid.prototype.forward) return 'sigmoid';
  if (m.forward === Tanh.prototype.forward) return 'tanh';
  return null;
}

/** Whether `m` is the library's own `ReLU` (its `forward` not overridden, no hooks). */
function isReLU(m: Module | undefined): boolean {
  return m !== undefined && m.forward === ReLU.prototype.forward;
}

/** Whether `m` is the library's own `MaxPool2d` (not a subclass overriding `forward`, nor one with hooks). */
function poolsNext(m: Module | undefined): boolean {
  return m instanceof MaxPool2d && m.forward === MaxPool2d.prototype.forward;
}

/**
 * Applies its modules one after another. Sub-modules are named `0`, `1`, ... so their
 * parameters appear as `0.weight`, `1.bias` and so on.
 *
 * A `Linear` followed by `ReLU`, `Sigmoid` or `Tanh` runs as one fused
 * primitive (`linear(x, w, b, act)`: the bias and the activation in one pass
 * over the product, and one pass fewer in the backward). Values and gradients
 * are the same as running the two modules one after the other.
 *
 * A `ReLU` followed by a `MaxPool2d` runs as the pooling then the ReLU, on a
 * quarter of the elements for 2×2 windows (the CNN's Conv → ReLU → MaxPool):
 * ReLU is monotone, so `max(relu(a), relu(b)) = relu(max(a, b))` bit for bit
 * (NaN included), and the gradient is the same too (it reaches the first
 * maximum of a window when that maximum is positive, and nothing otherwise).
 * A `Conv2d` before them runs with the pooling as one op (`conv2dMaxPool2d`: the
 * convolution's output is never made).
 *
 * @example
 * ```ts
 * const model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
 * const logits = model.forward(x);
 * ```
 */
export class Sequential extends Module implements Iterable<Module> {
  private readonly layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new ArgumentError(`Sequential: item ${this.layers.length} is not a Module`);
    this.layers.push(this.module(String(this.layers.length), m));
    return this;
  }

  /** The module at position `i` (negative counts from the end). */
  at(i: number): Module {
    const m = this.layers.at(i);
    if (!m) throw new ArgumentError(`Sequential: index ${i} is out of range for ${this.layers.length} modules`);
    return m;
  }

  /** The number of modules. */
  get length(): number {
    return this.layers.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i]!;
      if (m instanceof Linear && m.forward === Linear.prototype.forward) {
        const act = fusible(layers[i + 1]);
        if (act !== null) {
          y = m.forwardActivated(y, act);
          i++;
          continue;
        }
      }
      if (m instanceof Conv2d && m.forward === Conv2d.prototype.forward && isReLU(layers[i + 1]) && poolsNext(layers[i + 2])) {
        const pool = layers[i + 2] as MaxPool2d;
        const { stride, padding, dilation, ceilMode } = pool;
        y = relu(m.forwardMaxPooled(y, pool.kernelSize, { stride, padding, dilation, ceilMode }));
        i += 2;
        continue;
      }
      if (isReLU(m) && poolsNext(layers[i + 1])) {
        y = relu(layers[i + 1]!.forward(y));
        i++;
        continue;
      }
      y = m.forward(y);
    }
    return y;
  }
}
