/**
 * Int32 elementwise conformance: add, sub, mul, neg, abs, sign, maximum,
 * minimum, clamp, where and the comparisons compute exactly in int32 on a
 * named backend (the WASM backend runs them on the reference kernels, counted
 * as fallbacks). Values sit near 2²⁴, where float32 would round, and near
 * 2³¹, where int32 arithmetic wraps.
 *
 * Overflow wraps modulo 2³² (two's complement), as PyTorch's int32 does on
 * every platform it ships for: `2147483647 + 1 = −2147483648`,
 * `65536 · 65536 = 0`, `−(−2147483648) = |−2147483648| = −2147483648`. The
 * expected values below are computed with BigInt and reduced modulo 2³², so
 * they do not depend on the arithmetic under test.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type Tensor, tensor, where } from '../../src/index.js';
import { type SuiteOptions, suiteTitle } from './suite-options.js';

const TWO24 = 16777216;
const MAX = 2147483647;
const MIN = -2147483648;

/** Operands near 2²⁴ (float32's last exact integer) and near the int32 limits. */
const A = [TWO24 + 1, TWO24 - 1, -(TWO24 + 1), TWO24 + 3, MAX, MIN, MAX - 1, MIN + 1, 0, 1, -1, 123456789];
const B = [0, 2, -1, TWO24 + 1, 1, -1, MAX, MIN, MIN, MAX, 65536, -987654321];

/** `v` reduced to int32 modulo 2³² (two's complement). */
function wrap(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function int(values: readonly number[], shape?: number[]): Tensor {
  return tensor(values as number[], { dtype: 'int32', ...(shape === undefined ? {} : { shape }) });
}

function expectInt(t: Tensor, want: readonly number[], what: string): void {
  expect(t.dtype, `${what}: dtype`).toBe('int32');
  expect(Array.from(t.dataSync()), what).toEqual(want);
}

const pairs = (f: (a: number, b: number) => number): number[] => A.map((a, i) => f(a, B[i]!));

/** Registers the int32 suite on `backendName`. */
export function int32Conformance(backendName: string, options: SuiteOptions = {}): void {
  describe(suiteTitle('int32 elementwise ops', backendName, options), () => {
    let previous = '';
    beforeAll(async () => {
      await options.setup?.();
      previous = getBackend().name;
      setBackend(backendName);
    });
    afterAll(() => {
      setBackend(previous);
    });

    it('16777217 + 0 stays 16777217 (no float32 rounding)', () => {
      expectInt(int([TWO24 + 1]).add(0), [TWO24 + 1], 'add 0');
      expectInt(int([TWO24 + 1]).sub(0), [TWO24 + 1], 'sub 0');
      expectInt(int([TWO24 + 1]).mul(1), [TWO24 + 1], 'mul 1');
      expectInt(int([TWO24 + 1]).add(int([0])), [TWO24 + 1], 'add int32 zero');
    });

    it('add, sub and mul are exact and wrap modulo 2³² like PyTorch', () => {
      const a = int(A);
      const b = int(B);
      expectInt(a.add(b), pairs((x, y) => wrap(BigInt(x) + BigInt(y))), 'add');
      expectInt(a.sub(b), pairs((x, y) => wrap(BigInt(x) - BigInt(y))), 'sub');
      expectInt(a.mul(b), pairs((x, y) => wrap(BigInt(x) * BigInt(y))), 'mul');
      expectInt(int([MAX]).add(1), [MIN], 'MAX + 1');
      expectInt(int([MIN]).sub(1), [MAX], 'MIN - 1');
      expectInt(int([65536]).mul(65536), [0], '2^16 · 2^16');
      expectInt(int([TWO24 + 1]).mul(TWO24 + 1), [wrap(BigInt(TWO24 + 1) ** 2n)], '(2^24 + 1)²');
    });

    it('broadcasts exactly (row, column and scalar operands)', () => {
      const a = int([TWO24 + 1, TWO24 + 3, MAX, MIN, 7, -7], [2, 3]);
      const row = int([1, -1, 2]);
      const col = int([TWO24, -TWO24], [2, 1]);
      expectInt(a.add(row), [TWO24 + 2, TWO24 + 2, wrap(BigInt(MAX) + 2n), MIN + 1, 6, -5], 'add row');
      expectInt(a.sub(col), [1, 3, wrap(BigInt(MAX) - BigInt(TWO24)), wrap(BigInt(MIN) + BigInt(TWO24)), 7 + TWO24, -7 + TWO24], 'sub column');
      expectInt(a.mul(int([3])), [A[0]! * 3, (TWO24 + 3) * 3, wrap(BigInt(MAX) * 3n), wrap(BigInt(MIN) * 3n), 21, -21], 'mul scalar');
    });

    it('neg, abs and sign are exact; −2³¹ wraps to itself', () => {
      const a = int(A);
      expectInt(a.neg(), A.map((v) => wrap(-BigInt(v))), 'neg');
      expectInt(a.abs(), A.map((v) => wrap(BigInt(Math.abs(v)))), 'abs');
      expectInt(a.sign(), A.map((v) => Math.sign(v)), 'sign');
      expectInt(int([MIN]).neg(), [MIN], 'neg MIN');
      expectInt(int([MIN]).abs(), [MIN], 'abs MIN');
    });

    it('maximum, minimum and clamp keep values float32 cannot hold', () => {
      const a = int(A);
      const b = int(B);
      expectInt(a.maximum(b), pairs(Math.max), 'maximum');
      expectInt(a.minimum(b), pairs(Math.min), 'minimum');
      expectInt(a.clamp(-(TWO24 + 1), TWO24 + 3), A.map((v) => Math.min(Math.max(v, -(TWO24 + 1)), TWO24 + 3)), 'clamp');
      expectInt(a.clamp(TWO24 + 1), A.map((v) => Math.max(v, TWO24 + 1)), 'clamp min only');
      expectInt(a.clamp(undefined, MAX - 1), A.map((v) => Math.min(v, MAX - 1)), 'clamp max only');
      // Bounds beyond the int32 range act as its ends.
      expectInt(a.clamp(-1e12, 1e12), A, 'clamp wide bounds');
      // A fractional bound promotes to float32, as in PyTorch.
      expect(int([1, 2, 3]).clamp(1.5).dtype).toBe('float32');
      expect(Array.from(int([1, 2, 3]).clamp(1.5).dataSync())).toEqual([1.5, 2, 3]);
    });

    it('comparisons tell apart neighbours that float32 would merge', () => {
      const a = int([TWO24 + 1, TWO24, MAX, MAX - 1, MIN]);
      const b = int([TWO24, TWO24 + 1, MAX - 1, MAX, MIN + 1]);
      const check = (t: Tensor, want: number[], what: string): void => {
        expect(t.dtype, `${what}: dtype`).toBe('float32');
        expect(Array.from(t.dataSync()), what).toEqual(want);
      };
      check(a.eq(b), [0, 0, 0, 0, 0], 'eq');
      check(a.ne(b), [1, 1, 1, 1, 1], 'ne');
      check(a.gt(b), [1, 0, 1, 0, 0], 'gt');
      check(a.ge(b), [1, 0, 1, 0, 0], 'ge');
      check(a.lt(b), [0, 1, 0, 1, 1], 'lt');
      check(a.le(b), [0, 1, 0, 1, 1], 'le');
      check(a.eq(a), [1, 1, 1, 1, 1], 'eq self');
    });

    it('where keeps int32 values exact', () => {
      const cond = tensor([1, 0, 1, 0]);
      const t = where(cond, int([TWO24 + 1, 0, MAX, 0]), int([0, MIN, 0, TWO24 + 3]));
      expectInt(t, [TWO24 + 1, MIN, MAX, TWO24 + 3], 'where');
    });

    it('division and pow still give float32 (true division, as PyTorch)', () => {
      expect(int([7]).div(int([2])).dtype).toBe('float32');
      expect(Array.from(int([7]).div(int([2])).dataSync())).toEqual([3.5]);
      expect(int([3]).pow(2).dtype).toBe('float32');
    });
  });
}
