/**
 * Per-sample gradients of a whole model, recorded through module hooks as Opacus does:
 * a forward hook on every layer with parameters keeps the layer's input and puts a
 * gradient hook on its output; when `backward` reaches that output, the output's
 * gradient is kept too. {@link PerSampleGradients.collect} then turns each (input,
 * output gradient) pair into per-sample gradients, vectorised where the layer has a
 * rule (Linear, Conv1d, Conv2d, LayerNorm, GroupNorm, Embedding) and by a loop over the
 * samples otherwise.
 * @module
 */
import { isGradEnabled, noGrad } from '../autograd/engine.js';
import { registerHook } from '../autograd/hooks.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, PrivacyError } from '../errors.js';
import type { RemovableHandle } from '../nn/hooks.js';
import type { AnyModule, Parameter } from '../nn/module.js';
import { BatchNormBase } from '../nn/norm.js';
import { loopSampleGrads } from './per-sample-loop.js';
import { type SampleGradFn, type SampleGrads, sampleGradFnFor } from './per-sample-layers.js';
import { addSampleGrads, type SampleGrad, ScaledSampleGrad } from './sample-grad.js';

/** How the loss combines the samples' losses: per-sample gradients of a mean are scaled back by the batch size. */
export type LossReduction = 'mean' | 'sum';

/** Options of {@link PerSampleGradients}. */
export interface PerSampleOptions {
  /**
   * The reduction of the loss that `backward` is called on (default 'mean'). With 'mean'
   * every gradient that reaches a layer is 1/N of a sample's own, so the per-sample
   * gradients are multiplied by the batch size N, as Opacus does.
   */
  lossReduction?: LossReduction;
  /**
   * Called once per layer class that has no vectorised rule and falls back to a loop of
   * single-sample passes (default: `console.warn`). Pass `() => {}` to silence it.
   */
  onFallback?: (message: string) => void;
}

/** One recorded call of a layer, waiting for its output gradient. */
interface Pending {
  readonly layer: AnyModule;
  readonly params: readonly Parameter[];
  readonly inputs: readonly unknown[];
  readonly rule: SampleGradFn | undefined;
  gradOutput: Tensor | null;
}

/** Layer classes already reported as falling back, so each is reported once per process. */
const reported = new Set<string>();

/** The layer's own trainable parameters (not its children's). */
function ownParameters(m: AnyModule): Parameter[] {
  return m
    .namedParameters()
    .filter(([name, p]) => !name.includes('.') && p.requiresGrad)
    .map(([, p]) => p);
}

/**
 * Throws a {@link PrivacyError} for a layer that per-sample gradients cannot work with:
 * BatchNorm (in training mode it mixes the samples of a batch).
 */
export function checkPrivacyCompatible(model: AnyModule): void {
  for (const [name, m] of model.namedModules()) {
    if (m instanceof BatchNormBase) {
      throw new PrivacyError(
        `${m.constructor.name}${name === '' ? '' : ` at '${name}'`}: BatchNorm normalises each sample with statistics of the whole batch, so a sample's gradient depends on the others and differential privacy cannot bound it; replace it with GroupNorm (or LayerNorm), or remove it`,
      );
    }
  }
}

/**
 * Records the per-sample gradients of every trainable parameter of `model`. Attach it,
 * run forward and `backward` on a batch, then call {@link PerSampleGradients.collect}.
 *
 * @example
 * ```ts
 * const rec = new PerSampleGradients(model);
 * crossEntropy(model.forward(x), y).backward();
 * const grads = rec.collect(); // Map: parameter → [N, ...parameter shape]
 * rec.remove();
 * ```
 */
export class PerSampleGradients {
  private readonly handles: RemovableHandle[] = [];
  private pending: Pending[] = [];
  private readonly reduction: LossReduction;
  /** True while the loop fallback re-runs a layer: the hooks of the layers inside it stay quiet. */
  private suspended = false;
  /** The trainable parameters the recorder covers, in the model's order. */
  readonly parameters: readonly Parameter[];
  /** Class names of the layers that use the loop fallback. */
  readonly fallbackLayers: readonly string[];

  constructor(
    readonly model: AnyModule,
    options: PerSampleOptions = {},
  ) {
    const reduction = options.lossReduction ?? 'mean';
    if (reduction !== 'mean' && reduction !== 'sum') {
      throw new ArgumentError(`PerSampleGradients: lossReduction must be 'mean' or 'sum', got '${String(reduction)}'`);
    }
    this.reduction = reduction;
    checkPrivacyCompatible(model);
    const covered: Parameter[] = [];
    const fallback: string[] = [];
    for (const [name, m] of model.namedModules()) {
      const params = ownParameters(m);
      if (params.length === 0) continue;
      covered.push(...params);
      const rule = sampleGradFnFor(m);
      if (rule === undefined) {
        const cls = m.constructor.name;
        fallback.push(cls);
        if (!reported.has(cls)) {
          reported.add(cls);
          const warn = options.onFallback ?? ((msg: string) => console.warn(msg));
          warn(
            `cortex privacy: ${cls}${name === '' ? '' : ` at '${name}'`} has no vectorised per-sample gradient; it falls back to one forward and backward pass per sample (correct, but slower). This is reported once per layer class.`,
          );
        }
      }
      this.handles.push(m.registerForwardHook((layer, inputs, output) => this.record(layer, params, inputs, output, rule)));
    }
    this.parameters = covered;
    this.fallbackLayers = fallback;
  }

  private record(layer: AnyModule, params: readonly Parameter[], inputs: readonly unknown[], output: unknown, rule: SampleGradFn | undefined): void {
    if (this.suspended || !isGradEnabled()) return;
    if (!(output instanceof Tensor)) {
      throw new PrivacyError(`${layer.constructor.name}: per-sample gradients need a layer whose forward returns one tensor`);
    }
    if (!output.requiresGrad) return;
    const entry: Pending = {
      layer,
      params,
      inputs: inputs.map((t) => (t instanceof Tensor ? t.detach() : t)),
      rule,
      gradOutput: null,
    };
    this.pending.push(entry);
    registerHook(output, (g) => {
      entry.gradOutput = entry.gradOutput === null ? g : entry.gradOutput.add(g);
    });
  }

  /**
   * The per-sample gradients of the calls recorded since the last `collect` or
   * `clear`: parameter → `[N, ...parameter shape]`, summed over the calls of a layer
   * used more than once. Parameters that no gradient reached are absent. Clears the
   * recording.
   */
  collect(): Map<Parameter, Tensor> {
    const out = new Map<Parameter, Tensor>();
    for (const [p, g] of this.collectSampleGrads()) out.set(p, noGrad(() => g.materialise()));
    return out;
  }

  /**
   * As {@link PerSampleGradients.collect}, in the form DP-SGD uses: each parameter's
   * per-sample squared norms and weighted sum, without building the per-sample
   * gradients where a layer does not need to (a Linear layer on 2-d input).
   */
  collectSampleGrads(): Map<Parameter, SampleGrad> {
    const pending = this.pending;
    this.pending = [];
    const out = new Map<Parameter, SampleGrad>();
    noGrad(() => {
      for (const e of pending) {
        const g = e.gradOutput;
        if (g === null) continue;
        const x = e.inputs[0];
        let grads: SampleGrads;
        if (e.rule !== undefined && x instanceof Tensor) {
          grads = e.rule(e.layer, x, g);
        } else {
          this.suspended = true;
          try {
            grads = loopSampleGrads(e.layer, e.params, e.inputs, g);
          } finally {
            this.suspended = false;
          }
        }
        const n = g.shape[0]!;
        for (const [p, gs] of grads) {
          const scaled = this.reduction === 'mean' ? new ScaledSampleGrad(gs, n) : gs;
          const prev = out.get(p);
          out.set(p, prev === undefined ? scaled : addSampleGrads(prev, scaled));
        }
      }
    });
    return out;
  }

  /** Forgets what was recorded (for example after a forward pass without a backward). */
  clear(): void {
    this.pending = [];
  }

  /** Removes the hooks: the model runs as before. */
  remove(): void {
    for (const h of this.handles) h.remove();
    this.handles.length = 0;
    this.pending = [];
  }
}
