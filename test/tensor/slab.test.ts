/**
 * Small op results are views carved from shared slabs; long-lived storage is
 * not. Views never overlap, start zeroed and aligned, and a parameter or an
 * optimizer state buffer does not keep a slab alive.
 */
import { describe, expect, it } from 'vitest';
import { Linear, Parameter, SGD, setBackend, tensor } from '../../src/index.js';
import { allocate, allocateOwn } from '../../src/tensor/dtype.js';
import { sharesBuffer, slabAllocate, slabFloat32 } from '../../src/tensor/slab.js';

describe('slab allocation', () => {
  it('carves zeroed, 16-byte aligned, non-overlapping views for 65 B to 16 KiB', () => {
    const sizes = [17, 100, 255, 256, 1000, 1024, 4096];
    const arrays = sizes.flatMap((n) => [slabFloat32(n), slabFloat32(n)]);
    for (const a of arrays) {
      expect(sharesBuffer(a)).toBe(true);
      expect(a.byteOffset % 16).toBe(0);
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(7);
    }
    // Writing every array left the others intact: no two overlap.
    for (const a of arrays) expect(a.every((v) => v === 7)).toBe(true);
    const f64 = slabAllocate('float64', 100);
    const i32 = slabAllocate('int32', 100);
    expect(f64).toBeInstanceOf(Float64Array);
    expect(i32).toBeInstanceOf(Int32Array);
    expect(f64.byteOffset % 8).toBe(0);
  });

  it('leaves tiny arrays (on the V8 heap anyway) and large ones in buffers of their own', () => {
    for (const n of [1, 16, 4097, 100_000]) expect(sharesBuffer(slabFloat32(n))).toBe(false);
    expect(sharesBuffer(allocateOwn('float32', 100))).toBe(false);
    expect(sharesBuffer(allocate('float32', 100))).toBe(true);
  });

  it('gives host parameters and optimizer state storage of their own', () => {
    setBackend('js');
    try {
      const small = tensor([1, 2, 3]).mul(2); // an op result: a slab view
      expect(sharesBuffer(small.dataSync())).toBe(false); // 12 bytes: on-heap, own buffer
      const mid = tensor(Array.from({ length: 50 }, (_, i) => i)).mul(2);
      expect(sharesBuffer(mid.dataSync())).toBe(true);
      const p = new Parameter(mid.dataSync() as Float32Array, [50]);
      expect(sharesBuffer(p.dataSync())).toBe(false);
      expect(Array.from(p.dataSync())).toEqual(Array.from(mid.dataSync()));
      const layer = new Linear(4, 8);
      const opt = new SGD(layer.parameters(), { lr: 0.1, momentum: 0.9 });
      layer.forward(tensor([[1, 2, 3, 4]])).sum().backward();
      opt.step();
      const held = (opt as unknown as { state: Map<unknown, Record<string, { dataSync(): Float32Array }>> }).state;
      for (const s of held.values()) expect(sharesBuffer(s.momentumBuffer!.dataSync())).toBe(false);
    } finally {
      setBackend('wasm');
    }
  });
});
