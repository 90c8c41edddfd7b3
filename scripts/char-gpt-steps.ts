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

const { values } = parseArgs({ options: { iters: { type: 'string' }, root: { type: 'string' }, threads: { type: 'string' } } });
const root = resolve(values.root ?? fileURLToPath(new URL('..', import.meta.url)));
const iters = Number(values.iters ?? 60);
const C = (await import(`${root}/src/index.js`)) as typeof import('../src/index.js');
const N = (await import(`${root}/src/node.js`)) as typeof import('../src/node.js');
const { CONFIG } = (await import(`${root}/examples/char-gpt.ts`)) as typeof import('../examples/char-gpt.js');

await C.setNumThreads(Number(values.threads ?? 1));
const corpus = N.readFortunes();
const tok = C.CharTokenizer.fromText(corpus.text);
const { train } = C.splitTokens(tok.encode(corpus.text), 0.9);
const trainSet = new C.SequenceDataset(train, CONFIG.blockSize);
const g = new C.Generator(1337);
const model = new C.GPT({ vocabSize: tok.vocabSize, ...CONFIG }, { generator: g });
const opt = new C.AdamW(model.paramGroups(0.1), { lr: 1e-3, betas: [0.9, 0.99], eps: 1e-8 });
const sched = new C.LinearWarmup(opt, { warmupSteps: 100, after: (o) => new C.CosineAnnealingLR(o, { tMax: 1900, etaMin: 1e-4 }) });

const wall: number[] = [];
const cpu: number[] = [];
const losses: number[] = [];
for (let it = 0; it < iters; it++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const loss = C.nextTokenStep(model, trainSet.sample(CONFIG.batchSize, g), opt, { clipNorm: 1, scheduler: sched });
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  losses.push(Number(loss.dataSync()[0]));
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
