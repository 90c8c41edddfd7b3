/**
 * Losses of a next-token language model: the cross-entropy of logits `[batch, time, vocab]`
 * against targets `[batch, time]`, and nanoGPT's `estimate_loss` (the mean over random batches).
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { SequenceDataset } from '../data/text.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { crossEntropy } from '../nn/losses.js';
import { reshape } from '../ops/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Scheduler } from '../optim/scheduler.js';
import type { Generator } from '../tensor/random.js';
import type { LanguageModel } from './generate.js';

/**
 * The mean cross-entropy of next-token logits `[batch, time, vocab]` against int32 targets
 * `[batch, time]`.
 *
 * @example
 * ```ts
 * const loss = nextTokenLoss(model.forward(x), y);
 * ```
 */
export function nextTokenLoss(logits: Tensor, targets: Tensor): Tensor {
  const [b, t, v] = logits.shape as [number, number, number];
  if (logits.ndim !== 3 || targets.ndim !== 2 || targets.shape[0] !== b || targets.shape[1] !== t) {
    throw new ShapeError(
      `nextTokenLoss: expected logits [batch, time, vocab] and targets [batch, time], got [${logits.shape.join(', ')}] and [${targets.shape.join(', ')}]`,
    );
  }
  return crossEntropy(reshape(logits, [b * t, v]), reshape(targets, [b * t]));
}

/** Options of {@link estimateLoss}. */
export interface EstimateLossOptions {
  /** How many random batches to average (nanoGPT's `eval_iters`). */
  batches: number;
  /** Windows per batch. */
  batchSize: number;
  /** Where the windows' starts come from. */
  generator?: Generator;
}

/**
 * The model's mean next-token loss over `batches` random batches of `data`, in evaluation
 * mode and without recording gradients (the model's mode is restored after).
 *
 * @example
 * ```ts
 * const val = estimateLoss(model, new SequenceDataset(valTokens, 64), { batches: 20, batchSize: 12, generator: g });
 * ```
 */
export function estimateLoss(model: LanguageModel, data: SequenceDataset, options: EstimateLossOptions): number {
  const { batches, batchSize, generator } = options;
  if (!Number.isInteger(batches) || batches < 1) throw new ArgumentError(`estimateLoss: batches must be a positive integer, got ${batches}`);
  const wasTraining = model.training;
  model.eval();
  try {
    let total = 0;
    noGrad(() => {
      for (let i = 0; i < batches; i++) {
        const { x, y } = data.sample(batchSize, generator);
        total += nextTokenLoss(model.forward(x), y).item();
      }
    });
    return total / batches;
  } finally {
    model.train(wasTraining);
  }
}

/** Options of {@link nextTokenStep}. */
export interface NextTokenStepOptions {
  /** Clip the gradients' global norm to this (nanoGPT's `grad_clip`; default: no clipping). */
  clipNorm?: number;
  /** Stepped once after the optimizer. */
  scheduler?: Scheduler;
}

/**
 * One training step of a language model on a batch: the next-token loss, its gradients
 * (clipped when asked), the optimizer's update and the scheduler's step. Returns the loss.
 *
 * @example
 * ```ts
 * const loss = nextTokenStep(model, data.sample(12, g), opt, { clipNorm: 1, scheduler: sched });
 * ```
 */
export function nextTokenStep(
  model: LanguageModel,
  batch: { x: Tensor; y: Tensor },
  optimizer: Optimizer<{ lr: number }>,
  options: NextTokenStepOptions = {},
): Tensor {
  const loss = nextTokenLoss(model.forward(batch.x), batch.y);
  optimizer.zeroGrad();
  loss.backward();
  if (options.clipNorm !== undefined) clipGradNorm(optimizer.paramGroups.flatMap((g) => g.params), options.clipNorm);
  optimizer.step();
  options.scheduler?.step();
  return loss;
}
