/**
 * The optimizer updates of the WASM backend (`asm/optim.ts`): SGD, Adam/AdamW,
 * RMSprop and Adagrad on float32 arrays, and `accumulate` (`acc += x`, for
 * gradients added into an existing `.grad`). They are in-place jobs of the
 * generic call (`call.ts`): the parameters, the gradient and the state buffers
 * are copied into the arena of the plain memory block by block, updated on
 * this thread (the update costs about as much as the copies, so splitting it
 * over the pool's shared memory never pays) and copied back. Float64 and mixed
 * or mismatched arrays are declined (the reference backend takes them).
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../backend.js';
import { DECLINE, type Declined } from '../registry.js';
import { callJob } from './call.js';
import { SGD_FRESH, SGD_NESTEROV } from './opcodes.generated.js';

/** True when `x` is a float32 array of length `n`. */
function fits(x: FloatArray, n: number): x is Float32Array {
  return x instanceof Float32Array && x.length === n;
}

/** True when `x` is a float32 array of length `n`, or absent. */
function fitsOpt(x: FloatArray | null, n: number): x is Float32Array | null {
  return x === null || fits(x, n);
}

/** One SGD update in place; see `Backend.sgdStep`. */
export function sgdStep(w: FloatArray, g: FloatArray, buf: FloatArray | null, o: SgdStepOptions): undefined | Declined {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fitsOpt(buf, n)) return DECLINE;
  const flags = (o.fresh ? SGD_FRESH : 0) | (o.nesterov ? SGD_NESTEROV : 0);
  callJob('sgd', [w, g, buf, n, flags, o.lr, o.momentum, 1 - o.dampening, o.weightDecay], 1);
}

/** One Adam/AdamW update in place; see `Backend.adamStep`. */
export function adamStep(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  o: AdamStepOptions,
): undefined | Declined {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(m, n) || !fits(v, n) || !fitsOpt(vmax, n)) return DECLINE;
  const { lr, beta1, beta2, weightDecay, decoupled, step } = o;
  callJob(
    'adam',
    [
      w,
      g,
      m,
      v,
      vmax,
      n,
      lr / (1 - beta1 ** step),
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      o.eps,
      1 / Math.sqrt(1 - beta2 ** step), // multiplied, not divided: see asm/optim.ts
      decoupled ? 0 : weightDecay,
      decoupled ? 1 - lr * weightDecay : 1,
    ],
    1,
  );
}

/** One RMSprop update in place; see `Backend.rmspropStep`. */
export function rmspropStep(
  w: FloatArray,
  g: FloatArray,
  sq: FloatArray,
  gradAvg: FloatArray | null,
  buf: FloatArray | null,
  o: RmspropStepOptions,
): undefined | Declined {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(sq, n) || !fitsOpt(gradAvg, n) || !fitsOpt(buf, n)) return DECLINE;
  callJob('rmsprop', [w, g, sq, gradAvg, buf, n, o.lr, o.alpha, 1 - o.alpha, o.eps, o.weightDecay, o.momentum], 1);
}

/** One Adagrad update in place; see `Backend.adagradStep`. */
export function adagradStep(w: FloatArray, g: FloatArray, sum: FloatArray, o: AdagradStepOptions): undefined | Declined {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(sum, n)) return DECLINE;
  callJob('adagrad', [w, g, sum, n, o.lr / (1 + (o.step - 1) * o.lrDecay), o.weightDecay, o.eps], 1);
}

/** `acc += x` in place; see `Backend.accumulate`. */
export function accumulate(acc: FloatArray, x: FloatArray): undefined | Declined {
  const n = acc.length;
  if (!fits(acc, n) || !fits(x, n)) return DECLINE;
  callJob('accumulate', [acc, x, n], 1);
}
