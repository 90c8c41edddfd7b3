import { describe, expect, it } from 'vitest';
import { GradientError, type Tensor, gradcheck, tensor } from '../../src/index.js';
import { GRADCHECK_CASES } from '../conformance/gradcheck-cases.js';

describe('gradcheck itself', () => {
  it('passes a correct gradient and reports what it checked', () => {
    const report = gradcheck((x: Tensor) => x.mul(x).sum(), [tensor([1, -2, 3])]);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(3);
    expect(report.maxAbsError).toBeLessThan(1e-6);
  });

  it('catches a wrong gradient (x · detach(x) has half the true slope)', () => {
    const wrong = (x: Tensor): Tensor => x.mul(x.detach());
    expect(() => gradcheck(wrong, [tensor([1, 2, 3])])).toThrow(GradientError);
    const report = gradcheck(wrong, [tensor([1, 2, 3])], { raise: false });
    expect(report.ok).toBe(false);
    expect(report.worst).toMatch(/input 0/);
  });

  it('leaves the caller’s tensors untouched', () => {
    const x = tensor([0.5, 1.5]);
    gradcheck((a: Tensor) => a.exp(), [x]);
    expect(Array.from(x.dataSync())).toEqual([0.5, 1.5]);
    expect(x.grad).toBeNull();
    expect(x.dtype).toBe('float32');
  });

  it('skips int32 inputs (indices are not differentiable)', () => {
    const idx = tensor([2, 0], { dtype: 'int32' });
    const report = gradcheck((x: Tensor, i: Tensor) => x.indexSelect(0, i), [tensor([1, 2, 3]), idx]);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(3);
  });

  it('has a case for every differentiable op of the core API', () => {
    const differentiable = [
      'add', 'sub', 'mul', 'div', 'neg', 'pow', 'exp', 'log', 'sqrt', 'abs', 'maximum', 'minimum', 'clamp', 'where',
      'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'gelu', 'erf', 'softplus', 'softmax', 'logSoftmax',
      'sum', 'mean', 'max', 'min', 'logSumExp', 'variance', 'std', 'matmul', 'linear',
      'reshape', 'flatten', 'transpose', 'permute', 'expand', 'broadcastTo', 'squeeze', 'unsqueeze', 'slice', 'narrow',
      'concat', 'stack', 'split', 'pad', 'gather', 'indexSelect',
      // convolution
      'conv1d', 'conv2d', 'convTranspose2d',
      // pooling and normalisation
      'maxPool1d', 'maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'batchNorm2d', 'groupNorm',
    ];
    const missing = differentiable.filter((op) => !(op in GRADCHECK_CASES));
    expect(missing).toEqual([]);
  });
});
