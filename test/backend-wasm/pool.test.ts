/**
 * The worker pool and the loader: registration, thread-count control,
 * restart after shutdown, idle workers not keeping Node alive, the optional
 * relaxed-SIMD build, and the committed kernels matching their sources.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { getBackend } from '../../src/backend/registry.js';
import {
  getNumThreads,
  initWasmBackend,
  setNumThreads,
  shutdownWasmThreads,
  wasmBackend,
  wasmInfo,
} from '../../src/backend/wasm/index.js';
import { ArgumentError } from '../../src/errors.js';
import { randomArray, rng } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/child.ts', import.meta.url));

function runChild(flags: string[], env: Record<string, string> = {}): { status: number | null; out: string; err: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', child], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000, // far above the few seconds a child takes, even on a loaded machine
    env: { ...process.env, CORTEX_RELAXED_SIMD: '', ...env },
  });
  return { status: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

describe('wasm loader and pool', () => {
  afterAll(async () => {
    await shutdownWasmThreads();
  });

  it('registers as the default backend and starts one thread per core', async () => {
    const info = await initWasmBackend();
    expect(info).not.toBeNull();
    expect(await initWasmBackend()).toBe(info);
    expect(getBackend().name).toBe('wasm');
    expect(wasmInfo()).toBe(info);
    expect(getNumThreads()).toBe(info!.threadsAvailable ? Math.min(info!.cores, 16) : 1);
  });

  it('rejects bad thread counts with an ArgumentError', async () => {
    await expect(setNumThreads(0)).rejects.toBeInstanceOf(ArgumentError);
    await expect(setNumThreads(1.5)).rejects.toBeInstanceOf(ArgumentError);
    await expect(setNumThreads(17)).rejects.toBeInstanceOf(ArgumentError);
  });

  it('gives the same results while switching thread counts, and after a restart', async () => {
    const next = rng(5);
    const a = randomArray(next, 300 * 200);
    const b = randomArray(next, 200 * 100);
    const spec = { batch: 1, m: 300, k: 200, n: 100, transA: false, transB: false, strideA: 0, strideB: 0 };
    const want = jsBackend.matmul(a, b, spec);
    for (const t of [1, 2, 3, 1, 2]) {
      await setNumThreads(t);
      for (let rep = 0; rep < 20; rep++) {
        const got = wasmBackend.matmul(a, b, spec);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        expect(worst).toBeLessThan(1e-3);
      }
    }
    await shutdownWasmThreads();
    expect(getNumThreads()).toBe(1);
    await setNumThreads(2);
    const again = wasmBackend.unary('exp', new Float32Array(200_000).fill(1));
    expect(again[199_999]).toBeCloseTo(Math.E, 5);
  });

  it('does not keep Node alive once idle', () => {
    const r = runChild([]);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.out) as { threads: number; worst: number };
    expect(report.threads).toBe(2);
    expect(report.worst).toBeLessThan(1e-3);
  });

  it('uses the relaxed-SIMD build when the runtime enables it', () => {
    const r = runChild(['--experimental-wasm-relaxed-simd']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.out) as { variant: string; relaxed: boolean; worst: number };
    expect(report.variant).toBe('kernels-single-relaxed.wasm + kernels-threads-relaxed.wasm');
    expect(report.relaxed).toBe(true);
    expect(report.worst).toBeLessThan(1e-3);
  });

  it('opts in to relaxed SIMD with CORTEX_RELAXED_SIMD=1 where Node hides it behind a flag', () => {
    const r = runChild([], { CORTEX_RELAXED_SIMD: '1' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.out) as { variant: string; relaxed: boolean; worst: number };
    expect(report.relaxed).toBe(true);
    expect(report.variant).toBe('kernels-single-relaxed.wasm + kernels-threads-relaxed.wasm');
    expect(report.worst).toBeLessThan(1e-3);
    // Without the variable (and without the flag) Node 20 keeps the plain SIMD build.
    const plain = JSON.parse(runChild([]).out) as { relaxed: boolean };
    expect(plain.relaxed).toBe(Number(process.versions.node.split('.')[0]) >= 22);
  });

  it('ships kernels that match the AssemblyScript sources', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('wasm arena', () => {
  it('stops growing once the largest op has been seen (no leak per call)', async () => {
    await initWasmBackend();
    await setNumThreads(2);
    const { memoryBytes } = await import('../../src/backend/wasm/runtime.js');
    const next = rng(3);
    const big = randomArray(next, 300 * 300);
    const small = randomArray(next, 64 * 10);
    const spec = { batch: 1, m: 300, k: 300, n: 300, transA: false, transB: false, strideA: 0, strideB: 0 };
    const round = (): void => {
      wasmBackend.matmul(big, big, spec);
      wasmBackend.softmax(small, 64, 10, 1, true);
      wasmBackend.binary('add', big, [300, 300], big.subarray(0, 300), [300], [300, 300]);
      wasmBackend.reduce('sum', big, [300, 300], [0]);
    };
    // Each of the two memories (one thread / the pool) grows once to fit the largest op.
    const both = async (): Promise<void> => {
      await setNumThreads(1);
      round();
      await setNumThreads(2);
      setParallelCutoffs(0, 0);
      round();
      setParallelCutoffs();
    };
    await both();
    const bytes = memoryBytes();
    for (let i = 0; i < 150; i++) await both();
    expect(memoryBytes()).toBe(bytes);
    await shutdownWasmThreads();
  });
});
