/**
 * BatchNorm2d as a layer against PyTorch (test/fixtures/torch/pool.json, written by
 * scripts/torch-pool-reference.py): three training steps with their running statistics,
 * the gradients of the first step, then one evaluation batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, type Tensor, noGrad, tensor } from '../../src/index.js';
import { FORWARD_TOL, GRAD_TOL, expectClose, expectShape } from '../conformance/compare.js';
import { FIXTURE_DIR, type FixtureTensor, decodeData } from '../conformance/fixtures.js';

interface Step {
  input: FixtureTensor;
  output: FixtureTensor;
  runningMean: FixtureTensor;
  runningVar: FixtureTensor;
}
interface LayerCase {
  name: string;
  momentum: number | null;
  affine: boolean;
  steps: Step[];
  eval: { input: FixtureTensor; output: FixtureTensor };
  grad: { w: FixtureTensor; input: FixtureTensor; weight?: FixtureTensor; bias?: FixtureTensor };
  weight?: FixtureTensor;
  bias?: FixtureTensor;
}

const cases = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'pool.json'), 'utf8')) as { batchNorm2d: LayerCase[] }).batchNorm2d;

const t = (f: FixtureTensor, requiresGrad = false): Tensor =>
  tensor(Float32Array.from(decodeData(f)), { shape: f.shape, requiresGrad });

describe('BatchNorm2d against PyTorch', () => {
  for (const c of cases) {
    it(`${c.name}: three training steps, running statistics, gradients, evaluation`, () => {
      const bn = new BatchNorm2d(3, { momentum: c.momentum, affine: c.affine });
      if (c.weight && c.bias) {
        const [w, b] = [t(c.weight), t(c.bias)];
        noGrad(() => {
          bn.weight!.copy_(w);
          bn.bias!.copy_(b);
        });
      }
      bn.train();
      c.steps.forEach((s, i) => {
        const x = t(s.input, i === 0);
        const y = bn.forward(x);
        expectShape(`step ${i} output`, y.shape, s.output.shape);
        expectClose(`step ${i} output`, y.dataSync(), decodeData(s.output), FORWARD_TOL);
        expectClose(`step ${i} runningMean`, bn.runningMean!.dataSync(), decodeData(s.runningMean), FORWARD_TOL);
        expectClose(`step ${i} runningVar`, bn.runningVar!.dataSync(), decodeData(s.runningVar), FORWARD_TOL);
        if (i === 0) {
          y.backward(t(c.grad.w));
          expectClose('input grad', x.grad!.dataSync(), decodeData(c.grad.input), GRAD_TOL);
          if (c.grad.weight && c.grad.bias) {
            expectClose('weight grad', bn.weight!.grad!.dataSync(), decodeData(c.grad.weight), GRAD_TOL);
            expectClose('bias grad', bn.bias!.grad!.dataSync(), decodeData(c.grad.bias), GRAD_TOL);
          }
        }
      });
      expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([3]);
      bn.eval();
      const before = Array.from(bn.runningMean!.dataSync());
      const y = bn.forward(t(c.eval.input));
      expectClose('eval output', y.dataSync(), decodeData(c.eval.output), FORWARD_TOL);
      expect(Array.from(bn.runningMean!.dataSync()), 'evaluation leaves the running mean').toEqual(before);
    });
  }
});
