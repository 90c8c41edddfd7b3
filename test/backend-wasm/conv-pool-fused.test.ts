/**
 * The fused convolution + max pooling job (`conv2dMaxPool2d`): the same values and argmax
 * indices, bit for bit, as the WASM `conv2d` job followed by the WASM `maxPool2d` job
 * (the job runs the same per-image GEMM and the same pooling code), on one thread and on
 * two with the job split over the images, for random geometries (strides, padding,
 * dilation, groups, bias or none, pooling windows with stride, padding, dilation and ceil
 * mode, batches of 1 to 9); values within 3e-5 of the reference backend's composition.
 * The two gradient jobs of the pooled output (`conv2dMaxPoolGradInput`, `...GradWeight`)
 * likewise equal maxPool2dGrad followed by the convolution's gradient jobs bit for bit.
 * Through the public API, `Sequential` runs Conv2d → ReLU → MaxPool2d as the fused op and
 * gives the same values and gradients as the three modules one by one.
 */
import { expect, it } from 'vitest';
import type { Conv2dSpec, Pool2dSpec } from '../../src/backend/backend.js';
import * as ref from '../../src/backend/js/conv-fused.js';
import * as wasmConv from '../../src/backend/wasm/conv.js';
import * as wasm from '../../src/backend/wasm/convfused.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { DECLINE } from '../../src/backend/registry.js';
import { Conv2d, Generator, MaxPool2d, ReLU, Sequential, conv2d, conv2dMaxPool2d, grad, maxPool2d, randn, setBackend, sum } from '../../src/index.js';
import { maxPool2dSpec } from '../../src/ops/pool.js';
import { expectClose, onOneAndTwoThreads, randomArray, rng } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

function geometry(next: () => number, i: number): Conv2dSpec {
  const pick = (a: readonly number[]): number => a[Math.floor(next() * a.length)]!;
  const groups = pick([1, 1, 2]);
  const c = groups * pick([1, 2, 3]);
  const outC = groups * pick([1, 3, 4, 5]);
  const kh = pick([1, 3]);
  const kw = pick([1, 3, 4]);
  const strideH = pick([1, 1, 2]);
  const strideW = pick([1, 2]);
  const dilationH = pick([1, 2]);
  const dilationW = pick([1, 1, 2]);
  const padH = pick([0, 1]);
  const padW = pick([0, 1, 2]);
  const h = (kh - 1) * dilationH + 1 + pick([3, 6, 13]);
  const w = (kw - 1) * dilationW + 1 + pick([3, 8, 14]);
  const outH = Math.floor((h + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1;
  const outW = Math.floor((w + 2 * padW - dilationW * (kw - 1) - 1) / strideW) + 1;
  const n = i % 4 === 0 ? 9 : pick([1, 2, 5]);
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW, outC, groups };
}

function poolOf(next: () => number, s: Conv2dSpec): Pool2dSpec {
  const k = Math.min(2 + Math.floor(next() * 2), s.outH, s.outW);
  const options = next() < 0.5 ? {} : { stride: 2, padding: Math.floor(k / 2), dilation: next() < 0.5 ? 1 : 2, ceilMode: next() < 0.5 };
  try {
    return maxPool2dSpec([s.n, s.outC, s.outH, s.outW], k, options);
  } catch {
    return maxPool2dSpec([s.n, s.outC, s.outH, s.outW], k);
  }
}

onOneAndTwoThreads('conv2dMaxPool2d', () => {
  it('equals conv2d then maxPool2d bit for bit, and the reference within 3e-5', () => {
    for (let i = 0; i < 40; i++) {
      const next = rng(100 + i);
      const s = geometry(next, i);
      const p = poolOf(next, s);
      const kg = (s.c / s.groups) * s.kh * s.kw;
      const x = randomArray(next, s.n * s.c * s.h * s.w);
      const w = randomArray(next, s.outC * kg);
      const b = i % 3 === 0 ? null : randomArray(next, s.outC);
      const fused = wasm.conv2dMaxPool2d(x, w, b, s, p);
      if (fused === DECLINE) throw new Error('declined');
      const y = wasm.conv2d(x, w, b, s);
      if (y === DECLINE) throw new Error('declined');
      const two = wasmConv.maxPool2d(y, p);
      if (two === DECLINE) throw new Error('declined');
      const what = `${JSON.stringify(s)} ${JSON.stringify(p)}`;
      expect(Array.from(fused.values), what).toEqual(Array.from(two.values));
      expect(Array.from(fused.indices), what).toEqual(Array.from(two.indices));
      const r = ref.conv2dMaxPool2d(x, w, b, s, p);
      expectClose(fused.values, r.values, 0, 3e-5 * (kg + 1) * 4, what);

      // The gradients of the pooled output: as maxPool2dGrad then the convolution's gradient jobs.
      const g = randomArray(next, fused.values.length);
      const gy = wasmConv.maxPool2dGrad(g, fused.indices, p);
      if (gy === DECLINE) throw new Error('declined');
      const dx = wasm.conv2dMaxPoolGradInput(g, fused.indices, w, s, p);
      const dw = wasm.conv2dMaxPoolGradWeight(x, g, fused.indices, s, p);
      if (dx === DECLINE || dw === DECLINE) throw new Error('declined');
      const dx2 = wasm.conv2dGradInput(gy, w, s);
      const dw2 = wasm.conv2dGradWeight(x, gy, s);
      if (dx2 === DECLINE || dw2 === DECLINE) throw new Error('declined');
      expect(Array.from(dx), what).toEqual(Array.from(dx2));
      expect(Array.from(dw.weight), what).toEqual(Array.from(dw2.weight));
      expect(Array.from(dw.bias), what).toEqual(Array.from(dw2.bias));
      const rdx = ref.conv2dMaxPoolGradInput(g, fused.indices, w, s, p);
      expectClose(dx, rdx, 0, 3e-5 * (kg * s.outC + 1) * 4, what);
      const rdw = ref.conv2dMaxPoolGradWeight(x, g, fused.indices, s, p);
      expectClose(dw.weight, rdw.weight, 0, 3e-5 * (s.n * s.outH * s.outW + 1) * 4, what);
    }
  });

  it('declines float64 and a pooling geometry that does not match the convolution', () => {
    const s: Conv2dSpec = { n: 2, c: 1, h: 4, w: 4, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: 4, outW: 4, outC: 2, groups: 1 };
    const p = maxPool2dSpec([2, 2, 4, 4], 2);
    expect(wasm.conv2dMaxPool2d(new Float64Array(32), new Float64Array(18), null, s, p)).toBe(DECLINE);
    expect(wasm.conv2dMaxPool2d(new Float32Array(32), new Float32Array(18), null, s, { ...p, planes: 3 })).toBe(DECLINE);
  });

  it('second-order gradients (createGraph) through conv2dMaxPool2d equal those through conv2d then maxPool2d', () => {
    setBackend('wasm');
    try {
      const run = (fused: boolean): number[][] => {
        const x = randn([3, 2, 8, 7], { generator: new Generator(1), requiresGrad: true });
        const w = randn([4, 2, 3, 3], { generator: new Generator(2), requiresGrad: true });
        const b = randn([4], { generator: new Generator(3), requiresGrad: true });
        const y = fused ? conv2dMaxPool2d(x, w, b, { padding: 1 }, 2) : maxPool2d(conv2d(x, w, b, { padding: 1 }), 2);
        const [dx, dw, db] = grad(y.mul(y).sum(), [x, w, b], { createGraph: true });
        dx!.mul(dx!).sum().add(dw!.mul(dw!).sum()).add(db!.mul(db!).sum()).backward();
        return [x, w, b].map((t) => Array.from(t.grad!.dataSync()));
      };
      expect(run(true)).toEqual(run(false));
    } finally {
      setBackend('js');
    }
  });

  it('Sequential Conv2d → ReLU → MaxPool2d: the same values and gradients as the modules one by one', () => {
    setBackend('wasm');
    try {
      const g = new Generator(21);
      const layers = [new Conv2d(3, 8, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2)];
      const model = new Sequential(...layers);
      const x = randn([5, 3, 12, 12], { generator: g, requiresGrad: true });
      const fused = model.forward(x);
      expect(fused.node?.inputs[0]?.node?.def.name).toBe('conv2d+maxPool2d');
      sum(fused.mul(fused.detach().add(1))).backward();
      const grads = model.parameters().map((t) => Array.from(t.grad!.dataSync()));
      const gx = Array.from(x.grad!.dataSync());
      model.zeroGrad();
      x.grad = null;
      let plain = x;
      for (const m of layers) plain = m.forward(plain);
      sum(plain.mul(plain.detach().add(1))).backward();
      expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
      expect(model.parameters().map((t) => Array.from(t.grad!.dataSync()))).toEqual(grads);
      expect(Array.from(x.grad!.dataSync())).toEqual(gx);
    } finally {
      setBackend('js');
    }
  });
});
