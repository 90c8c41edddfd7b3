/**
 * The backward pass gives the arrays of consumed gradient temporaries back to a
 * pool that later kernel results reuse (src/autograd/recycle.ts). Gradients
 * must not change with it: the same passes under `createGraph` (which never
 * recycles) give the reference values, and gradients that the caller can see
 * (hooks, retained ones, leaves') must keep their values through later passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend, setNumThreads } from '../../src/backend/wasm/index.js';
import { recycleFloat32, reusableFloat32, slabFloat32 } from '../../src/tensor/slab.js';
import { type Tensor, concat, gelu, getBackend, grad, manualSeed, matmul, randn, scaledDotProductAttention, setBackend } from '../../src/index.js';

let previous = 'js';

beforeAll(async () => {
  previous = getBackend().name;
  expect(await initWasmBackend()).not.toBeNull();
  await setNumThreads(1);
  setBackend('wasm');
});

afterAll(() => {
  setBackend(previous);
});

/**
 * A loss whose backward has every sharing case: a residual add (one gradient
 * for two inputs), narrows of one tensor (pads added together), a product of
 * two of them, a matmul, GELU and causal attention over [2, 4, 64, 32] heads.
 * Tensors are 8192+ floats, above the pool's 16 KiB floor.
 */
function loss(x: Tensor, w: Tensor): Tensor {
  const h = matmul(x, w); // [2, 64, 384]
  const r = h.add(gelu(h));
  const heads = (i: number): Tensor => r.narrow(2, i * 128, 128).reshape([2, 64, 4, 32]).transpose(1, 2);
  const y = scaledDotProductAttention(heads(0), heads(1), heads(2), { isCausal: true });
  const joined = y.transpose(1, 2).reshape([2, 64, 128]);
  const p = r.narrow(2, 0, 128);
  const s = joined.mul(p).add(p);
  return concat([s, r.narrow(2, 128, 256)], 2).mul(0.01).pow(2).sum();
}

function inputs(): [Tensor, Tensor] {
  manualSeed(7);
  const w = randn([96, 384]).mul(0.1);
  w.requiresGrad = true;
  return [randn([2, 64, 96], { requiresGrad: true }), w];
}

describe('recycled gradient temporaries (wasm backend, one thread)', () => {
  it('give the same gradients as a createGraph pass, pass after pass', () => {
    const [x, w] = inputs();
    // Under createGraph the fused causal attention's backward records the composite rules
    // (a different float32 summation order), so the first pass matches it closely; recycling
    // shows as wrong values, far outside that. Every later pass must repeat the first exactly.
    const [rx, rw] = grad(loss(x, w), [x, w], { createGraph: true }).map((t) => t.detach().dataSync().slice());
    let first: [number[], number[]] | null = null;
    for (let pass = 0; pass < 3; pass++) {
      x.grad = null;
      w.grad = null;
      loss(x, w).backward();
      const got: [number[], number[]] = [Array.from(x.grad!.dataSync()), Array.from(w.grad!.dataSync())];
      if (first === null) {
        first = got;
        for (const [g, r] of [
          [got[0], rx!],
          [got[1], rw!],
        ] as const) {
          const ref = Array.from(r);
          const atol = 1e-5 * ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
          const bad = g.findIndex((v, i) => !(Math.abs(v - ref[i]!) <= 1e-4 * Math.abs(ref[i]!) + atol));
          expect(bad, bad < 0 ? '' : `element ${bad}: ${g[bad]} vs ${ref[bad]}`).toBe(-1);
        }
      }
      expect(got[0]).toEqual(first[0]);
      expect(got[1]).toEqual(first[1]);
    }
  });

  it('leave gradients seen by hooks and retained gradients untouched by later passes', () => {
    const [x, w] = inputs();
    const h = matmul(x, w);
    let hooked: Tensor | null = null;
    h.registerHook((g) => {
      hooked = g;
    });
    const r = h.add(gelu(h));
    r.retainGrad();
    r.mul(r).sum().backward();
    const hookedValues = hooked!.dataSync().slice();
    const retained = r.grad!.dataSync().slice();
    // Later passes allocate and reuse arrays of the same sizes.
    for (let pass = 0; pass < 3; pass++) loss(x, w).backward();
    expect(Array.from(hooked!.dataSync())).toEqual(Array.from(hookedValues));
    expect(Array.from(r.grad!.dataSync())).toEqual(Array.from(retained));
  });
});

describe('the pool of given-back float32 arrays', () => {
  it('hands a given-back array out once, for its own length only', () => {
    const a = new Float32Array(8192);
    recycleFloat32(a);
    recycleFloat32(a); // given back twice: kept once
    expect(reusableFloat32(8191)).not.toBe(a);
    expect(reusableFloat32(8192)).toBe(a);
    const b = reusableFloat32(8192);
    expect(b).not.toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it('ignores small arrays, slab views and views into larger buffers', () => {
    const small = new Float32Array(1024);
    const slab = slabFloat32(2000);
    const view = new Float32Array(new ArrayBuffer(4 * 20000), 0, 10000);
    for (const a of [small, slab, view]) {
      recycleFloat32(a);
      expect(reusableFloat32(a.length)).not.toBe(a);
    }
  });
});
