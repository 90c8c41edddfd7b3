/**
 * Residency on the WASM backend: parameters, their gradients and the
 * optimizer's state live in the shared linear memory, kernels use them where
 * they are, and a training step allocates no new resident blocks once the
 * first step has made them. Every result must equal, bit for bit, the same
 * training with residency off (everything in host memory, same kernels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend, setNumThreads, shutdownWasmThreads } from '../../src/backend/wasm/index.js';
import { type WasmStorage, residentBudget, residentCounters, setResidentBudget } from '../../src/backend/wasm/resident.js';
import { gradSlot } from '../../src/autograd/values.js';
import { residentSpace } from '../../src/backend/wasm/runtime.js';
import {
  Adam,
  Linear,
  type Module,
  ReLU,
  SGD,
  Sequential,
  Tensor,
  backendStatus,
  clipGradNorm,
  crossEntropy,
  manualSeed,
  matmul,
  randn,
  setBackend,
  tensor,
} from '../../src/index.js';

const DEFAULT_BUDGET = residentBudget();

beforeAll(async () => {
  const info = await initWasmBackend();
  expect(info).not.toBeNull();
  // Two workers even on a one-core runner, so the shared space (which holds resident storage) exists.
  await setNumThreads(2);
  setBackend('wasm');
  expect(residentSpace()).not.toBeNull();
});

afterAll(async () => {
  setResidentBudget(DEFAULT_BUDGET);
  setBackend('wasm');
  await shutdownWasmThreads();
});

function mlp(seed: number): Module {
  manualSeed(seed);
  return new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 48), new ReLU(), new Linear(48, 5));
}

function batch(seed: number): { x: Tensor; y: Tensor } {
  manualSeed(1000 + seed);
  const x = randn([32, 20]);
  const y = tensor(Array.from({ length: 32 }, (_, i) => (i * 7 + seed) % 5), { dtype: 'int32' });
  return { x, y };
}

interface Run {
  losses: number[];
  params: number[][];
  devices: { params: string[]; grads: string[]; state: string[] };
}

/** Trains with Adam (weight decay, clipping) for `steps` steps and returns everything to compare. */
function train(steps: number): Run {
  const model = mlp(7);
  const opt = new Adam(model.parameters(), { lr: 1e-2, weightDecay: 1e-3 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch(s % 3);
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    clipGradNorm(model.parameters(), 1);
    opt.step();
    losses.push(loss.item());
  }
  const ps = model.parameters();
  // The optimizer's state buffers, as the optimizer holds them (stateDict() would copy them out).
  const held = (opt as unknown as { state: Map<Tensor, Record<string, Tensor | number>> }).state;
  const state = ps.flatMap((p) => Object.values(held.get(p) ?? {}).filter((v): v is Tensor => v instanceof Tensor));
  return {
    losses,
    params: ps.map((p) => Array.from(p.dataSync())),
    devices: {
      params: ps.map((p) => p.storage.device),
      grads: ps.map((p) => p.grad?.storage.device ?? 'none'),
      state: state.map((t) => t.storage.device),
    },
  };
}

describe('resident training on the wasm backend', () => {
  it('keeps parameters, gradients and optimizer state in wasm memory, with the results of host memory bit for bit', () => {
    const resident = train(12);
    expect(new Set(resident.devices.params)).toEqual(new Set(['wasm']));
    expect(new Set(resident.devices.grads)).toEqual(new Set(['wasm']));
    expect(resident.devices.state.length).toBe(12); // exp_avg and exp_avg_sq for 6 parameters
    expect(new Set(resident.devices.state)).toEqual(new Set(['wasm']));

    setResidentBudget(0);
    let host: Run;
    try {
      host = train(12);
    } finally {
      setResidentBudget(DEFAULT_BUDGET);
    }
    expect(new Set([...host.devices.params, ...host.devices.grads, ...host.devices.state])).toEqual(new Set(['host']));
    expect(resident.losses).toEqual(host.losses);
    expect(resident.params).toEqual(host.params);
    // Steps 0 and 9 see the same batch: it is being learned.
    expect(resident.losses[9]!).toBeLessThan(resident.losses[0]! * 0.9);
  });

  it('spills what does not fit the budget to host memory and still computes the same', () => {
    const full = train(4);
    // Room for a few blocks only: the first parameters are resident, the rest and their state are not.
    setResidentBudget(8 * 1024 + (residentSpace()!.heap.liveBytes ?? 0));
    let mixed: Run;
    try {
      mixed = train(4);
    } finally {
      setResidentBudget(DEFAULT_BUDGET);
    }
    const all = [...mixed.devices.params, ...mixed.devices.grads, ...mixed.devices.state];
    expect(all).toContain('host');
    expect(mixed.losses).toEqual(full.losses);
    expect(mixed.params).toEqual(full.params);
  });

  it('reuses the blocks of unseen gradients: no resident allocation after the first steps', () => {
    const model = mlp(3);
    const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const step = (s: number): void => {
      const { x, y } = batch(s);
      opt.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      opt.step();
    };
    for (let s = 0; s < 3; s++) step(s);
    const before = residentCounters().allocated;
    const live = residentSpace()!.heap.liveBytes;
    // gradSlot reads a gradient without marking it as seen (reading .grad would keep it).
    const blocks = (): number[] => model.parameters().map((p) => (gradSlot(p)!.storage as WasmStorage).ptr);
    const first = blocks();
    for (let s = 3; s < 60; s++) {
      step(s);
      // Every gradient, the weights' computed by the matmul kernel in place, lands in the same block each step.
      expect(blocks()).toEqual(first);
    }
    expect(residentCounters().allocated).toBe(before);
    expect(residentSpace()!.heap.liveBytes).toBe(live);
  });

  it('never recycles a gradient the caller has read', () => {
    const model = mlp(5);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const w = model.parameters()[0]!;
    const a = batch(0);
    crossEntropy(model.forward(a.x), a.y).backward();
    const seen = w.grad!;
    const kept = Array.from(seen.dataSync());
    opt.zeroGrad();
    const b = batch(1);
    crossEntropy(model.forward(b.x), b.y).backward();
    expect(w.grad).not.toBe(seen);
    expect(Array.from(seen.dataSync())).toEqual(kept);
    expect(Array.from(w.grad!.dataSync())).not.toEqual(kept);
  });

  it('never recycles a gradient a tensor hook has seen', () => {
    const model = mlp(6);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const w = model.parameters()[0]!;
    const seen: Tensor[] = [];
    w.registerHook((g) => {
      seen.push(g);
    });
    for (let s = 0; s < 3; s++) {
      const { x, y } = batch(s);
      opt.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    const kept = seen.map((g) => Array.from(g.dataSync()));
    const { x, y } = batch(9);
    opt.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    expect(seen.slice(0, 3).map((g) => Array.from(g.dataSync()))).toEqual(kept);
    expect(new Set(seen).size).toBe(4);
  });

  it('accumulates into a gradient the caller assigned, also a strided view of it', () => {
    manualSeed(2);
    const p = new Linear(4, 3).weight;
    const given = randn([3, 4]).T.contiguous().T; // a non-contiguous view
    expect(given.isContiguous()).toBe(false);
    const expected = given.toArray() as number[][];
    p.grad = given;
    p.sum().backward();
    expect(p.grad.toArray()).toEqual(expected.map((row) => row.map((v) => Math.fround(v + 1))));
  });

  it('keeps resident inputs valid when a large call moves the arena and grows the memory', () => {
    const model = mlp(9);
    const w = model.parameters()[0]!; // [64, 20], resident
    expect(w.storage.device).toBe('wasm');
    const before = Array.from(w.dataSync());
    const space = residentSpace()!;
    const arena = space.arenaBase;
    const bytes = space.memory.buffer.byteLength;
    manualSeed(11);
    // About 40 MiB of arguments: the arena moves to a new block and the memory grows.
    const big = randn([512, 20 * 1024]);
    const y = matmul(big, randn([20 * 1024, 1]));
    expect(y.shape).toEqual([512, 1]);
    expect(space.arenaBase).not.toBe(arena);
    expect(space.memory.buffer.byteLength).toBeGreaterThan(bytes);
    const x = randn([8, 20]);
    const out = matmul(x, w.T);
    expect(Array.from(w.dataSync())).toEqual(before);
    setBackend('js');
    try {
      const ref = matmul(x, tensor(before, { dtype: 'float32' }).reshape([64, 20]).T);
      const got = out.dataSync();
      const want = ref.dataSync();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(want[i]!)));
    } finally {
      setBackend('wasm');
    }
  });

  it('keeps working when the user switches to the js backend with resident parameters', () => {
    const model = mlp(4);
    const ps = model.parameters();
    expect(ps[0]!.storage.device).toBe('wasm');
    const opt = new SGD(ps, { lr: 0.1 });
    setBackend('js');
    try {
      const { x, y } = batch(0);
      const l0 = crossEntropy(model.forward(x), y);
      l0.backward();
      opt.step();
      opt.zeroGrad();
      const l1 = crossEntropy(model.forward(x), y);
      expect(l1.item()).toBeLessThan(l0.item());
      // New parameters made under the js backend live in host memory.
      expect(new Linear(2, 2).weight.storage.device).toBe('host');
    } finally {
      setBackend('wasm');
    }
  });

  it('reports resident memory in backendStatus()', () => {
    mlp(1);
    const r = backendStatus().resident;
    expect(r).not.toBeNull();
    expect(r!.liveBytes).toBeGreaterThan(0);
    expect(r!.blocks).toBeGreaterThan(0);
    expect(r!.budgetBytes).toBe(DEFAULT_BUDGET);
    expect(r!.allocated).toBeGreaterThan(0);
  });
});
