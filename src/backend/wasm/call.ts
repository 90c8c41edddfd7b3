/**
 * The one call path of every WASM job, driven by the job's argument layout in
 * `opcodes.generated.ts` (from `scripts/kernel-table.ts`): lay the array
 * arguments out in the arena, copy the inputs in, write the descriptor slots,
 * run the job (split over the pool when the caller asks for more than one
 * part) and copy the outputs out into fresh arrays.
 *
 * Arrays that are resident storage (views of the shared memory: parameters,
 * gradients, optimizer state) are not copied: a job that reads one runs in the
 * shared space and passes its address. An `out` argument may be an array
 * instead of a count: the job writes into it (in place when it is resident,
 * else through the arena) and returns it. In-place jobs (the optimizer updates
 * and `accumulate`) on resident arrays update them where they are, in one
 * pass; any other array of an in-place job goes through the arena block by
 * block (copied in, updated, the `inout` ones copied back), which keeps the
 * copies in cache. A `work` argument (a count) is arena scratch the job uses
 * as it likes: laid out after the outputs, never copied.
 * @module
 */
import { reusableFloat32 } from '../../tensor/slab.js';
import { threadCount } from './jobs.js';
import { JOB, JOB_LAYOUTS, type JobArgs, type JobLayout, type JobName, type JobResults } from './opcodes.generated.js';
import { arenaBase, f32, i32, isResident, reserve, run, select } from './runtime.js';

/** An argument of a job, as `callJob` reads it. */
type Arg = number | Float32Array | Int32Array | null;

/** Elements of an array argument, or of an `out` argument given as its count. */
function lengthOf(v: Arg): number {
  return typeof v === 'number' ? v : (v as Float32Array | Int32Array).length;
}

/** Bytes from `n` floats, rounded up to a 64-byte line. */
function span(n: number): number {
  return ((n << 2) + 63) & ~63;
}

/**
 * Copies `n` floats at byte address `p` out into a new array (small ones
 * carved from a slab, large ones possibly an array the backward pass gave
 * back: every element is overwritten). Allocating and `set` from a short-lived view measures
 * 1.5-2x faster than `slice`.
 */
function take(p: number, n: number): Float32Array {
  const i = p >>> 2;
  const out = reusableFloat32(n);
  out.set(f32.subarray(i, i + n));
  return out;
}

/** Byte addresses of the current job's array arguments, by argument index. */
const addr: number[] = new Array<number>(64).fill(0);
/** Per argument index: true when the array is resident and used where it is. */
const direct: boolean[] = new Array<boolean>(64).fill(false);

/** Set by {@link place}: whether an argument it marked is resident (the job then runs in the shared space). */
let sawResident = false;

/**
 * Marks which array arguments of kinds `ks` are resident, used where they are
 * (their addresses are their byte offsets, read before the arena can move),
 * and returns the arena bytes the others need (`out` counts included).
 */
function place(ks: readonly number[], values: readonly Arg[]): number {
  let bytes = 0;
  for (let j = 0; j < ks.length; j++) {
    const k = ks[j]!;
    const v = values[k] as Arg;
    const here = v !== null && typeof v !== 'number' && isResident(v);
    direct[k] = here;
    if (here) {
      addr[k] = (v as Float32Array | Int32Array).byteOffset;
      sawResident = true;
    } else bytes += span(lengthOf(v));
  }
  return bytes;
}

/** Gives the arguments of kinds `ks` that are not resident their arena addresses from `p`; returns the next free address. */
function layOut(ks: readonly number[], values: readonly Arg[], p: number): number {
  for (let j = 0; j < ks.length; j++) {
    const k = ks[j]!;
    if (direct[k]) continue;
    addr[k] = p;
    p += span(lengthOf(values[k] as Arg));
  }
  return p;
}

/**
 * Elements per block of an in-place job (64 KiB per array). Copying in,
 * updating and copying back one block at a time keeps the arena's copies in
 * the core's cache; on the MLP's 100,352-float weight a whole-array round trip
 * streams 1.6 MB through L3 and takes 10-15% longer (SGD 27 µs against 24,
 * Adam 99 against 87; blocks of 4096-32768 floats measure alike, 2048 as slow
 * as one pass).
 */
const CHUNK = 16384;

/** Writes the scalar arguments of a job into their descriptor slots. */
function writeScalars(layout: JobLayout, values: readonly Arg[]): void {
  i32[JOB] = layout.kind;
  for (let j = 0; j < layout.ints.length; j++) {
    const k = layout.ints[j]!;
    i32[JOB + 1 + k] = values[k] as number;
  }
  for (let j = 0; j < layout.floats.length; j++) {
    const k = layout.floats[j]!;
    f32[JOB + 1 + k] = values[k] as number;
  }
}

/**
 * Runs job `name` with `args` (in slot order; an `out` argument is its element
 * count) cut into `parts` parts (1: on this thread) and returns its outputs.
 * In-place jobs ignore `parts`.
 */
export function callJob<J extends JobName>(name: J, args: JobArgs[J], parts: number): JobResults[J] {
  const layout: JobLayout = JOB_LAYOUTS[name];
  const values: readonly Arg[] = args;
  if (layout.inplace) {
    inplace(layout, values);
    return undefined as JobResults[J];
  }
  // Resident inputs and destinations live in the shared space: run there and use them in place.
  sawResident = false;
  const bytes = place(layout.ins, values) + place(layout.insI32, values) + place(layout.outs, values) + place(layout.works, values);
  select(parts > 1 || sawResident);
  // The arena may move (and the memory grow) here, so addresses are laid out after it.
  reserve(bytes);
  layOut(layout.works, values, layOut(layout.outs, values, layOut(layout.insI32, values, layOut(layout.ins, values, arenaBase))));
  for (let j = 0; j < layout.ins.length; j++) {
    const k = layout.ins[j]!;
    const twin = j > 0 ? earlierTwin(layout.ins, j, values) : -1;
    // The same array passed twice (an activation gradient that reads only x, say) is copied once.
    if (twin >= 0) addr[k] = addr[twin]!;
    else if (!direct[k]) f32.set(values[k] as Float32Array, addr[k]! >>> 2);
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.insI32.length; j++) {
    const k = layout.insI32[j]!;
    if (!direct[k]) i32.set(values[k] as Int32Array, addr[k]! >>> 2);
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.outs.length; j++) {
    const k = layout.outs[j]!;
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.works.length; j++) {
    const k = layout.works[j]!;
    i32[JOB + 1 + k] = addr[k]!;
  }
  writeScalars(layout, values);
  if (parts > 1) run(threadCount(), parts);
  else run(1, 1);
  const outs = layout.outs;
  const get = (k: number): Float32Array | Int32Array =>
    layout.outsI32.includes(k) ? resultI32(k, values) : result(k, values);
  if (outs.length === 1) return get(outs[0]!) as JobResults[J];
  return outs.map(get) as JobResults[J];
}

/** The argument index of an input before `ins[j]` that is the same array as it, or -1. */
function earlierTwin(ins: readonly number[], j: number, values: readonly Arg[]): number {
  const v = values[ins[j]!];
  for (let i = 0; i < j; i++) if (values[ins[i]!] === v) return ins[i]!;
  return -1;
}

/** Output `k` of the job that just ran: a new array, or the caller's array (written in place, or copied into from the arena). */
function result(k: number, values: readonly Arg[]): Float32Array {
  const v = values[k] as Arg;
  if (typeof v === 'number') return take(addr[k]!, v);
  const into = v as Float32Array;
  if (!direct[k]) {
    const i = addr[k]! >>> 2;
    into.set(f32.subarray(i, i + into.length));
  }
  return into;
}

/** Int32 output `k` of the job that just ran, as {@link result} (a new array, or the caller's). */
function resultI32(k: number, values: readonly Arg[]): Int32Array {
  const v = values[k] as Arg;
  const i = addr[k]! >>> 2;
  if (typeof v === 'number') return i32.slice(i, i + v);
  const into = v as Int32Array;
  if (!direct[k]) into.set(i32.subarray(i, i + into.length));
  return into;
}

/**
 * Runs an in-place job on this thread. Resident arrays are updated where they
 * are; the others go through the arena block by block (see the module comment).
 * When every array is resident the job runs once over all `n` elements.
 */
function inplace(layout: JobLayout, values: readonly Arg[]): void {
  const n = values[layout.len] as number;
  if (n === 0) return;
  let staged = 0;
  let resident = false;
  for (const ks of [layout.ins, layout.inouts]) {
    for (let j = 0; j < ks.length; j++) {
      const k = ks[j]!;
      const v = values[k] as Float32Array | null;
      const here = v === null || isResident(v);
      direct[k] = here;
      // Absent (null) arrays get address 0, which the kernels read as "none".
      if (v === null) addr[k] = 0;
      else if (here) {
        addr[k] = v.byteOffset;
        resident = true;
      } else staged++;
    }
  }
  select(resident);
  const chunk = staged === 0 ? n : CHUNK;
  const s = span(Math.min(n, chunk));
  reserve(staged * s);
  let p = arenaBase;
  for (const ks of [layout.ins, layout.inouts]) {
    for (let j = 0; j < ks.length; j++) {
      const k = ks[j]!;
      if (direct[k]) continue;
      addr[k] = p;
      p += s;
    }
  }
  writeScalars(layout, values);
  const lenSlot = JOB + 1 + layout.len;
  for (let off = 0; off < n; off += chunk) {
    const len = Math.min(chunk, n - off);
    for (const ks of [layout.ins, layout.inouts]) {
      for (let j = 0; j < ks.length; j++) {
        const k = ks[j]!;
        const v = values[k] as Float32Array | null;
        if (direct[k]) {
          // A resident array's block is the element range itself.
          i32[JOB + 1 + k] = v === null ? 0 : addr[k]! + (off << 2);
        } else {
          f32.set((v as Float32Array).subarray(off, off + len), addr[k]! >>> 2);
          i32[JOB + 1 + k] = addr[k]!;
        }
      }
    }
    i32[lenSlot] = len;
    run(1, 1);
    for (let j = 0; j < layout.inouts.length; j++) {
      const k = layout.inouts[j]!;
      if (direct[k]) continue;
      const i = addr[k]! >>> 2;
      (values[k] as Float32Array).set(f32.subarray(i, i + len), off);
    }
  }
}
