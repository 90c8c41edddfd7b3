import { describe, expect, it } from 'vitest';
import { Tensor, arange, gradcheck, matmul, randn, setBackend, tensor } from '../../src/index.js';

/** The movement ops that return views: each must share its input's storage. */
describe('strided views', () => {
  const x = arange(0, 24).reshape([2, 3, 4]);

  it('transpose, permute, slice, narrow, expand, squeeze, unsqueeze, split and detach copy nothing', () => {
    const views: [string, Tensor][] = [
      ['transpose', x.transpose(0, 2)],
      ['T', x.T],
      ['permute', x.permute([2, 0, 1])],
      ['slice', x.slice([1, 1], [2, 3])],
      ['narrow', x.narrow(2, 1, 2)],
      ['expand', tensor([[1], [2]]).expand([2, 5])],
      ['unsqueeze', x.unsqueeze(1)],
      ['squeeze', x.unsqueeze(0).squeeze()],
      ['split', x.split(2, 2)[1]!],
      ['detach', x.detach()],
      ['reshape', x.reshape([6, 4])],
    ];
    for (const [name, v] of views) {
      const base = name === 'expand' ? null : x;
      if (base !== null) expect(v.storage, name).toBe(base.storage);
    }
    const e = tensor([[1], [2]]);
    expect(e.expand([2, 5]).storage).toBe(e.storage);
  });

  it('views have the right values, strides and offsets', () => {
    const t = x.transpose(0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.strides).toEqual([1, 4, 12]);
    expect(t.isContiguous()).toBe(false);
    expect(t.toArray()).toEqual(
      Array.from({ length: 4 }, (_, k) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 2 }, (_, i) => i * 12 + j * 4 + k))),
    );
    const s = x.slice([1, 1], [2, 3]);
    expect(s.offset).toBe(16);
    expect(s.toArray()).toEqual([[[16, 17, 18, 19], [20, 21, 22, 23]]]);
    const n = x.narrow(2, 1, 2);
    expect(n.strides).toEqual([12, 4, 1]);
    expect(n.offset).toBe(1);
    expect(n.toArray()).toEqual([[[1, 2], [5, 6], [9, 10]], [[13, 14], [17, 18], [21, 22]]]);
    const e = tensor([1, 2, 3]).expand([2, 3]);
    expect(e.strides).toEqual([0, 1]);
    expect(e.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    // Leading rows of a row-major tensor are still contiguous.
    expect(x.narrow(0, 1, 1).isContiguous()).toBe(true);
    expect(tensor([[1, 2], [3, 4]]).T.narrow(0, 1, 1).squeeze().toArray()).toEqual([2, 4]);
    expect(tensor([[1, 2], [3, 4]]).T.slice([1, 1]).item()).toBe(4);
  });

  it('a write to the storage is seen through every view of it', () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]]);
    const t = base.T;
    const row = base.narrow(0, 1, 1);
    base.storage.array[5] = 60;
    expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 60]]);
    expect(row.toArray()).toEqual([[4, 5, 60]]);
  });

  it('reshape of a non-contiguous view copies, and reshape of a contiguous one does not', () => {
    const t = x.transpose(1, 2);
    const r = t.reshape([24]);
    expect(r.storage).not.toBe(x.storage);
    expect(r.toArray()).toEqual((t.contiguous().toArray() as number[][][]).flat(2));
    expect(x.reshape([4, 6]).storage).toBe(x.storage);
    expect(t.contiguous().isContiguous()).toBe(true);
    expect(x.contiguous()).toBe(x);
  });

  it('a view of a view composes its strides', () => {
    const v = x.permute([2, 0, 1]).narrow(0, 1, 2).transpose(1, 2).unsqueeze(0);
    const copy = tensor(x.toArray() as number[][][]).permute([2, 0, 1]).contiguous().narrow(0, 1, 2).contiguous().transpose(1, 2).contiguous().unsqueeze(0);
    expect(v.storage).toBe(x.storage);
    expect(v.toArray()).toEqual(copy.toArray());
  });

  it('gradients flow through views into the base tensor', () => {
    const w = randn([3, 4], { requiresGrad: true });
    const y = w.T.narrow(0, 1, 2).expand([5, 2, 3]).mul(tensor([1, 2, 3])).sum();
    y.backward();
    const g = w.grad!.toArray() as number[][];
    // Column j of w (rows 1..2 of w.T) gets 5 · (i + 1) from each of the 5 expanded copies.
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(g[i]![j]).toBe(j === 1 || j === 2 ? 5 * (i + 1) : 0);
  });

  it('gradcheck through chains of views', () => {
    const f = (a: Tensor, b: Tensor): Tensor =>
      a.transpose(0, 1).slice([1], [3]).mul(b.expand([2, 2, 3]).permute([0, 2, 1]).narrow(0, 0, 1).squeeze(0).T).tanh().sum(0);
    const r = gradcheck(f, [randn([3, 3]), randn([2, 3])]);
    expect(r.ok, r.worst).toBe(true);
  });

  for (const backend of ['js', 'wasm']) {
    it(`matmul reads transposed views in place, bit for bit (${backend})`, () => {
      setBackend(backend);
      try {
        const a = randn([7, 5]);
        const b = randn([6, 7]);
        expect(matmul(a.T, b.T).toArray()).toEqual(matmul(a.T.contiguous(), b.T.contiguous()).toArray());
        const q = randn([2, 4, 8]);
        const k = randn([2, 4, 8]);
        expect(q.matmul(k.transpose(1, 2)).toArray()).toEqual(q.matmul(k.transpose(1, 2).contiguous()).toArray());
      } finally {
        setBackend('wasm');
      }
    });
  }

  it('binary ops read a one-value expanded view (a full reduction\'s gradient) without materialising it, on every backend', () => {
    for (const name of ['js', 'wasm']) {
      setBackend(name);
      try {
        const y = randn([5, 1, 3]);
        const s = tensor([[[2.5]]]).expand([5, 1, 3]);
        expect([s.strides[0], s.strides[2]]).toEqual([0, 0]);
        const offset = tensor([1, 7]).narrow(0, 1, 1).reshape([1, 1]).expand([4, 1]);
        for (const [got, want] of [
          [y.mul(s), y.mul(2.5)],
          [s.sub(y), tensor(2.5).sub(y)],
          [y.add(s.contiguous()), y.add(2.5)],
          [randn([4, 1]).mul(0).add(offset), tensor([[7], [7], [7], [7]])],
        ] as const) {
          expect(got.shape).toEqual(want.shape);
          expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
        }
        // The gradient of mean() is such a view; it flows on correctly.
        const a = randn([6, 1], { requiresGrad: true });
        a.mul(a).mean().backward();
        expect(Array.from(a.grad!.dataSync())).toEqual(Array.from(a.detach().mul(2 / 6).dataSync()));
      } finally {
        setBackend('wasm');
      }
    }
  });

  it('a tensor built by hand must match its shape', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/5 values cannot have shape \[2, 3\]/);
  });
});
