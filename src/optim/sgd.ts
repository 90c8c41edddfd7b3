import {
  type BaseOptimizerOptions,
  checkRange,
  floatData,
  gradOf,
  type OptimizableParam,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';

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
    if (typeof o.nesterov !== 'boolean') throw new RangeError(`SGD: nesterov must be a boolean, got ${String(o.nesterov)}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        `SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`,
      );
    }
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    for (const p of group.params) {
      const g = gradOf('SGD', p);
      if (!g) continue;
      const w = floatData('SGD', p.data, 'a parameter');
      const n = w.length;
      if (momentum === 0) {
        for (let i = 0; i < n; i++) w[i] = w[i]! - lr * (g[i]! + weightDecay * w[i]!);
        continue;
      }
      const s = this.stateOf(p);
      const fresh = s.momentumBuffer === undefined;
      const buf = this.buffer(p, 'momentumBuffer');
      for (let i = 0; i < n; i++) {
        const d = g[i]! + weightDecay * w[i]!;
        // PyTorch starts the buffer at the first gradient, without dampening.
        const b = fresh ? d : momentum * buf[i]! + (1 - dampening) * d;
        buf[i] = b;
        w[i] = w[i]! - lr * (nesterov ? d + momentum * buf[i]! : buf[i]!);
      }
    }
  }
}
