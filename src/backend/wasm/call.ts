/**
 * The one call path of every WASM job, driven by the job's argument layout in
 * `opcodes.generated.ts` (from `scripts/kernel-table.ts`): lay the array
 * arguments out in the arena, copy the inputs in, write the descriptor slots,
 * run the job (split over the pool when the caller asks for more than one
 * part) and copy the outputs out into fresh arrays.
 *
 * In-place jobs (the optimizer updates and `accumulate`) run on this thread in
 * the plain memory, block by block: each block of every array is copied in,
 * updated and the `inout` arrays copied back, which keeps the copies in cache.
 * @module
 */
import {
  ARG_CODE,
  ARG_F32,
  ARG_I32,
  ARG_IN,
  ARG_IN_I32,
  ARG_INOUT,
  ARG_INOUT_OPT,
  ARG_LEN,
  ARG_OUT,
  JOB,
  JOB_LAYOUTS,
  type JobArgs,
  type JobName,
  type JobResults,
} from './opcodes.generated.js';
import { arenaBase, f32, i32, reserve, run, select } from './runtime.js';
import { threadCount } from './jobs.js';

/** Bytes from `n` floats, rounded up to a 64-byte line. */
function span(n: number): number {
  return ((n << 2) + 63) & ~63;
}

/**
 * Copies `n` floats at byte address `p` out into a new array. Allocating and
 * `set` from a short-lived view measures 1.5-2x faster than `slice`.
 */
function take(p: number, n: number): Float32Array {
  const i = p >>> 2;
  const out = new Float32Array(n);
  out.set(f32.subarray(i, i + n));
  return out;
}

/** Byte addresses of the current job's array arguments, by argument index. */
const addr: number[] = new Array<number>(62).fill(0);

/**
 * Elements per block of an in-place job (64 KiB per array). Copying in,
 * updating and copying back one block at a time keeps the arena's copies in
 * the core's cache; on the MLP's 100,352-float weight a whole-array round trip
 * streams 1.6 MB through L3 and takes 10-15% longer (SGD 27 µs against 24,
 * Adam 99 against 87; blocks of 4096-32768 floats measure alike, 2048 as slow
 * as one pass).
 */
const CHUNK = 16384;

/**
 * Runs job `name` with `args` (in slot order; an `out` argument is its element
 * count) cut into `parts` parts (1: on this thread, in the plain memory) and
 * returns its outputs. In-place jobs ignore `parts`.
 */
export function callJob<J extends JobName>(name: J, args: JobArgs[J], parts: number): JobResults[J] {
  const layout = JOB_LAYOUTS[name];
  const kinds: readonly number[] = layout.args;
  const values: readonly (number | Float32Array | Int32Array | null)[] = args;
  if (layout.inplace) {
    inplace(layout.kind, kinds, values);
    return undefined as JobResults[J];
  }
  select(parts > 1);
  let p = arenaBase;
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k]!;
    if (kind === ARG_IN || kind === ARG_IN_I32) {
      addr[k] = p;
      p += span((values[k] as Float32Array | Int32Array).length);
    } else if (kind === ARG_OUT) {
      addr[k] = p;
      p += span(values[k] as number);
    }
  }
  reserve(p - arenaBase);
  // The views are read after `reserve`, which may grow the memory.
  i32[JOB] = layout.kind;
  let outs = 0;
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k]!;
    const slot = JOB + 1 + k;
    const v = values[k]!;
    if (kind === ARG_IN) {
      f32.set(v as Float32Array, addr[k]! >>> 2);
      i32[slot] = addr[k]!;
    } else if (kind === ARG_IN_I32) {
      i32.set(v as Int32Array, addr[k]! >>> 2);
      i32[slot] = addr[k]!;
    } else if (kind === ARG_OUT) {
      i32[slot] = addr[k]!;
      outs++;
    } else if (kind === ARG_F32) {
      f32[slot] = v as number;
    } else {
      i32[slot] = v as number;
    }
  }
  if (parts > 1) run(threadCount(), parts);
  else run(1, 1);
  if (outs === 1) {
    for (let k = 0; k < kinds.length; k++) {
      if (kinds[k] === ARG_OUT) return take(addr[k]!, values[k] as number) as JobResults[J];
    }
  }
  const results: Float32Array[] = [];
  for (let k = 0; k < kinds.length; k++) if (kinds[k] === ARG_OUT) results.push(take(addr[k]!, values[k] as number));
  return results as JobResults[J];
}

/** Runs an in-place job block by block in the plain memory; see the module comment. */
function inplace(kind: number, kinds: readonly number[], values: readonly (number | Float32Array | Int32Array | null)[]): void {
  let n = 0;
  let arrays = 0;
  for (let k = 0; k < kinds.length; k++) {
    const v = values[k];
    if (kinds[k] === ARG_LEN) n = v as number;
    else if (v instanceof Float32Array) arrays++;
  }
  if (n === 0) return;
  select(false);
  const s = span(Math.min(n, CHUNK));
  reserve(arrays * s);
  let p = arenaBase;
  let lenSlot = JOB;
  i32[JOB] = kind;
  for (let k = 0; k < kinds.length; k++) {
    const kk = kinds[k]!;
    const v = values[k]!;
    const slot = JOB + 1 + k;
    if (kk === ARG_IN || kk === ARG_INOUT || kk === ARG_INOUT_OPT) {
      addr[k] = v === null ? 0 : p;
      if (v !== null) p += s;
      i32[slot] = addr[k]!;
    } else if (kk === ARG_LEN) {
      lenSlot = slot;
    } else if (kk === ARG_F32) {
      f32[slot] = v as number;
    } else if (kk === ARG_I32 || kk === ARG_CODE) {
      i32[slot] = v as number;
    }
  }
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    for (let k = 0; k < kinds.length; k++) {
      const v = values[k];
      if (v instanceof Float32Array) f32.set(v.subarray(off, off + len), addr[k]! >>> 2);
    }
    i32[lenSlot] = len;
    run(1, 1);
    for (let k = 0; k < kinds.length; k++) {
      const v = values[k];
      if ((kinds[k] === ARG_INOUT || kinds[k] === ARG_INOUT_OPT) && v instanceof Float32Array) {
        const i = addr[k]! >>> 2;
        v.set(f32.subarray(i, i + len), off);
      }
    }
  }
}
