/**
 * One module per activation op, for use in {@link Sequential}.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../autograd/tensor.js';
import { elu, gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, softplus, tanh } from '../ops/index.js';
import { Module } from './module.js';

/** Returns its input unchanged. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Logistic sigmoid, `1 / (1 + e^−x)`. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Hyperbolic tangent. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** `max(x, 0)`. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** `x` for positive inputs, `negativeSlope·x` otherwise. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** `x` for positive inputs, `alpha·(eˣ − 1)` otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Gaussian error linear unit, `x·Φ(x)`. */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

/** `log(1 + eˣ)`, a smooth ReLU. */
export class Softplus extends Module {
  forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

/** Softmax along `dim` (default: the last). */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax along `dim` (default: the last). Pair it with {@link nllLoss}. */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Activation names accepted where a model is described by configuration (e.g. `NeuralNetwork`). */
export type ActivationName =
  | 'identity'
  | 'linear'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'gelu'
  | 'softplus'
  | 'softmax'
  | 'logSoftmax';

/** Builds the activation module for a name. */
export function activationModule(name: ActivationName): Module {
  switch (name) {
    case 'identity':
    case 'linear':
      return new Identity();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'relu':
      return new ReLU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'elu':
      return new ELU();
    case 'gelu':
      return new GELU();
    case 'softplus':
      return new Softplus();
    case 'softmax':
      return new Softmax();
    case 'logSoftmax':
      return new LogSoftmax();
    default:
      throw new ArgumentError(`unknown activation '${String(name)}'; use one of identity, sigmoid, tanh, relu, leakyRelu, elu, gelu, softplus, softmax, logSoftmax`);
  }
}
