/**
 * Loss modules: object forms of the loss functions, holding their options. They are
 * modules (`Module<[Tensor, Tensor], Tensor>`): they can be registered as sub-modules,
 * follow `train()`/`eval()`, appear in the module walks and take forward hooks.
 * @module
 */
import type { Tensor } from '../autograd/tensor.js';
import { Module } from './module.js';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type CrossEntropyOptions,
  crossEntropy,
  huberLoss,
  l1Loss,
  type LossOptions,
  mseLoss,
  nllLoss,
  type Reduction,
  smoothL1Loss,
} from './losses.js';

/**
 * A module computing a loss from `(input, target)`. {@link Loss} and its subclasses are
 * such modules; a model-specific loss can extend `Module<[Tensor, Tensor], Tensor>`
 * directly. `fit` and `evaluate` take any of them as their `loss` option.
 */
export type LossModule = Module<[input: Tensor, target: Tensor], Tensor>;

/**
 * Base class of the built-in loss modules (PyTorch's `torch.nn` loss classes, with their
 * names and options): `forward(input, target)` returns the loss.
 * @example
 * ```ts
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion.forward(logits, labels);
 * ```
 */
export abstract class Loss extends Module<[input: Tensor, target: Tensor], Tensor> {
  /** How per-element losses are combined. */
  readonly reduction: Reduction;
  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
  }
  /** Computes the loss. */
  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return this.reduction === 'mean' ? '' : `reduction=${this.reduction}`;
  }
}

/** Module form of {@link mseLoss}. */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Module form of {@link l1Loss}. */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Module form of {@link huberLoss}. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: LossOptions & { delta?: number } = {}) {
    super(options);
    this.delta = options.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Module form of {@link smoothL1Loss}. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: LossOptions & { beta?: number } = {}) {
    super(options);
    this.beta = options.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Module form of {@link binaryCrossEntropy}. */
export class BCELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { reduction: this.reduction });
  }
}

/** Module form of {@link binaryCrossEntropyWithLogits}. */
export class BCEWithLogitsLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction });
  }
}

/** Module form of {@link crossEntropy}. */
export class CrossEntropyLoss extends Loss {
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Module form of {@link nllLoss}. */
export class NLLLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction });
  }
}
