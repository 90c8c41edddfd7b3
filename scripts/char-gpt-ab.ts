/**
 * In-process A/B of the char-GPT training step (the model, data, seed, AdamW, schedule and
 * clipping of `scripts/char-gpt-steps.ts`) between two checkouts: both checkouts' sources are
 * loaded side by side (two module graphs, two WASM instances) and blocks of 5 steps alternate
 * between them, so load from other processes hits both alike, which separate runs on a shared
 * machine do not. The first block of each is warm-up.
 *
 *   npx tsx scripts/char-gpt-ab.ts --a /work/main [--b <this checkout>] [--blocks 13] [--threads 1]
 *
 * With more than one thread the two instances' worker pools compete for the cores; one thread
 * is the clean comparison. Prints the median wall and CPU (`process.cpuUsage`) ms per step of each.
 * @module
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { charGptLoop } from './char-gpt-loop.js';

const { values } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, threads: { type: 'string' }, blocks: { type: 'string' } },
});
if (values.a === undefined) throw new Error('char-gpt-ab: --a <checkout> is required');
const roots = { a: resolve(values.a), b: resolve(values.b ?? fileURLToPath(new URL('..', import.meta.url))) };
const threads = Number(values.threads ?? 1);
const blocks = Number(values.blocks ?? 13);

const step = { a: await charGptLoop(roots.a, threads), b: await charGptLoop(roots.b, threads) };
const wall = { a: [] as number[], b: [] as number[] };
const cpu = { a: [] as number[], b: [] as number[] };
for (let block = 0; block < blocks; block++) {
  for (const name of block % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
    for (let s = 0; s < 5; s++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      step[name]();
      const c = process.cpuUsage(c0);
      if (block === 0) continue;
      wall[name].push(performance.now() - t0);
      cpu[name].push((c.user + c.system) / 1000);
    }
  }
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const name of ['a', 'b'] as const) {
  console.log(
    JSON.stringify({ root: roots[name], threads, steps: wall[name].length, wallMs: median(wall[name]), cpuMs: median(cpu[name]) }),
  );
}
