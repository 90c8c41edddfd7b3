/**
 * `Sequential`: a chain of modules applied in order.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import type { LinearActivation } from '../ops/linalg.js';
import { ReLU, Sigmoid, Tanh } from './activation.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

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

/**
 * Applies its modules one after another. Sub-modules are named `0`, `1`, ... so their
 * parameters appear as `0.weight`, `1.bias` and so on.
 *
 * A `Linear` followed by `ReLU`, `Sigmoid` or `Tanh` runs as one fused
 * primitive (`linear(x, w, b, act)`: the bias and the activation in one pass
 * over the product, and one pass fewer in the backward). Values and gradients
 * are the same as running the two modules one after the other.
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
      y = m.forward(y);
    }
    return y;
  }
}
