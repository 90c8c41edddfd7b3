import {
  type BaseOptimizerOptions,
  checkRange,
  gradOf,
  type OptimizableParam,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
} from './optimizer.js';
import { adamUpdate } from '../ops/optim-steps.js';
import { ArgumentError } from '../errors.js';

/** Hyperparameters of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends BaseOptimizerOptions {
  /** Decay rates of the first and second moment estimates. */
  betas: [number, number];
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay factor. */
  weightDecay: number;
  /** Use the AMSGrad variant (the running maximum of the second moment). */
  amsgrad: boolean;
}

function validateAdam(name: string, o: AdamOptions): void {
  checkRange(name, 'lr', o.lr, 0);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) {
    throw new ArgumentError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
  }
  checkRange(name, 'betas[0]', o.betas[0], 0, 1);
  checkRange(name, 'betas[1]', o.betas[1], 0, 1);
  if (o.betas[0] >= 1 || o.betas[1] >= 1) {
    throw new ArgumentError(`${name}: betas must each be below 1, got [${o.betas.join(', ')}]`);
  }
  checkRange(name, 'eps', o.eps, 0);
  checkRange(name, 'weightDecay', o.weightDecay, 0);
  if (typeof o.amsgrad !== 'boolean') throw new ArgumentError(`${name}: amsgrad must be a boolean, got ${String(o.amsgrad)}`);
}

/** The shared Adam update; subclasses choose L2 or decoupled weight decay. */
abstract class AdamBase extends Optimizer<AdamOptions> {
  /** True for AdamW's decoupled weight decay. */
  protected abstract readonly decoupled: boolean;

  protected validate(o: AdamOptions): void {
    validateAdam(this.constructor.name, o);
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const name = this.constructor.name;
    const { lr, eps, weightDecay, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      const g = gradOf(name, p);
      if (!g) continue;
      const s = this.stateOf(p);
      const step = (typeof s.step === 'number' ? s.step : 0) + 1;
      s.step = step;
      const m = this.buffer(p, 'expAvg');
      const v = this.buffer(p, 'expAvgSq');
      const vmax = amsgrad ? this.buffer(p, 'maxExpAvgSq') : null;
      adamUpdate(p, g, m, v, vmax, { lr, beta1, beta2, eps, weightDecay, decoupled: this.decoupled, step });
    }
  }
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's bias correction and optional AMSGrad.
 * Weight decay here is an L2 penalty added to the gradient; see {@link AdamW} for the
 * decoupled form.
 *
 * @example
 * ```ts
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(
    params: Iterable<OptimizableParam> | ParamGroupInput<AdamOptions>[],
    options: Partial<AdamOptions> = {},
  ) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay,
 * `p *= 1 − lr·wd` before the Adam update. The default weight decay is 0.01, as in PyTorch.
 *
 * @example
 * ```ts
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(
    params: Iterable<OptimizableParam> | ParamGroupInput<AdamOptions>[],
    options: Partial<AdamOptions> = {},
  ) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, ...options });
  }
}
