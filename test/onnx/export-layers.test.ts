import { afterAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/io/onnx/index.js';
import { noGrad, type Tensor } from '../../src/index.js';
import { EXPORT_CASES } from './export-cases.js';
import { expectNoUnusedInitializers, floatTensor, int64Tensor, measured, REL_TOL, relError, runOrt } from './export-helpers.js';

function feed(x: Tensor) {
  return x.dtype === 'int32' ? int64Tensor(x.dataSync(), x.shape) : floatTensor(x.dataSync(), x.shape);
}

describe('exportOnnx matches Cortex in onnxruntime', () => {
  afterAll(() => {
    const worst = Math.max(...Object.values(measured));
    console.log(`ONNX export: largest relative error vs onnxruntime ${worst.toExponential(2)} over ${Object.keys(measured).length} checks`);
  });

  for (const c of EXPORT_CASES) {
    it(`${c.name}: same outputs at the sample batch size and another, no unused initializers`, async () => {
      const model = c.model();
      const bytes = exportOnnx(model, { sampleInput: c.input(2) });
      expectNoUnusedInitializers(bytes, c.name);
      model.eval();
      for (const batch of [2, 5]) {
        const x = c.input(batch);
        const want = noGrad(() => model.forward(x));
        const { output } = await runOrt(bytes, { input: feed(x) });
        expect(output!.dims).toEqual(want.shape);
        const err = relError(output!.data as Float32Array, want.dataSync());
        measured[`${c.name}@${batch}`] = err;
        expect(err, `${c.name} batch ${batch}`).toBeLessThanOrEqual(REL_TOL);
      }
    });
  }
});
