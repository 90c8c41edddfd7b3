import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SizeClassHeap, sizeClass } from '../../src/backend/wasm/heap.js';
import { WasmStorage, allocResident, releaseStorage, residentCounters, setResidentBudget } from '../../src/backend/wasm/resident.js';
import { Tensor } from '../../src/index.js';

const PAGE = 65536;

function space(pages = 1): { memory: WebAssembly.Memory; heap: SizeClassHeap } {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 4096 });
  const heap = new SizeClassHeap(1024, (end) => {
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
  });
  return { memory, heap };
}

describe('size classes', () => {
  it('are 64-byte lines up to 1 KiB, then four per power of two, wasting at most a fifth', () => {
    expect([1, 64, 65, 1000, 1024].map(sizeClass)).toEqual([64, 64, 128, 1024, 1024]);
    expect([1025, 1280, 1281, 2048, 2049, 4096 * 1024].map(sizeClass)).toEqual([1280, 1280, 1536, 2048, 2560, 4096 * 1024]);
    for (let b = 1; b < 5_000_000; b = Math.ceil(b * 1.37) + 1) {
      const c = sizeClass(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c % 64).toBe(0);
      if (b > 1024) expect(c / b).toBeLessThanOrEqual(1.25);
    }
  });
});

describe('SizeClassHeap', () => {
  it('reuses a freed block for the next request of its class and lowers the top when the top block is freed', () => {
    const { heap } = space();
    const a = heap.alloc(4000);
    const b = heap.alloc(4000);
    expect(a % 64).toBe(0);
    expect(b).toBe(a + sizeClass(4000));
    heap.free(a, 4000);
    expect(heap.stats()).toEqual({ live: sizeClass(4000), free: sizeClass(4000), reserved: 2 * sizeClass(4000), blocks: 1 });
    expect(heap.alloc(3900)).toBe(a);
    heap.free(b, 4000);
    expect(heap.stats().reserved).toBe(sizeClass(4000));
  });

  it('grows the memory and holds the reserved bytes flat over a million allocations of repeating shapes', () => {
    const { memory, heap } = space();
    const sizes = [12, 4096, 100_000, 400_000, 7, 33_000];
    let held: number[] = [];
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const n = sizes[i % sizes.length]!;
      held.push(heap.alloc(n), n);
      if (held.length >= 24) {
        for (let k = 0; k < held.length; k += 2) heap.free(held[k]!, held[k + 1]!);
        held = [];
      }
      if (i === 1000) peak = heap.stats().reserved;
    }
    expect(heap.stats().reserved).toBe(peak);
    expect(memory.buffer.byteLength).toBeLessThan(8 * 2 ** 20);
  });

  it('refuses a block beyond its limit with a typed error', () => {
    const heap = new SizeClassHeap(1024, () => {}, 1 << 20);
    expect(() => heap.alloc(2 << 20)).toThrow(/more than its 1048576-byte limit/);
  });
});

describe('resident storage', () => {
  it('is a view of the linear memory that survives growth, and tensors can wrap it', () => {
    const sp = space();
    const s = allocResident(sp, 'float32', 4)!;
    expect(s).toBeInstanceOf(WasmStorage);
    expect(s.device).toBe('wasm');
    s.array.set([1, 2, 3, 4]);
    sp.memory.grow(2); // detaches every view of a plain memory
    expect(Array.from(s.array)).toEqual([1, 2, 3, 4]);
    const t = new Tensor(s, [2, 2]);
    expect(t.T.toArray()).toEqual([[1, 3], [2, 4]]);
    expect(new Float32Array(sp.memory.buffer, s.ptr, 4)[3]).toBe(4);
  });

  it('gives null past the budget, and released blocks make room again', () => {
    const sp = space();
    setResidentBudget(64 * 1024);
    try {
      const before = residentCounters();
      const a = allocResident(sp, 'float32', 8192)!; // 32 KiB
      const b = allocResident(sp, 'float32', 8192)!;
      expect(allocResident(sp, 'float32', 10)).toBeNull();
      expect(residentCounters().overBudget).toBe(before.overBudget + 1);
      releaseStorage(a);
      expect(() => a.array).toThrow(/used after it was released/);
      expect(allocResident(sp, 'float32', 10)).not.toBeNull();
      releaseStorage(b);
      expect(residentCounters().released).toBe(before.released + 2);
    } finally {
      setResidentBudget(256 * 2 ** 20);
    }
  });

  it('holds memory flat over 10^6 temporaries, and gives every block back once they are collected', async () => {
    const sp = space();
    const budget = 32 * 2 ** 20;
    setResidentBudget(budget);
    try {
      const before = residentCounters();
      let rssAt200k = 0;
      let resident = 0;
      for (let i = 0; i < 1_000_000; i++) {
        const s = allocResident(sp, 'float32', 256);
        if (s !== null) {
          s.array[0] = i;
          resident++;
        } else {
          // Over the budget a kernel writes its result into a host array instead.
          new Float32Array(256)[0] = i;
        }
        // A training loop that yields to the event loop now and then, as the CLI and the playground do.
        if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
        if (i === 200_000) rssAt200k = process.memoryUsage().rss;
      }
      // The heap never holds more than the budget, and the process does not grow.
      expect(sp.heap.stats().reserved).toBeLessThanOrEqual(budget);
      expect(sp.memory.buffer.byteLength).toBeLessThanOrEqual(budget + 2 * PAGE);
      expect(process.memoryUsage().rss - rssAt200k).toBeLessThan(64 * 2 ** 20);
      // Blocks were reused: more storages were made than the budget holds at once.
      expect(resident).toBeGreaterThan(budget / 1024);
      // Once the collector has run and the loop has yielded, every block is back.
      // Finalizers run in later tasks and V8 may defer some, so collect and yield a few times.
      for (let round = 0; round < 50 && sp.heap.stats().live > 0; round++) {
        collectGarbage();
        await new Promise((r) => setTimeout(r, 20));
      }
      const after = residentCounters();
      expect(after.finalized - before.finalized).toBeGreaterThanOrEqual(resident);
      expect(sp.heap.stats().live).toBe(0);
    } finally {
      setResidentBudget(256 * 2 ** 20);
    }
  });
});

/** A full garbage collection, through V8's `gc` exposed in a fresh context. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}
