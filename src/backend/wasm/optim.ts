/**
 * The optimizer updates of the WASM backend (`asm/optim.ts`): SGD, Adam/AdamW,
 * RMSprop and Adagrad on float32 arrays, and `accumulate` (`acc += x`, for
 * gradients added into an existing `.grad`). Each call copies the parameters, the
 * gradient and the state buffers into the arena of the plain memory, runs the
 * update on this thread (it costs about as much as the copies, so splitting it
 * over the pool's shared memory never pays) and copies the parameters and the
 * state back into the caller's arrays, block by block. Float64 and mixed or
 * mismatched arrays go to the reference backend.
 * @module
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../backend.js';
import { jsBackend as js } from '../js/index.js';
import { put, span } from './jobs.js';
import { JOB, K_ACCUMULATE, K_ADAGRAD, K_ADAM, K_RMSPROP, K_SGD, SGD_FRESH, SGD_NESTEROV } from './layout.js';
import { arenaBase, f32, i32, reserve, run, select } from './runtime.js';

/** True when `x` is a float32 array of length `n`, or absent. */
function fits(x: FloatArray | null, n: number): boolean {
  return x === null || (x instanceof Float32Array && x.length === n);
}

/**
 * Elements per pass (64 KiB per array). Copying in, updating and copying back
 * one block at a time keeps the arena's copies in the core's cache; on the MLP's
 * 100,352-float weight a whole-array round trip streams 1.6 MB through L3 and
 * takes 10-15% longer (SGD 27 µs against 24, Adam 99 against 87; blocks of
 * 4096-32768 floats measure alike, 2048 as slow as one pass).
 */
const CHUNK = 16384;

/** Byte addresses of the arrays of the current job (0 for absent ones). */
const addr: number[] = [0, 0, 0, 0, 0];

/** Lays out one block of each array (null ones get address 0) from the arena base, in the plain memory. */
function place(arrays: readonly (FloatArray | null)[], n: number): void {
  select(false);
  const s = span(Math.min(n, CHUNK));
  reserve(arrays.length * s);
  let p = arenaBase;
  for (let k = 0; k < arrays.length; k++) {
    addr[k] = arrays[k] === null ? 0 : p;
    if (arrays[k] !== null) p += s;
  }
}

/**
 * Runs the job written in the descriptor block by block: copies each array's
 * block in, sets the length slot `nSlot`, runs, and copies the first `updated`
 * arrays' blocks back into the caller's arrays.
 */
function runBlocks(arrays: readonly (FloatArray | null)[], updated: number, n: number, nSlot: number): void {
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    for (let k = 0; k < arrays.length; k++) {
      const x = arrays[k]!;
      if (x !== null) put((x as Float32Array).subarray(off, off + len), addr[k]!);
    }
    i32[nSlot] = len;
    run(1, 1);
    for (let k = 0; k < updated; k++) {
      const x = arrays[k]!;
      if (x === null) continue;
      const i = addr[k]! >>> 2;
      x.set(f32.subarray(i, i + len), off);
    }
  }
}

/** One SGD update in place; see `Backend.sgdStep`. */
export function sgdStep(w: FloatArray, g: FloatArray, buf: FloatArray | null, o: SgdStepOptions): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(buf, n)) {
    js.sgdStep(w, g, buf, o);
    return;
  }
  if (n === 0) return;
  const arrays = [w, buf, g];
  place(arrays, n);
  i32[JOB] = K_SGD;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[2]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 5] = (o.fresh ? SGD_FRESH : 0) | (o.nesterov ? SGD_NESTEROV : 0);
  f32[JOB + 6] = o.lr;
  f32[JOB + 7] = o.momentum;
  f32[JOB + 8] = 1 - o.dampening;
  f32[JOB + 9] = o.weightDecay;
  runBlocks(arrays, 2, n, JOB + 4);
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
  const arrays = [w, m, v, vmax, g];
  place(arrays, n);
  const { lr, beta1, beta2, weightDecay, decoupled, step } = o;
  i32[JOB] = K_ADAM;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[4]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = addr[2]!;
  i32[JOB + 5] = addr[3]!;
  f32[JOB + 7] = lr / (1 - beta1 ** step);
  f32[JOB + 8] = beta1;
  f32[JOB + 9] = 1 - beta1;
  f32[JOB + 10] = beta2;
  f32[JOB + 11] = 1 - beta2;
  f32[JOB + 12] = o.eps;
  f32[JOB + 13] = 1 / Math.sqrt(1 - beta2 ** step); // multiplied, not divided: see asm/optim.ts
  f32[JOB + 14] = decoupled ? 0 : weightDecay;
  f32[JOB + 15] = decoupled ? 1 - lr * weightDecay : 1;
  runBlocks(arrays, 4, n, JOB + 6);
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
  const arrays = [w, sq, gradAvg, buf, g];
  place(arrays, n);
  i32[JOB] = K_RMSPROP;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[4]!;
  i32[JOB + 3] = addr[1]!;
  i32[JOB + 4] = addr[2]!;
  i32[JOB + 5] = addr[3]!;
  f32[JOB + 7] = o.lr;
  f32[JOB + 8] = o.alpha;
  f32[JOB + 9] = 1 - o.alpha;
  f32[JOB + 10] = o.eps;
  f32[JOB + 11] = o.weightDecay;
  f32[JOB + 12] = o.momentum;
  runBlocks(arrays, 4, n, JOB + 6);
}

/** One Adagrad update in place; see `Backend.adagradStep`. */
export function adagradStep(w: FloatArray, g: FloatArray, sum: FloatArray, o: AdagradStepOptions): void {
  const n = w.length;
  if (!fits(w, n) || !fits(g, n) || !fits(sum, n)) {
    js.adagradStep(w, g, sum, o);
    return;
  }
  if (n === 0) return;
  const arrays = [w, sum, g];
  place(arrays, n);
  i32[JOB] = K_ADAGRAD;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[2]!;
  i32[JOB + 3] = addr[1]!;
  f32[JOB + 5] = o.lr / (1 + (o.step - 1) * o.lrDecay);
  f32[JOB + 6] = o.weightDecay;
  f32[JOB + 7] = o.eps;
  runBlocks(arrays, 2, n, JOB + 4);
}

/** `acc += x` in place; see `Backend.accumulate`. */
export function accumulate(acc: FloatArray, x: FloatArray): void {
  const n = acc.length;
  if (!fits(acc, n) || !fits(x, n)) {
    js.accumulate(acc, x);
    return;
  }
  if (n === 0) return;
  const arrays = [acc, x];
  place(arrays, n);
  i32[JOB] = K_ACCUMULATE;
  i32[JOB + 1] = addr[0]!;
  i32[JOB + 2] = addr[1]!;
  runBlocks(arrays, 1, n, JOB + 3);
}
