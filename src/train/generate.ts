/**
 * Sampling from an autoregressive language model: nanoGPT's `generate`, with a temperature
 * and top-k, drawing from a seeded generator.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { narrow } from '../ops/index.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Tokens to append to each row of the context. */
  maxNewTokens: number;
  /** Divides the logits before the softmax: below 1 sharper, above 1 flatter (default 1). */
  temperature?: number;
  /** Sample only among the `topK` most likely tokens (default: all). */
  topK?: number;
  /** Where the draws come from (default: the global generator). */
  generator?: Generator;
  /**
   * The longest context the model takes; longer contexts are cropped to their last
   * `blockSize` tokens. Default: the model's `config.blockSize` (as {@link GPT} has).
   */
  blockSize?: number;
}

/** A model mapping int32 ids `[batch, time]` to logits `[batch, time, vocab]`. */
export type LanguageModel = Module<[Tensor], Tensor>;

function modelBlockSize(model: LanguageModel): number | undefined {
  const config = (model as { config?: { blockSize?: unknown } }).config;
  return typeof config?.blockSize === 'number' ? config.blockSize : undefined;
}

/**
 * Draws one token id from `logits` (one row): temperature, then top-k, then the softmax.
 * Ties at the k-th largest logit are all kept, as in nanoGPT's `v[:, [-1]]` threshold.
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topK: number, g: Generator): number {
  const v = logits.length;
  let cut = Number.NEGATIVE_INFINITY;
  if (topK < v) {
    const sorted = Float64Array.from(logits).sort();
    cut = sorted[v - topK]!;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v; i++) if (logits[i]! >= cut && logits[i]! > max) max = logits[i]!;
  const p = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) {
    const x = logits[i]!;
    if (x >= cut) {
      p[i] = Math.exp((x - max) / temperature);
      total += p[i]!;
    }
  }
  if (!(total > 0) || !Number.isFinite(total)) throw new ArgumentError(`generate: the logits give no valid distribution (max ${max})`);
  let u = g.nextFloat() * total;
  for (let i = 0; i < v; i++) {
    u -= p[i]!;
    if (u < 0 && p[i]! > 0) return i;
  }
  // Rounding left a sliver: take the last token with mass.
  for (let i = v - 1; i >= 0; i--) if (p[i]! > 0) return i;
  return 0;
}

/**
 * Extends each row of `context` (int32 ids `[batch, time]`, or `[time]` for one row) by
 * `maxNewTokens` tokens, each drawn from the model's prediction for the last position given
 * the (cropped) context so far. Runs without recording gradients, in evaluation mode (the
 * model's mode is restored after). Returns the context with the new tokens, int32.
 *
 * @example
 * ```ts
 * const start = new Tensor(tok.encode('\n'), [1, 1]);
 * const out = generate(model, start, { maxNewTokens: 200, temperature: 0.8, topK: 20, generator: new Generator(1) });
 * console.log(tok.decode(out));
 * ```
 */
export function generate(model: LanguageModel, context: Tensor, options: GenerateOptions): Tensor {
  const { maxNewTokens, temperature = 1, generator = getDefaultGenerator() } = options;
  if (context.dtype !== 'int32') throw new DTypeError(`generate: the context must be int32 token ids, got ${context.dtype}`);
  if (context.ndim !== 1 && context.ndim !== 2) {
    throw new ShapeError(`generate: the context must be [time] or [batch, time], got [${context.shape.join(', ')}]`);
  }
  const rows = context.ndim === 1 ? 1 : context.shape[0]!;
  const t0 = context.shape[context.ndim - 1]!;
  if (t0 < 1 || rows < 1) throw new ShapeError(`generate: the context is empty ([${context.shape.join(', ')}]); start from at least one token`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new ArgumentError(`generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ArgumentError(`generate: temperature must be positive, got ${temperature}`);
  const blockSize = options.blockSize ?? modelBlockSize(model);
  if (blockSize === undefined || !Number.isInteger(blockSize) || blockSize < 1) {
    throw new ArgumentError('generate: pass blockSize (the longest context the model takes); the model has no config.blockSize');
  }
  const topK = options.topK ?? Number.POSITIVE_INFINITY;
  if (!(topK >= 1)) throw new ArgumentError(`generate: topK must be at least 1, got ${options.topK}`);

  const total = t0 + maxNewTokens;
  const ids = new Int32Array(rows * total);
  const given = context.dataSync();
  for (let r = 0; r < rows; r++) ids.set(given.subarray(r * t0, (r + 1) * t0), r * total);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let t = t0; t < total; t++) {
        const len = Math.min(t, blockSize);
        const window = new Int32Array(rows * len);
        for (let r = 0; r < rows; r++) window.set(ids.subarray(r * total + t - len, r * total + t), r * len);
        const logits = model.forward(new Tensor(window, [rows, len]));
        if (logits.ndim !== 3 || logits.shape[0] !== rows || logits.shape[1] !== len) {
          throw new ShapeError(`generate: the model must return logits [${rows}, ${len}, vocab], got [${logits.shape.join(', ')}]`);
        }
        const vocab = logits.shape[2]!;
        const last = narrow(logits, 1, len - 1, 1).contiguous().dataSync();
        for (let r = 0; r < rows; r++) {
          ids[r * total + t] = sampleToken(last.subarray(r * vocab, (r + 1) * vocab), temperature, Math.min(topK, vocab), generator);
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return new Tensor(ids, context.ndim === 1 ? [total] : [rows, total]);
}
