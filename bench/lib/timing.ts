/**
 * Timing helpers: warm-up, then the median of several repetitions.
 * @module
 */

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** How many repetitions to run. */
export interface RepPolicy {
  /** Untimed calls first: at least `warmup` of them and at least `warmupMs` of them. */
  warmup: number;
  warmupMs: number;
  minReps: number;
  maxReps: number;
  /** After `minReps`, stop once this much time has been spent. */
  budgetMs: number;
}

/** Result of {@link timeIt}. */
export interface Timing {
  medianMs: number;
  reps: number;
}

/** Times `fn` with warm-up calls, then repeats until the policy is satisfied. */
export function timeIt(fn: () => void, policy: RepPolicy): Timing {
  const warm = performance.now();
  for (let i = 0; i < policy.warmup || performance.now() - warm < policy.warmupMs; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < policy.maxReps) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= policy.minReps && performance.now() - start >= policy.budgetMs) break;
  }
  return { medianMs: median(samples), reps: samples.length };
}

/**
 * Times a per-epoch step for the tiny-network section: runs `warmup` epochs,
 * calibrates how many epochs fill `blockMs`, then times `blocks` blocks and
 * returns the median time per epoch. `sync` runs after each block (e.g. to
 * read a value back so lazy work is finished) and is included in the time.
 */
export function timeEpochs(
  step: () => void,
  opts: { warmupEpochs: number; blocks: number; blockMs: number },
  sync: () => void = () => {},
): { msPerEpoch: number; epochsTimed: number } {
  for (let i = 0; i < opts.warmupEpochs; i++) step();
  sync();
  let perBlock = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < perBlock; i++) step();
    sync();
    const dt = performance.now() - t0;
    if (dt >= opts.blockMs / 4 || perBlock >= 1 << 20) {
      perBlock = Math.max(1, Math.round((perBlock * opts.blockMs) / Math.max(dt, 1e-3)));
      break;
    }
    perBlock *= 4;
  }
  const samples: number[] = [];
  for (let b = 0; b < opts.blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBlock; i++) step();
    sync();
    samples.push((performance.now() - t0) / perBlock);
  }
  return { msPerEpoch: median(samples), epochsTimed: perBlock * opts.blocks };
}
