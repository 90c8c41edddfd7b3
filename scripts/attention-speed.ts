/**
 * Speed of causal scaled dot-product attention, forward and backward, at the
 * char-GPT's size (batch 12, 4 heads, L = 64, head dim 32) on the default
 * backend: the library's `scaledDotProductAttention` (fused masked softmax)
 * against the same attention composed of separate ops (matmul, scale, an added
 * causal mask tensor, softmax), which is how it ran before the fused kernel.
 *
 *   npx tsx scripts/attention-speed.ts [--threads N] [--rounds R]
 */
import { type Tensor, randn, scaledDotProductAttention, setNumThreads, tensor } from '../src/index.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
await setNumThreads(arg('--threads', 1));
const rounds = arg('--rounds', 7);
const [B, H, L, D] = [12, 4, 64, 32];

const causal = new Float32Array(L * L);
for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) causal[i * L + j] = Number.NEGATIVE_INFINITY;
const causalMask = tensor(causal).reshape([L, L]);

/** The composite: what `scaledDotProductAttention` computed before the fused kernel. */
function composite(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(D)).add(causalMask);
  return scores.softmax(-1).matmul(v);
}

function fused(q: Tensor, k: Tensor, v: Tensor): Tensor {
  return scaledDotProductAttention(q, k, v, { isCausal: true });
}

function time(fn: (q: Tensor, k: Tensor, v: Tensor) => Tensor): { fwd: number; step: number } {
  const mk = (): Tensor => randn([B, H, L, D], { requiresGrad: true });
  const [q, k, v] = [mk(), mk(), mk()];
  let fwd = Number.POSITIVE_INFINITY;
  let step = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) fn(q, k, v);
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) fn(q, k, v).sum().backward();
    const t2 = performance.now();
    fwd = Math.min(fwd, (t1 - t0) / 10);
    step = Math.min(step, (t2 - t1) / 10);
  }
  return { fwd, step };
}

// Interleave the two so that load from other processes hits both alike.
const res = { composite: { fwd: Number.POSITIVE_INFINITY, step: Number.POSITIVE_INFINITY }, fused: { fwd: Number.POSITIVE_INFINITY, step: Number.POSITIVE_INFINITY } };
for (let i = 0; i < 3; i++) {
  for (const [name, fn] of [['composite', composite], ['fused', fused]] as const) {
    const t = time(fn);
    res[name].fwd = Math.min(res[name].fwd, t.fwd);
    res[name].step = Math.min(res[name].step, t.step);
  }
}
for (const [name, t] of Object.entries(res)) {
  console.log(`${name.padEnd(10)} forward ${t.fwd.toFixed(3)} ms   forward+backward ${t.step.toFixed(3)} ms`);
}
console.log(`speed-up: forward ×${(res.composite.fwd / res.fused.fwd).toFixed(2)}, forward+backward ×${(res.composite.step / res.fused.step).toFixed(2)}`);
