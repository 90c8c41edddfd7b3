import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CortexError,
  DTypeError,
  Generator,
  ShapeError,
  concat,
  gather,
  manualSeed,
  matmul,
  ones,
  randn,
  reshape,
  tensor,
  zeros,
} from '../../src/index.js';

/** Runs `fn` and returns the error it throws (failing when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('typed errors at the API boundary', () => {
  it('every typed error is a CortexError', () => {
    expect(thrown(() => ones([2]).add(ones([3])))).toBeInstanceOf(CortexError);
    expect(thrown(() => ones([2]).sum(3))).toBeInstanceOf(CortexError);
  });

  it('ShapeError for broadcasting names the op and both shapes', () => {
    const e = thrown(() => ones([2, 3]).add(ones([4, 3])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/add/);
    expect(e.message).toContain('[2, 3]');
    expect(e.message).toContain('[4, 3]');
    const m = thrown(() => ones([2, 3]).mul(ones([2])));
    expect(m.message).toMatch(/mul/);
  });

  it('ShapeError for matmul names the op and both shapes', () => {
    const e = thrown(() => matmul(ones([2, 3]), ones([4, 5])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/matmul/);
    expect(e.message).toContain('[2, 3]');
    expect(e.message).toContain('[4, 5]');
    const b = thrown(() => matmul(ones([2, 2, 3]), ones([3, 3, 4])));
    expect(b).toBeInstanceOf(ShapeError);
    expect(b.message).toMatch(/matmul/);
  });

  it('ShapeError for reshape and concat names the shapes', () => {
    const r = thrown(() => reshape(ones([2, 3]), [4, 2]));
    expect(r).toBeInstanceOf(ShapeError);
    expect(r.message).toMatch(/reshape/);
    expect(r.message).toContain('[2, 3]');
    const c = thrown(() => concat([ones([2, 3]), ones([2, 4])], 0));
    expect(c).toBeInstanceOf(ShapeError);
    expect(c.message).toMatch(/concat/);
  });

  it('an axis out of range is an ArgumentError that says the valid range', () => {
    for (const f of [
      () => ones([2, 3]).sum(2),
      () => ones([2, 3]).mean(-3),
      () => ones([2, 3]).softmax(5),
      () => ones([2, 3]).argmax(2),
      () => ones([2, 3]).unsqueeze(4),
    ]) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/axis/);
    }
    expect(thrown(() => ones([2, 3]).sum(2)).message).toContain('[-2, 1]');
  });

  it('a non-integer or negative dimension is an ArgumentError', () => {
    expect(thrown(() => zeros([2, -1]))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => zeros([2.5]))).toBeInstanceOf(ArgumentError);
    expect(thrown(() => randn([Number.NaN]))).toBeInstanceOf(ArgumentError);
  });

  it('a bad seed is rejected with an ArgumentError', () => {
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 60]) {
      const e = thrown(() => new Generator(seed));
      expect(e).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(/seed/);
      expect(thrown(() => manualSeed(seed))).toBeInstanceOf(ArgumentError);
    }
  });

  it('float-only ops reject int32 tensors with a DTypeError that suggests .float()', () => {
    const i = tensor([[1, 2]], { dtype: 'int32' });
    const e = thrown(() => matmul(i, tensor([[1], [2]], { dtype: 'int32' })));
    expect(e).toBeInstanceOf(DTypeError);
    expect(e.message).toMatch(/float/);
  });

  it('gather rejects out-of-range indices', () => {
    const x = ones([2, 3]);
    const e = thrown(() => gather(x, 1, tensor([[0, 3]], { dtype: 'int32' })));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/out of range/);
  });

  it('item() on a tensor with several elements is an ArgumentError naming the shape', () => {
    const e = thrown(() => ones([2, 2]).item());
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toContain('[2, 2]');
  });

  it('a ragged nested array is rejected', () => {
    expect(thrown(() => tensor([[1, 2], [3]]))).toBeInstanceOf(CortexError);
  });
});
