/**
 * The WASM fused causal attention (forward and gradient) against the reference
 * kernels, on one thread and on two with every job split: random shapes with
 * T = 1, odd T, feature sizes that are not multiples of 4 (the SIMD tails),
 * problem counts that the parts do not divide; SDPA in float32 against the
 * composite path and float64; float64 declined to the reference. The relaxed
 * build project runs this file too (its fused multiply-adds round differently).
 */
import { expect, it } from 'vitest';
import type { CausalAttentionSpec } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWasmBackend, wasmBackend } from '../../src/backend/wasm/index.js';
import {
  Generator,
  type Tensor,
  fallbackCounts,
  grad,
  randn,
  resetFallbackCounts,
  scaledDotProductAttention,
  setBackend,
} from '../../src/index.js';
import { matmul } from '../../src/ops/linalg.js';
import { maskedSoftmax } from '../../src/ops/masked-softmax.js';
import { transpose } from '../../src/ops/movement.js';
import { expectClose } from '../conformance/compare.js';
import { onOneAndTwoThreads } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

function normal(g: Generator, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * g.nextNormal());
}

/** [batch, seq, dim, valueDim]: fixed edge cases, then random shapes. */
function shapes(): [number, number, number, number][] {
  const fixed: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [3, 1, 5, 2],
    [5, 7, 3, 9],
    [7, 13, 6, 5],
    [2, 16, 8, 8],
    [48, 64, 32, 32],
    [9, 33, 17, 31],
  ];
  const g = new Generator(23);
  const pick = (lo: number, hi: number): number => lo + Math.floor(g.nextFloat() * (hi - lo + 1));
  for (let n = 0; n < 8; n++) fixed.push([pick(1, 11), pick(1, 40), pick(1, 37), pick(1, 37)]);
  return fixed;
}

function suite(): void {
  it('forward and gradient agree with the reference on random shapes', () => {
    const g = new Generator(7);
    for (const [batch, seq, dim, valueDim] of shapes()) {
      const spec: CausalAttentionSpec = { batch, seq, dim, valueDim, scale: 1 / Math.sqrt(dim) };
      const what = JSON.stringify(spec);
      const q = normal(g, batch * seq * dim, 1.5);
      const k = normal(g, batch * seq * dim, 1.5);
      const v = normal(g, batch * seq * valueDim, 1);
      const up = normal(g, batch * seq * valueDim, 1);
      const want = jsBackend.causalAttention(q, k, v, spec);
      const got = wasmBackend.causalAttention(q, k, v, spec);
      expect(got.out).toBeInstanceOf(Float32Array);
      expectClose(`${what} probs`, got.probs, want.probs, { rtol: 1e-5, atol: 1e-6 });
      expectClose(`${what} out`, got.out, want.out, { rtol: 1e-5, atol: 1e-5 });
      const gw = jsBackend.causalAttentionGrad(q, k, v, want.probs, up, spec);
      const gg = wasmBackend.causalAttentionGrad(q, k, v, want.probs, up, spec);
      expectClose(`${what} dq`, gg.dq, gw.dq, { rtol: 1e-4, atol: 1e-5 });
      expectClose(`${what} dk`, gg.dk, gw.dk, { rtol: 1e-4, atol: 1e-5 });
      expectClose(`${what} dv`, gg.dv, gw.dv, { rtol: 1e-4, atol: 1e-5 });
    }
  });

  it('runs causal SDPA in float32 without falling back, equal to the composite path and to float64', () => {
    setBackend('wasm');
    const g = new Generator(5);
    const shape = [12, 4, 64, 32];
    const [q, k, v] = [0, 1, 2].map(() => {
      const t = randn(shape, { generator: g });
      t.requiresGrad = true;
      return t;
    }) as [Tensor, Tensor, Tensor];
    const up = randn(shape, { generator: g });
    resetFallbackCounts();
    const out = scaledDotProductAttention(q, k, v, { isCausal: true });
    expect(out.node?.def.name).toBe('causalAttention');
    const fused = [out, ...grad(out.mul(up).sum(), [q, k, v])];
    expect(fallbackCounts().causalAttention ?? 0).toBe(0);
    expect(fallbackCounts().causalAttentionGrad ?? 0).toBe(0);
    const scale = 1 / Math.sqrt(32);
    const comp = matmul(maskedSoftmax(matmul(q, transpose(k, -2, -1)), { causal: true, scale }), v);
    const old = [comp, ...grad(comp.mul(up).sum(), [q, k, v])];
    for (let i = 0; i < 4; i++) expectClose(`vs composite ${i}`, fused[i]!.dataSync(), old[i]!.dataSync(), { rtol: 1e-4, atol: 1e-5 });
    const [qd, kd, vd] = [q, k, v].map((t) => {
      const d = t.detach().double();
      d.requiresGrad = true;
      return d;
    }) as [Tensor, Tensor, Tensor];
    const o64 = scaledDotProductAttention(qd, kd, vd, { isCausal: true });
    const ref = [o64, ...grad(o64.mul(up.double()).sum(), [qd, kd, vd])];
    for (let i = 0; i < 4; i++) expectClose(`vs float64 ${i}`, fused[i]!.dataSync(), ref[i]!.dataSync(), { rtol: 1e-4, atol: 1e-5 });
  });

  it('declines float64 to the reference', () => {
    const spec: CausalAttentionSpec = { batch: 1, seq: 2, dim: 1, valueDim: 1, scale: 1 };
    const x = Float64Array.from([1, 2]);
    resetFallbackCounts();
    const r = wasmBackend.causalAttention(x, x, x, spec);
    expect(r.out).toBeInstanceOf(Float64Array);
    expect(fallbackCounts().causalAttention).toBe(1);
  });
}

onOneAndTwoThreads('wasm fused causal attention', suite);
