import {
  type BaseOptimizerOptions,
  checkRange,
  gradOf,
  type OptimizableParam,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';
import { sgdUpdate } from '../ops/optim-steps.js';
import { ArgumentError } from '../errors.js';

/** Hyperparameters of {@link SGD}. */
export interface SGDOptions extends BaseOptimizerOptions {
  /** Momentum factor (0 disables momentum). */
  momentum: number;
  /** Dampening of the momentum's gradient term. */
  dampening: number;
  /** Use Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
}

/**
 * Stochastic gradient descent, with optional momentum, dampening, Nesterov momentum
 * and weight decay, following PyTorch's update rule exactly:
 * `g += wd·p; b = μ·b + (1−τ)·g; g = nesterov ? g + μ·b : b; p -= lr·g`.
 *
 * @example
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(
    params: Iterable<OptimizableParam> | ParamGroupInput<SGDOptions>[],
    options: Partial<SGDOptions> = {},
  ) {
    super(params, { lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...options });
  }

  protected validate(o: SGDOptions): void {
    checkRange('SGD', 'lr', o.lr, 0);
    checkRange('SGD', 'momentum', o.momentum, 0);
    checkRange('SGD', 'dampening', o.dampening, 0, 1);
    checkRange('SGD', 'weightDecay', o.weightDecay, 0);
    if (typeof o.nesterov !== 'boolean') throw new ArgumentError(`SGD: nesterov must be a boolean, got ${String(o.nesterov)}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError(
        `SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`,
      );
    }
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    for (const p of group.params) {
      const g = gradOf('SGD', p);
      if (!g) continue;
      // PyTorch starts the buffer at the first gradient, without dampening.
      const fresh = momentum !== 0 && this.stateOf(p).momentumBuffer === undefined;
      const buf = momentum === 0 ? null : this.buffer(p, 'momentumBuffer');
      sgdUpdate(p, g, buf, { lr, momentum, dampening, nesterov, weightDecay, fresh });
    }
  }
}
