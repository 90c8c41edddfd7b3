/**
 * A 1,000-step unrolled LSTM back-propagates without a stack overflow (the backward
 * traversal is iterative), and the gradient reaches the first time step.
 */
import { describe, expect, it } from 'vitest';
import { Generator, LSTM, randn } from '../../src/index.js';

describe('long unrolled sequences', () => {
  it('a 1,000-step LSTM back-propagates to its first step', () => {
    const lstm = new LSTM(4, 8, { generator: new Generator(1) });
    const x = randn([1000, 2, 4], { generator: new Generator(2), requiresGrad: true });
    const [out, [h]] = lstm.forward(x);
    out.sum().add(h.sum()).backward();
    const gx = x.grad!.dataSync();
    expect(gx.length).toBe(8000);
    expect(gx.every(Number.isFinite)).toBe(true);
    expect(gx.slice(0, 8).some((v) => v !== 0)).toBe(true);
    expect(lstm.namedParameters().every(([, p]) => p.grad !== null)).toBe(true);
  });
});
