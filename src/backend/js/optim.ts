/**
 * Reference kernels of the optimizer updates (PyTorch's rules), and of
 * `accumulate`, which adds a gradient into an existing `.grad`. They update
 * the parameters and the state buffers in place. Each element is computed in
 * float64 from the stored values and rounded once when it is stored; a buffer
 * written in one statement is read back (rounded to its type) by the next.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../backend.js';

/** One SGD update; see `SgdStepOptions`. */
export function sgdStep(w: FloatArray, g: FloatArray, buf: FloatArray | null, o: SgdStepOptions): void {
  const { lr, momentum, dampening, nesterov, weightDecay, fresh } = o;
  const n = w.length;
  if (buf === null) {
    for (let i = 0; i < n; i++) w[i] = w[i]! - lr * (g[i]! + weightDecay * w[i]!);
    return;
  }
  for (let i = 0; i < n; i++) {
    const d = g[i]! + weightDecay * w[i]!;
    // PyTorch starts the buffer at the first gradient, without dampening.
    buf[i] = fresh ? d : momentum * buf[i]! + (1 - dampening) * d;
    w[i] = w[i]! - lr * (nesterov ? d + momentum * buf[i]! : buf[i]!);
  }
}

/** One Adam or AdamW update; see `AdamStepOptions`. */
export function adamStep(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  o: AdamStepOptions,
): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay, decoupled, step } = o;
  const bc1 = 1 - b1 ** step;
  const sqrtBc2 = Math.sqrt(1 - b2 ** step);
  const stepSize = lr / bc1;
  const l2 = decoupled ? 0 : weightDecay;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]! * shrink;
    const d = g[i]! + l2 * wi;
    m[i] = b1 * m[i]! + (1 - b1) * d;
    v[i] = b2 * v[i]! + (1 - b2) * d * d;
    let second = v[i]!;
    if (vmax) {
      if (second > vmax[i]!) vmax[i] = second;
      second = vmax[i]!;
    }
    w[i] = wi - (stepSize * m[i]!) / (Math.sqrt(second) / sqrtBc2 + eps);
  }
}

/** One RMSprop update; see `RmspropStepOptions`. */
export function rmspropStep(
  w: FloatArray,
  g: FloatArray,
  sq: FloatArray,
  gradAvg: FloatArray | null,
  buf: FloatArray | null,
  o: RmspropStepOptions,
): void {
  const { lr, alpha, eps, weightDecay, momentum } = o;
  for (let i = 0; i < w.length; i++) {
    const d = g[i]! + weightDecay * w[i]!;
    sq[i] = alpha * sq[i]! + (1 - alpha) * d * d;
    let avg: number;
    if (gradAvg) {
      gradAvg[i] = alpha * gradAvg[i]! + (1 - alpha) * d;
      avg = Math.sqrt(sq[i]! - gradAvg[i]! * gradAvg[i]!) + eps;
    } else {
      avg = Math.sqrt(sq[i]!) + eps;
    }
    if (buf) {
      buf[i] = momentum * buf[i]! + d / avg;
      w[i] = w[i]! - lr * buf[i]!;
    } else {
      w[i] = w[i]! - (lr * d) / avg;
    }
  }
}

/** One Adagrad update; see `AdagradStepOptions`. */
export function adagradStep(w: FloatArray, g: FloatArray, sum: FloatArray, o: AdagradStepOptions): void {
  const { lr, lrDecay, weightDecay, eps, step } = o;
  const clr = lr / (1 + (step - 1) * lrDecay);
  for (let i = 0; i < w.length; i++) {
    const d = g[i]! + weightDecay * w[i]!;
    sum[i] = sum[i]! + d * d;
    w[i] = w[i]! - (clr * d) / (Math.sqrt(sum[i]!) + eps);
  }
}

/** `acc += x` in place; see `Backend.accumulate`. */
export function accumulate(acc: FloatArray, x: FloatArray): void {
  for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + x[i]!;
}
