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
import { threadCount } from './jobs.js';
import { JOB, JOB_LAYOUTS, type JobArgs, type JobLayout, type JobName, type JobResults } from './opcodes.generated.js';
import { arenaBase, f32, i32, reserve, run, select } from './runtime.js';

/** An argument of a job, as `callJob` reads it. */
type Arg = number | Float32Array | Int32Array | null;

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
const addr: number[] = new Array<number>(64).fill(0);

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
 * count) cut into `parts` parts (1: on this thread, in the plain memory) and
 * returns its outputs. In-place jobs ignore `parts`.
 */
export function callJob<J extends JobName>(name: J, args: JobArgs[J], parts: number): JobResults[J] {
  const layout: JobLayout = JOB_LAYOUTS[name];
  const values: readonly Arg[] = args;
  if (layout.inplace) {
    inplace(layout, values);
    return undefined as JobResults[J];
  }
  select(parts > 1);
  let p = arenaBase;
  for (let j = 0; j < layout.ins.length; j++) {
    const k = layout.ins[j]!;
    addr[k] = p;
    p += span((values[k] as Float32Array).length);
  }
  for (let j = 0; j < layout.insI32.length; j++) {
    const k = layout.insI32[j]!;
    addr[k] = p;
    p += span((values[k] as Int32Array).length);
  }
  for (let j = 0; j < layout.outs.length; j++) {
    const k = layout.outs[j]!;
    addr[k] = p;
    p += span(values[k] as number);
  }
  reserve(p - arenaBase);
  // The views are read after `reserve`, which may grow the memory.
  for (let j = 0; j < layout.ins.length; j++) {
    const k = layout.ins[j]!;
    f32.set(values[k] as Float32Array, addr[k]! >>> 2);
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.insI32.length; j++) {
    const k = layout.insI32[j]!;
    i32.set(values[k] as Int32Array, addr[k]! >>> 2);
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.outs.length; j++) {
    const k = layout.outs[j]!;
    i32[JOB + 1 + k] = addr[k]!;
  }
  writeScalars(layout, values);
  if (parts > 1) run(threadCount(), parts);
  else run(1, 1);
  const outs = layout.outs;
  if (outs.length === 1) return take(addr[outs[0]!]!, values[outs[0]!] as number) as JobResults[J];
  return outs.map((k) => take(addr[k]!, values[k] as number)) as JobResults[J];
}

/** Runs an in-place job block by block in the plain memory; see the module comment. */
function inplace(layout: JobLayout, values: readonly Arg[]): void {
  const n = values[layout.len] as number;
  if (n === 0) return;
  select(false);
  const s = span(Math.min(n, CHUNK));
  reserve((layout.ins.length + layout.inouts.length) * s);
  let p = arenaBase;
  for (let j = 0; j < layout.ins.length; j++) {
    const k = layout.ins[j]!;
    addr[k] = p;
    p += s;
    i32[JOB + 1 + k] = addr[k]!;
  }
  for (let j = 0; j < layout.inouts.length; j++) {
    const k = layout.inouts[j]!;
    // Absent (null) arrays get address 0, which the kernels read as "none".
    const present = values[k] !== null;
    addr[k] = present ? p : 0;
    if (present) p += s;
    i32[JOB + 1 + k] = addr[k]!;
  }
  writeScalars(layout, values);
  const lenSlot = JOB + 1 + layout.len;
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    for (let j = 0; j < layout.ins.length; j++) {
      const k = layout.ins[j]!;
      f32.set((values[k] as Float32Array).subarray(off, off + len), addr[k]! >>> 2);
    }
    for (let j = 0; j < layout.inouts.length; j++) {
      const k = layout.inouts[j]!;
      const v = values[k] as Float32Array | null;
      if (v !== null) f32.set(v.subarray(off, off + len), addr[k]! >>> 2);
    }
    i32[lenSlot] = len;
    run(1, 1);
    for (let j = 0; j < layout.inouts.length; j++) {
      const k = layout.inouts[j]!;
      const v = values[k] as Float32Array | null;
      if (v === null) continue;
      const i = addr[k]! >>> 2;
      v.set(f32.subarray(i, i + len), off);
    }
  }
}
