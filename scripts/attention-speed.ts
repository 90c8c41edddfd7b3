/**
 * Speed of causal scaled dot-product attention, forward and backward, at the
 * char-GPT's size (batch 12, 4 heads, L = 64, head dim 32) on the default
 * backend: the library's `scaledDotProductAttention` (the fused causal attention
 * op, lower triangle only) against the path it took before that op (two batched
 * products around the fused masked softmax) and against the same attention
 * composed of separate ops (matmul, scale, an added causal mask tensor,
 * softmax), which is how it ran before the fused masked softmax.
 *
 *   npx tsx scripts/attention-speed.ts [--threads N] [--rounds R]
 *
 * Each round times one forward and one forward+backward of each, alternating; the first
 * five rounds are warm-up, and the medians of the rest are printed.
 */
import { type Tensor, randn, scaledDotProductAttention, setNumThreads, tensor } from '../src/index.js';
import { maskedSoftmax } from '../src/ops/masked-softmax.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
await setNumThreads(arg('--threads', 1));
const rounds = arg('--rounds', 205);
const [B, H, L, D] = [12, 4, 64, 32];

const causal = new Float32Array(L * L);
for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) causal[i * L + j] = Number.NEGATIVE_INFINITY;
const causalMask = tensor(causal).reshape([L, L]);

/** The composite: what `scaledDotProductAttention` computed before the fused kernel. */
function composite(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(D)).add(causalMask);
  return scores.softmax(-1).matmul(v);
}

/** Products around the fused masked softmax: what `scaledDotProductAttention` computed before the fused causal op. */
function maskedProducts(q: Tensor, k: Tensor, v: Tensor): Tensor {
  return maskedSoftmax(q.matmul(k.transpose(-2, -1)), { causal: true, scale: 1 / Math.sqrt(D) }).matmul(v);
}

function fused(q: Tensor, k: Tensor, v: Tensor): Tensor {
  return scaledDotProductAttention(q, k, v, { isCausal: true });
}

const mk = (): Tensor => randn([B, H, L, D], { requiresGrad: true });
const [q, k, v] = [mk(), mk(), mk()];
// The softmax stage alone (scores → weights, and back), where the fused kernel acts.
const scores = randn([B, H, L, L], { requiresGrad: true });
const stageComposite = (): Tensor => scores.mul(1 / Math.sqrt(D)).add(causalMask).softmax(-1);
const stageFused = (): Tensor => maskedSoftmax(scores, { causal: true, scale: 1 / Math.sqrt(D) });
const fns = {
  composite,
  'masked softmax products': maskedProducts,
  fused,
  'softmax stage, composite': stageComposite,
  'softmax stage, fused': stageFused,
};
type Name = keyof typeof fns;
const names = Object.keys(fns) as Name[];
const samples = Object.fromEntries(names.map((n) => [n, { fwd: [] as number[], step: [] as number[] }])) as Record<
  Name,
  { fwd: number[]; step: number[] }
>;
// Alternate the two call by call, so that load from other processes hits both alike; medians.
for (let r = 0; r < rounds; r++) {
  for (const name of names) {
    const fn = fns[name];
    const t0 = performance.now();
    fn(q, k, v);
    const t1 = performance.now();
    fn(q, k, v).sum().backward();
    const t2 = performance.now();
    if (r >= 5) {
      samples[name].fwd.push(t1 - t0);
      samples[name].step.push(t2 - t1);
    }
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const res = Object.fromEntries(
  Object.entries(samples).map(([n, s]) => [n, { fwd: median(s.fwd), step: median(s.step) }]),
) as Record<Name, { fwd: number; step: number }>;
for (const [name, t] of Object.entries(res)) {
  console.log(`${name.padEnd(26)} forward ${t.fwd.toFixed(3)} ms   forward+backward ${t.step.toFixed(3)} ms (medians of ${rounds - 5})`);
}
const ratio = (a: Name, b: Name): string =>
  `forward ×${(res[a].fwd / res[b].fwd).toFixed(2)}, forward+backward ×${(res[a].step / res[b].step).toFixed(2)}`;
console.log(`speed-up, attention: ${ratio('composite', 'fused')}`);
console.log(`speed-up, fused causal op over the masked-softmax products: ${ratio('masked softmax products', 'fused')}`);
console.log(`speed-up, softmax stage: ${ratio('softmax stage, composite', 'softmax stage, fused')}`);
