/**
 * The fixed layout of the kernel module's memory that the TypeScript side
 * owns: the worker pool's control words below the job descriptor. The
 * descriptor address, job kinds, op codes and argument layouts are generated
 * from `scripts/kernel-table.ts` into `opcodes.generated.ts` (and
 * `asm/opcodes.ts`); the descriptor constants are re-exported here.
 * @module
 */

/** Int32 index of the pool's control words (byte 256). */
export const CTRL = 64;
/** Control word: job generation times 2, plus 1 once the job is closed to late joiners. */
export const CTRL_GEN = CTRL;
/** Control word: threads that may join the current job (main thread included). */
export const CTRL_THREADS = CTRL + 1;
/** Control word: workers parked in `Atomics.wait`. */
export const CTRL_SLEEPERS = CTRL + 2;
/** Control word: non-zero asks every worker to exit. */
export const CTRL_QUIT = CTRL + 3;
/** Control word: non-zero while the main thread is parked waiting for `CTRL_ACTIVE` to reach 0. */
export const CTRL_MAIN_WAITING = CTRL + 4;
/** Control word: the next unclaimed part of the current job. */
export const CTRL_NEXT = CTRL + 5;
/** Control word: number of parts of the current job. */
export const CTRL_PARTS = CTRL + 6;
/** Control word: workers currently inside the job. */
export const CTRL_ACTIVE = CTRL + 7;

export { JOB, SLOT_SCRATCH, SLOT_STRIDE } from './opcodes.generated.js';

/** Most threads a job can use (scratch areas are reserved for this many). */
export const MAX_THREADS = 16;
