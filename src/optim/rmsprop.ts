import {
  type BaseOptimizerOptions,
  checkRange,
  gradOf,
  type OptimizableParam,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';
import { rmspropUpdate } from '../ops/optim-steps.js';
import { ArgumentError } from '../errors.js';

/** Hyperparameters of {@link RMSprop}. */
export interface RMSpropOptions extends BaseOptimizerOptions {
  /** Smoothing constant of the squared-gradient average. */
  alpha: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Momentum factor (0 disables it). */
  momentum: number;
  /** Normalise by the estimated variance instead of the raw second moment. */
  centered: boolean;
}

/**
 * RMSprop (Hinton), with PyTorch's optional momentum and centred variant.
 *
 * @example
 * ```ts
 * const opt = new RMSprop(model.parameters(), { lr: 0.01, alpha: 0.9 });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: Iterable<OptimizableParam> | ParamGroupInput<RMSpropOptions>[],
    options: Partial<RMSpropOptions> = {},
  ) {
    super(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected validate(o: RMSpropOptions): void {
    checkRange('RMSprop', 'lr', o.lr, 0);
    checkRange('RMSprop', 'alpha', o.alpha, 0, 1);
    checkRange('RMSprop', 'eps', o.eps, 0);
    checkRange('RMSprop', 'weightDecay', o.weightDecay, 0);
    checkRange('RMSprop', 'momentum', o.momentum, 0);
    if (typeof o.centered !== 'boolean') throw new ArgumentError(`RMSprop: centered must be a boolean, got ${String(o.centered)}`);
  }

  protected updateGroup(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    for (const p of group.params) {
      const g = gradOf('RMSprop', p);
      if (!g) continue;
      const s = this.stateOf(p);
      s.step = (typeof s.step === 'number' ? s.step : 0) + 1;
      const sq = this.buffer(p, 'squareAvg');
      const ga = centered ? this.buffer(p, 'gradAvg') : null;
      const mb = momentum > 0 ? this.buffer(p, 'momentumBuffer') : null;
      rmspropUpdate(p, g, sq, ga, mb, { lr, alpha, eps, weightDecay, momentum });
    }
  }
}
