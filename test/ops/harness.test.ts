import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { registerBackend, unregisterBackend } from '../../src/backend/registry.js';
import { getBackend, setBackend } from '../../src/index.js';
import { FORWARD_TOL, GRAD_TOL, mismatch } from '../conformance/compare.js';
import type { FixtureCase } from '../conformance/fixtures.js';
import { loadOpFixture } from '../conformance/fixtures.js';
import { checkCase } from '../conformance/ops.js';

const F32 = { dtype: 'float32', forward: FORWARD_TOL, grad: GRAD_TOL } as const;

/** A deep copy of the first case of an op's fixture, to perturb. */
function firstCase(op: string): FixtureCase {
  const c = loadOpFixture(op).cases[0];
  if (c === undefined) throw new Error(`no cases for ${op}`);
  return JSON.parse(JSON.stringify(c)) as FixtureCase;
}

describe('the conformance harness itself', () => {
  it('accepts a reference case as stored', () => {
    expect(() => checkCase('sigmoid', firstCase('sigmoid'), F32)).not.toThrow();
  });

  it('rejects an output that is off by 1e-4 relative', () => {
    const c = firstCase('sigmoid');
    const d = c.output!.data;
    d[3] = Number(d[3]) * (1 + 1e-4);
    expect(() => checkCase('sigmoid', c, F32)).toThrow(/sigmoid\/s234 output 0: 1 of 24/);
  });

  it('rejects a gradient that is off by 1e-3 relative', () => {
    const c = firstCase('mul');
    const d = c.grads[1]!.data;
    d[0] = Number(d[0]) * (1 + 1e-3);
    expect(() => checkCase('mul', c, F32)).toThrow(/grad 1/);
  });

  it('rejects a wrong shape and a missing NaN', () => {
    const c = firstCase('exp');
    c.output!.shape = [4, 3, 2];
    expect(() => checkCase('exp', c, F32)).toThrow(/shape/);
    expect(mismatch([1, 2], [1, Number.NaN], FORWARD_TOL)).not.toBeNull();
    expect(mismatch([Number.NaN, Number.POSITIVE_INFINITY], [Number.NaN, Number.POSITIVE_INFINITY], FORWARD_TOL)).toBeNull();
    expect(mismatch([Number.NEGATIVE_INFINITY], [Number.POSITIVE_INFINITY], FORWARD_TOL)).not.toBeNull();
  });

  it('uses rtol with an absolute floor near zero', () => {
    expect(mismatch([1.000009], [1], FORWARD_TOL)).toBeNull();
    expect(mismatch([1.00002], [1], FORWARD_TOL)).not.toBeNull();
    expect(mismatch([9e-7], [0], FORWARD_TOL)).toBeNull();
    expect(mismatch([2e-6], [0], FORWARD_TOL)).not.toBeNull();
  });

  it('fails a backend whose kernel is slightly wrong, forward or backward', () => {
    const previous = getBackend().name;
    const skew = <T extends Float32Array | Float64Array>(a: T): T => a.map((v, i) => (i === 1 ? v * 1.001 : v)) as T;
    const broken: Backend = {
      ...jsBackend,
      name: 'broken-for-test',
      softmax: (...args) => skew(jsBackend.softmax(...args)),
      activationGrad: (...args) => skew(jsBackend.activationGrad(...args)),
    };
    registerBackend(broken, -100);
    try {
      setBackend('broken-for-test');
      expect(() => checkCase('softmax', firstCase('softmax'), F32)).toThrow(/output 0/);
      expect(() => checkCase('tanh', firstCase('tanh'), F32)).toThrow(/grad 0/);
      setBackend(previous);
      expect(() => checkCase('tanh', firstCase('tanh'), F32)).not.toThrow();
    } finally {
      setBackend(previous);
      unregisterBackend('broken-for-test');
    }
  });
});
