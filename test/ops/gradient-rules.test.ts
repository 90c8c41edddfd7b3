import { describe, expect, test } from 'vitest';
import { make, record } from '../../src/autograd/engine.js';
import { DTypeError, Generator, GradientError, randn, tensor } from '../../src/index.js';

describe('ops without a gradient rule', () => {
  test('back-propagating through one throws a GradientError naming the op', () => {
    const x = randn([3], { requiresGrad: true });
    const y = record({ name: 'roundHalfEven' }, [x], make(x.dataSync().slice(), x.shape));
    const loss = y.mul(x).sum();
    expect(() => loss.backward()).toThrow(GradientError);
    expect(() => loss.backward()).toThrow(/'roundHalfEven' has no gradient rule/);
  });
});

describe('gaps found against PyTorch', () => {
  test('sign has a zero gradient', () => {
    const x = randn([3], { requiresGrad: true });
    x.sign().sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0]);
  });
  test('int32 tensors cannot require gradients', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });
  test('seeds above 2^32 give their own streams', () => {
    const first = (seed: number): number[] => {
      const g = new Generator(seed);
      return [g.nextUint32(), g.nextUint32()];
    };
    expect(first(2 ** 32)).not.toEqual(first(0));
    expect(first(2 ** 32 + 1)).not.toEqual(first(1));
    expect(first(2 ** 40)).not.toEqual(first(2 ** 41));
  });
  test('exponents print with two digits, as PyTorch', () => {
    expect(tensor([1e-5, 2, 3e8]).toString()).toBe('tensor([1.0000e-05, 2.0000e+00, 3.0000e+08])');
  });
});
