import {
  type BaseOptimizerOptions,
  checkRange,
  gradOf,
  type OptimizableParam,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';
import { adagradUpdate } from '../ops/optim-steps.js';

/** Hyperparameters of {@link Adagrad}. */
export interface AdagradOptions extends BaseOptimizerOptions {
  /** Learning-rate decay: step t uses `lr / (1 + (t−1)·lrDecay)`. */
  lrDecay: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Starting value of the squared-gradient sum. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
}

/**
 * Adagrad (Duchi et al., 2011): per-coordinate steps scaled by the root of the summed
 * squared gradients, as in PyTorch.
 *
 * @example
 * ```ts
 * const opt = new Adagrad(model.parameters(), { lr: 0.1 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: Iterable<OptimizableParam> | ParamGroupInput<AdagradOptions>[],
    options: Partial<AdagradOptions> = {},
  ) {
    super(params, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...options });
  }

  protected validate(o: AdagradOptions): void {
    checkRange('Adagrad', 'lr', o.lr, 0);
    checkRange('Adagrad', 'lrDecay', o.lrDecay, 0);
    checkRange('Adagrad', 'weightDecay', o.weightDecay, 0);
    checkRange('Adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue, 0);
    checkRange('Adagrad', 'eps', o.eps, 0);
  }

  protected updateGroup(group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps } = group;
    for (const p of group.params) {
      const g = gradOf('Adagrad', p);
      if (!g) continue;
      const s = this.stateOf(p);
      const step = (typeof s.step === 'number' ? s.step : 0) + 1;
      s.step = step;
      const sum = this.buffer(p, 'sum', initialAccumulatorValue);
      adagradUpdate(p, g, sum, { lr, lrDecay, weightDecay, eps, step });
    }
  }
}
