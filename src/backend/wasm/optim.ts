/**
 * The optimizer updates of the WASM backend (`asm/optim.ts`): SGD, Adam/AdamW,
 * RMSprop and Adagrad on float32 arrays. Each call copies the parameters, the
 * gradient and the state buffers into the arena of the plain memory, runs the
 * update on this thread (it costs about as much as the copies, so splitting it
 * over the pool's shared memory never pays) and copies the parameters and the
 * state back into the caller's arrays. Float64 and mixed or mismatched arrays
 * go to the reference backend.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../backend.js';
import { jsBackend as js } from '../js/index.js';
import { put, span } from './jobs.js';
import { JOB, K_ADAGRAD, K_ADAM, K_RMSPROP, K_SGD, SGD_FRESH, SGD_NESTEROV } from './layout.js';
import { arenaBase, f32, i32, reserve, run, select } from './runtime.js';

/** True when `x` is a float32 array of length `n`, or absent. */
function fits(x: FloatArray | null, n: number): boolean {
  return x === null || (x instanceof Float32Array && x.length === n);
}

/**
 * Lays `arrays` out from the arena base (null ones get address 0), copying
 * each in; returns the byte addresses in `addr`.
 */
function load(arrays: readonly (FloatArray | null)[], n: number, addr: number[]): void {
  select(false);
  const s = span(n);
  reserve(arrays.length * s);
  let p = arenaBase;
  for (let k = 0; k < arrays.length; k++) {
    const x = arrays[k]!;
    if (x === null) {
      addr[k] = 0;
      continue;
    }
    put(x as Float32Array, p);
    addr[k] = p;
    p += s;
  }
}

/** Runs the job and copies `arrays[k]` back from `addr[k]` for every non-null one. */
function runAndStore(arrays: readonly (FloatArray | null)[], n: number, addr: readonly number[]): void {
  run(1, 1);
  for (let k = 0; k < arrays.length; k++) {
    const x = arrays[k]!;
    if (x === null) continue;
    const i = addr[k]! >>> 2;
    x.set(f32.subarray(i, i + n));
  }
}

const addr: number[] = [0, 0, 0, 0, 0, 0];

/** One SGD update in place; see `Backend.sgdStep`. */
export function sgdStep(w: FloatArray, g: FloatArray, buf: FloatArray | null, o: SgdStepOptions): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(buf, n)) {
    js.sgdStep(w, g, buf, o);
    return;
  }
  if (n === 0) return;
  const updated = [w, buf];
  load([w, buf, g], n, addr);
  i32[JOB] = K_SGD;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[2]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = n;
  i32[JOB + 5] = (o.fresh ? SGD_FRESH : 0) | (o.nesterov ? SGD_NESTEROV : 0);
  f32[JOB + 6] = o.lr;
  f32[JOB + 7] = o.momentum;
  f32[JOB + 8] = 1 - o.dampening;
  f32[JOB + 9] = o.weightDecay;
  runAndStore(updated, n, addr);
}

/** One Adam/AdamW update in place; see `Backend.adamStep`. */
export function adamStep(
  w: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  o: AdamStepOptions,
): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(m, n) || !fits(v, n) || !fits(vmax, n)) {
    js.adamStep(w, g, m, v, vmax, o);
    return;
  }
  if (n === 0) return;
  const updated = [w, m, v, vmax];
  load([w, m, v, vmax, g], n, addr);
  const { lr, beta1, beta2, weightDecay, decoupled, step } = o;
  i32[JOB] = K_ADAM;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[4]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = addr[2]!;
  i32[JOB + 5] = addr[3]!;
  i32[JOB + 6] = n;
  f32[JOB + 7] = lr / (1 - beta1 ** step);
  f32[JOB + 8] = beta1;
  f32[JOB + 9] = 1 - beta1;
  f32[JOB + 10] = beta2;
  f32[JOB + 11] = 1 - beta2;
  f32[JOB + 12] = o.eps;
  f32[JOB + 13] = Math.sqrt(1 - beta2 ** step);
  f32[JOB + 14] = decoupled ? 0 : weightDecay;
  f32[JOB + 15] = decoupled ? 1 - lr * weightDecay : 1;
  runAndStore(updated, n, addr);
}

/** One RMSprop update in place; see `Backend.rmspropStep`. */
export function rmspropStep(
  w: FloatArray,
  g: FloatArray,
  sq: FloatArray,
  gradAvg: FloatArray | null,
  buf: FloatArray | null,
  o: RmspropStepOptions,
): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(sq, n) || !fits(gradAvg, n) || !fits(buf, n)) {
    js.rmspropStep(w, g, sq, gradAvg, buf, o);
    return;
  }
  if (n === 0) return;
  const updated = [w, sq, gradAvg, buf];
  load([w, sq, gradAvg, buf, g], n, addr);
  i32[JOB] = K_RMSPROP;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[4]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = addr[2]!;
  i32[JOB + 5] = addr[3]!;
  i32[JOB + 6] = n;
  f32[JOB + 7] = o.lr;
  f32[JOB + 8] = o.alpha;
  f32[JOB + 9] = 1 - o.alpha;
  f32[JOB + 10] = o.eps;
  f32[JOB + 11] = o.weightDecay;
  f32[JOB + 12] = o.momentum;
  runAndStore(updated, n, addr);
}

/** One Adagrad update in place; see `Backend.adagradStep`. */
export function adagradStep(w: FloatArray, g: FloatArray, sum: FloatArray, o: AdagradStepOptions): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(sum, n)) {
    js.adagradStep(w, g, sum, o);
    return;
  }
  if (n === 0) return;
  const updated = [w, sum];
  load([w, sum, g], n, addr);
  i32[JOB] = K_ADAGRAD;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[2]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = n;
  f32[JOB + 5] = o.lr / (1 + (o.step - 1) * o.lrDecay);
  f32[JOB + 6] = o.weightDecay;
  f32[JOB + 7] = o.eps;
  runAndStore(updated, n, addr);
}
