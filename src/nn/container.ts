/**
 * `Sequential`: a chain of modules applied in order.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { ArgumentError } from '../errors.js';
import { Module } from './module.js';

/**
 * Applies its modules one after another. Sub-modules are named `0`, `1`, ... so their
 * parameters appear as `0.weight`, `1.bias` and so on.
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
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
