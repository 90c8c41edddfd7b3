import { describe, expect, test } from 'vitest';
import { make, record } from '../../src/autograd/engine.js';
import { GradientError, randn } from '../../src/index.js';

describe('ops without a gradient rule', () => {
  test('back-propagating through one throws a GradientError naming the op', () => {
    const x = randn([3], { requiresGrad: true });
    const y = record({ name: 'roundHalfEven' }, [x], make(x.data.slice(), x.shape));
    const loss = y.mul(x).sum();
    expect(() => loss.backward()).toThrow(GradientError);
    expect(() => loss.backward()).toThrow(/'roundHalfEven' has no gradient rule/);
  });
});
