/**
 * Conformance of the fused convolution jobs (`conv2d`, `conv2dGradInput`,
 * `conv2dGradWeight`) with the reference backend's kernels, which define them:
 * random geometries (strides, padding, dilation, groups, 1×1 and wide kernels,
 * batches of 1 to 19 images, bias or none), on one thread and on two with
 * every job split over the images. The WASM jobs accumulate in float32, so
 * each element is checked against the float64 reference within 3e-5 of the
 * same sums over absolute values (the reference kernels applied to |x|, |w|).
 * Second-order gradients through `conv2d` (createGraph, which runs all three
 * primitives and their own rules) match the reference backend's.
 */
import { expect, it } from 'vitest';
import type { Conv2dSpec } from '../../src/backend/backend.js';
import * as ref from '../../src/backend/js/conv-fused.js';
import * as wasm from '../../src/backend/wasm/convfused.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { DECLINE } from '../../src/backend/registry.js';
import { callJob } from '../../src/backend/wasm/call.js';
import { Generator, backendStatus, conv2d, getBackend, grad, randn, resetFallbackCounts, setBackend } from '../../src/index.js';
import { expectClose, onOneAndTwoThreads, randomArray, rng } from './helpers.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

/** A random valid geometry. */
function geometry(next: () => number, i: number): Conv2dSpec {
  const pick = (a: readonly number[]): number => a[Math.floor(next() * a.length)]!;
  const groups = pick([1, 1, 2, 3]);
  const c = groups * pick([1, 2, 3]);
  const outC = groups * pick([1, 2, 3, 5]);
  const kh = pick([1, 2, 3, 5]);
  const kw = pick([1, 3, 4]);
  const strideH = pick([1, 1, 2, 3]);
  const strideW = pick([1, 1, 2]);
  const dilationH = pick([1, 1, 2]);
  const dilationW = pick([1, 2]);
  const padH = pick([0, 1, 2]);
  const padW = pick([0, 1, 3]);
  const h = Math.max(1, (kh - 1) * dilationH + 1 - 2 * padH) + pick([0, 1, 4, 9]);
  const w = Math.max(1, (kw - 1) * dilationW + 1 - 2 * padW) + pick([0, 2, 5, 11]);
  const outH = Math.floor((h + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1;
  const outW = Math.floor((w + 2 * padW - dilationW * (kw - 1) - 1) / strideW) + 1;
  const n = i % 5 === 0 ? 19 : pick([1, 2, 3, 7]);
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW, outC, groups };
}

const abs = (a: Float32Array): Float64Array => Float64Array.from(a, Math.abs);
const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

function check(s: Conv2dSpec, seed: number, withBias: boolean): void {
  const next = rng(seed);
  const kg = (s.c / s.groups) * s.kh * s.kw;
  const x = randomArray(next, s.n * s.c * s.h * s.w);
  const w = randomArray(next, s.outC * kg);
  const b = withBias ? randomArray(next, s.outC) : null;
  const g = randomArray(next, s.n * s.outC * s.outH * s.outW);
  const what = `${JSON.stringify(s)} bias ${withBias}`;
  const tol = 3e-5;

  const y = wasm.conv2d(x, w, b, s);
  if (y === DECLINE) throw new Error('conv2d declined');
  const want = ref.conv2d(f64(x), f64(w), b === null ? null : f64(b), s);
  const scale = ref.conv2d(abs(x), abs(w), b === null ? null : abs(b), s);
  expectClose(y, want, 0, tol, `conv2d ${what}`, scale);

  const dx = wasm.conv2dGradInput(g, w, s);
  if (dx === DECLINE) throw new Error('conv2dGradInput declined');
  expectClose(dx, ref.conv2dGradInput(f64(g), f64(w), s), 0, tol, `conv2dGradInput ${what}`, ref.conv2dGradInput(abs(g), abs(w), s));

  const dw = wasm.conv2dGradWeight(x, g, s);
  if (dw === DECLINE) throw new Error('conv2dGradWeight declined');
  const wantW = ref.conv2dGradWeight(f64(x), f64(g), s);
  const scaleW = ref.conv2dGradWeight(abs(x), abs(g), s);
  expectClose(dw.weight, wantW.weight, 0, tol, `conv2dGradWeight ${what}`, scaleW.weight);
  expectClose(dw.bias, wantW.bias, 0, tol, `conv2dGradWeight bias ${what}`, scaleW.bias);
}

/** Second-order gradients through conv2d (createGraph) on the active backend: x, w and b's `.grad`. */
function secondOrder(): Float32Array[] {
  const x = randn([3, 4, 7, 6], { generator: new Generator(1), requiresGrad: true });
  const w = randn([6, 2, 3, 3], { generator: new Generator(2), requiresGrad: true });
  const b = randn([6], { generator: new Generator(3), requiresGrad: true });
  const y = conv2d(x, w, b, { groups: 2, stride: [1, 2], padding: 1 });
  const [dx, dw, db] = grad(y.mul(y).sum(), [x, w, b], { createGraph: true });
  dx!.mul(dx!).sum().add(dw!.mul(dw!).sum()).add(db!.mul(db!).sum()).backward();
  return [x, w, b].map((t) => t.grad!.dataSync() as Float32Array);
}

onOneAndTwoThreads('fused convolution jobs', (threads) => {
  it('give the reference backend\'s second-order gradients (createGraph through all three primitives), without fallbacks', () => {
    const previous = getBackend().name;
    try {
      setBackend('js');
      const want = secondOrder();
      setBackend('wasm');
      resetFallbackCounts();
      const got = secondOrder();
      const fallbacks = backendStatus().fallbacks;
      for (const k of ['conv2d', 'conv2dGradInput', 'conv2dGradWeight']) expect(fallbacks[k] ?? 0, k).toBe(0);
      for (const [i, w] of want.entries()) {
        const scale = Math.max(...Array.from(w, Math.abs));
        expectClose(got[i]!, w, 1e-4, 1e-4 * scale, `second-order grad ${i}`);
      }
    } finally {
      setBackend(previous);
    }
  });

  it('match the reference kernels on 40 random geometries', () => {
    const next = rng(1000 + threads);
    for (let i = 0; i < 40; i++) check(geometry(next, i), 17 * i + threads, i % 2 === 0);
  });

  it('match on the Fashion-MNIST CNN\'s layer shapes (1→32 on 28×28 and 32→64 on 14×14, 3×3, padding 1; 9 images)', () => {
    const base = { n: 9, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
    check({ ...base, c: 1, h: 28, w: 28, outH: 28, outW: 28, outC: 32 }, 5, true);
    check({ ...base, c: 32, h: 14, w: 14, outH: 14, outW: 14, outC: 64 }, 6, true);
  });

  it('match with one image, split by output channels (groups cut inside a part)', () => {
    const base = { n: 1, strideH: 1, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 2 };
    check({ ...base, c: 3, h: 11, w: 13, kh: 3, kw: 3, outH: 11, outW: 6, outC: 12, groups: 3 }, 21, true);
    check({ ...base, c: 4, h: 9, w: 8, kh: 2, kw: 3, outH: 10, outW: 3, outC: 10, groups: 1 }, 22, false);
  });

  it('decline float64 and give empty results for empty batches', () => {
    const s: Conv2dSpec = { n: 0, c: 2, h: 4, w: 4, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, outH: 4, outW: 4, outC: 3, groups: 1 };
    expect(wasm.conv2d(new Float64Array(0), new Float64Array(54), null, s)).toBe(DECLINE);
    expect(wasm.conv2d(new Float32Array(0), new Float32Array(54), null, s)).toEqual(new Float32Array(0));
    const r = wasm.conv2dGradWeight(new Float32Array(0), new Float32Array(0), s);
    expect(r).not.toBe(DECLINE);
    if (r !== DECLINE) expect(Array.from(r.weight).every((v) => v === 0) && r.weight.length === 54).toBe(true);
  });

  if (threads === 1) {
    it('zero the weight-gradient partials of parts that did not run (a split job run as one part)', () => {
      const s: Conv2dSpec = { n: 5, c: 2, h: 6, w: 5, kh: 3, kw: 2, strideH: 1, strideW: 2, padH: 1, padW: 0, dilationH: 1, dilationW: 1, outH: 6, outW: 2, outC: 3, groups: 1 };
      const next = rng(3);
      const x = randomArray(next, 5 * 2 * 6 * 5);
      const g = randomArray(next, 5 * 3 * 6 * 2);
      const size = 3 * 12 + 3;
      const cols = (2 * 3 * 2 * 6 * 2 + 15) & ~15;
      // Three parts laid out; with one thread the job runs as a single part.
      const geo = [s.n, s.c, s.h, s.w, s.kh, s.kw, 1, 2, 1, 0, 1, 1, 6, 2, 3, 1] as const;
      const partials = callJob('conv2dGradWeight', [x, g, 3 * size, cols, ...geo, cols, 3], 3);
      expect(Array.from(partials.subarray(size)).every((v) => v === 0)).toBe(true);
      const want = ref.conv2dGradWeight(f64(x), f64(g), s);
      expectClose(partials.subarray(0, 36), want.weight, 1e-5, 1e-5, 'partial 0');
    });
  }
});
