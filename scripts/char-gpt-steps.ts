/**
 * Per-step time of the char-GPT training loop (examples/char-gpt.ts's model, data, seed, AdamW,
 * schedule and clipping) on one kernel thread, for A/B runs of two checkouts:
 *
 *   npx tsx scripts/char-gpt-steps.ts --iters 100                    # this checkout
 *   npx tsx scripts/char-gpt-steps.ts --iters 100 --root /work/main  # another checkout's src/
 *
 * Prints one JSON line: the median and mean wall and CPU (`process.cpuUsage`, user + system)
 * milliseconds of the steps after the first 10 (means include the garbage collector's spikes,
 * which medians hide), and every step's loss (to compare trajectories).
 * @module
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { charGptLoop } from './char-gpt-loop.js';

const { values } = parseArgs({ options: { iters: { type: 'string' }, root: { type: 'string' }, threads: { type: 'string' } } });
const root = resolve(values.root ?? fileURLToPath(new URL('..', import.meta.url)));
const iters = Number(values.iters ?? 60);
const step = await charGptLoop(root, Number(values.threads ?? 1));

const wall: number[] = [];
const cpu: number[] = [];
const losses: number[] = [];
for (let it = 0; it < iters; it++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const loss = step();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  losses.push(loss);
}
const median = (xs: number[]): number => {
  const s = xs.slice(10).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const mean = (xs: number[]): number => {
  const s = xs.slice(10);
  return s.reduce((a, b) => a + b, 0) / s.length;
};
console.log(JSON.stringify({ root, iters, wallMs: median(wall), cpuMs: median(cpu), meanWallMs: mean(wall), meanCpuMs: mean(cpu), losses }));
