/**
 * The kernel registry: kernels registered per backend, the one fallback path
 * to the reference backend and its counts in `backendStatus()`, the WASM
 * backend's kernel list, and the generated op-code tables being up to date
 * with `scripts/kernel-table.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleFiles } from '../../scripts/gen-kernel-table.js';
import type { MatmulSpec } from '../../src/backend/backend.js';
import { backendStatus } from '../../src/backend/default.js';
import { jsBackend } from '../../src/backend/js/index.js';
import {
  DECLINE,
  fallbackCounts,
  findBackend,
  getBackend,
  getKernel,
  listBackends,
  listKernels,
  registerBackend,
  registerKernel,
  resetFallbackCounts,
  setBackend,
  unregisterBackend,
  unregisterKernel,
} from '../../src/backend/registry.js';
import { initWasmBackend, wasmBackend } from '../../src/backend/wasm/index.js';
import { ArgumentError } from '../../src/errors.js';
import { crossEntropy, linear, tensor } from '../../src/index.js';

const info = await initWasmBackend();
if (info === null) throw new Error('the WASM backend did not load');

const spec: MatmulSpec = { batch: 1, m: 2, k: 2, n: 2, transA: false, transB: false, strideA: 4, strideB: 4 };

describe('kernel registry', () => {
  let previous = '';
  beforeAll(() => {
    previous = getBackend().name;
  });
  afterAll(() => {
    setBackend(previous);
  });

  it('runs a backend kernel, and the reference kernel (counted) where it has none or declines', () => {
    let calls = 0;
    registerBackend({ name: 'test-partial' }, -50);
    registerKernel({
      name: 'matmul',
      backend: 'test-partial',
      fn: (a, b, s) => {
        calls++;
        return a instanceof Float64Array ? DECLINE : jsBackend.matmul(a, b, s);
      },
    });
    try {
      setBackend('test-partial');
      resetFallbackCounts();
      const be = getBackend();
      expect(be.name).toBe('test-partial');
      const a = new Float32Array([1, 2, 3, 4]);
      expect(Array.from(be.matmul(a, a, spec))).toEqual([7, 10, 15, 22]);
      expect(fallbackCounts()).toEqual({});
      // Declined: float64.
      expect(Array.from(be.matmul(Float64Array.from(a), Float64Array.from(a), spec))).toEqual([7, 10, 15, 22]);
      // Missing: every other kernel, counted by kernel (and op) name.
      be.where(new Float32Array([1, 0]), [2], a.subarray(0, 2), [2], a.subarray(2), [2], [2]);
      be.binary('pow', a, [4], a, [4], [4]);
      be.binary('pow', a, [4], a, [4], [4]);
      expect(calls).toBe(2);
      expect(fallbackCounts()).toEqual({ matmul: 1, where: 1, 'binary:pow': 2 });
      expect(backendStatus().fallbacks).toEqual({ matmul: 1, where: 1, 'binary:pow': 2 });
      expect(listKernels('test-partial')).toEqual(['matmul']);
      expect(getKernel('matmul', 'test-partial')).toBeTypeOf('function');
      unregisterKernel('matmul', 'test-partial');
      expect(listKernels('test-partial')).toEqual([]);
      expect(Array.from(getBackend().matmul(a, a, spec))).toEqual([7, 10, 15, 22]);
      expect(calls).toBe(2);
      expect(fallbackCounts().matmul).toBe(2);
    } finally {
      setBackend(previous);
      unregisterBackend('test-partial');
      resetFallbackCounts();
    }
    expect(listBackends()).not.toContain('test-partial');
  });

  it('never counts calls on the reference backend itself', () => {
    setBackend('js');
    resetFallbackCounts();
    const x = new Float64Array([1, 2]);
    getBackend().unary('exp', x);
    getBackend().where(x, [2], x, [2], x, [2], [2]);
    expect(fallbackCounts()).toEqual({});
    setBackend(previous);
  });

  it('keeps setBackend, getBackend, listBackends and findBackend working', () => {
    expect(listBackends()).toEqual(['wasm', 'js']);
    expect(setBackend('js').name).toBe('js');
    expect(getBackend().name).toBe('js');
    expect(findBackend('wasm')).toBe(wasmBackend);
    expect(findBackend('nope')).toBeUndefined();
    expect(() => setBackend('nope')).toThrow(ArgumentError);
    expect(() => unregisterBackend('js')).toThrow(ArgumentError);
    setBackend('wasm');
    expect(getBackend()).toBe(wasmBackend);
  });

  it('the WASM backend registers its kernels and leaves the rest to the reference', () => {
    expect(listKernels('wasm')).toEqual([
      'accumulate', 'activationGrad', 'adagradStep', 'adamStep', 'adaptiveAvgPool2d', 'adaptiveAvgPool2dGrad', 'avgPool2d', 'avgPool2dGrad', 'biasActivation', 'binary',
      'causalAttention', 'causalAttentionGrad',
      'col2im', 'conv2d', 'conv2dGradInput', 'conv2dGradWeight', 'conv2dMaxPool2d', 'conv2dMaxPoolGradInput', 'conv2dMaxPoolGradWeight', 'dropout', 'im2col', 'layerNorm', 'layerNormGrad', 'maskedSoftmax', 'maskedSoftmaxGrad', 'matmul', 'maxPool2d', 'maxPool2dGrad', 'reduce', 'rmspropStep', 'scalar', 'sgdStep', 'softmax',
      'softmaxCrossEntropy', 'softmaxCrossEntropyGrad', 'softmaxGrad', 'unary', 'zigguratFast',
    ]);
  });

  it('a float32 training step on WASM declines nothing; float64 and int32 fall back, counted', () => {
    setBackend('wasm');
    resetFallbackCounts();
    const x = tensor(new Float32Array(6 * 5).map((_, i) => Math.sin(i)), { shape: [6, 5] });
    const w = tensor(new Float32Array(4 * 5).map((_, i) => Math.cos(i)), { shape: [4, 5], requiresGrad: true });
    const b = tensor(new Float32Array(4), { shape: [4], requiresGrad: true });
    const loss = crossEntropy(linear(x, w, b, 'relu'), tensor([0, 1, 2, 3, 0, 1], { dtype: 'int32' }));
    loss.backward();
    // Only kernels WASM does not have (here `expand`, for the mean's gradient) ran on the reference.
    const own = new Set(listKernels('wasm'));
    expect(Object.keys(fallbackCounts()).filter((k) => own.has(k.split(':')[0]!))).toEqual([]);
    resetFallbackCounts();
    tensor([1, 2], { dtype: 'float64' }).exp();
    tensor([1, 2], { dtype: 'int32' }).add(1);
    expect(backendStatus().fallbacks).toEqual({ 'binary:add': 1, 'unary:exp': 1 });
    resetFallbackCounts();
  });
});

describe('generated kernel tables', () => {
  it('asm/opcodes.ts and src/backend/wasm/opcodes.generated.ts match scripts/kernel-table.ts', () => {
    expect(staleFiles()).toEqual([]);
  });
});
