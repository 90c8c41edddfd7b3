/**
 * Attention against PyTorch (test/fixtures/torch/attention.json, written by
 * scripts/torch-attention-reference.py): scaled dot-product attention,
 * MultiheadAttention, TransformerEncoderLayer and TransformerEncoder with
 * PyTorch's weights loaded by state-dict name; outputs (1e-5) and the
 * gradients of every input and parameter (1e-4), in float32.
 */
import { describe, expect, it } from 'vitest';
import {
  LayerNorm,
  type Module,
  MultiheadAttention,
  type Tensor,
  TransformerEncoder,
  TransformerEncoderLayer,
  scaledDotProductAttention,
  tensor,
} from '../../src/index.js';
import { type Tolerance, expectClose, expectShape } from '../conformance/compare.js';
import { type Params, readAttentionFixtures } from '../conformance/attention-fixtures.js';
import { type FixtureTensor, decodeData } from '../conformance/fixtures.js';

const doc = readAttentionFixtures();

const OUT_TOL: Tolerance = { rtol: 1e-5, atol: 1e-5 };
const GRAD_TOL: Tolerance = { rtol: 1e-4, atol: 1e-4 };
/** Largest absolute errors seen, printed at the end for the record. */
const worst = { out: 0, grad: 0 };

const t = (f: FixtureTensor, requiresGrad = false): Tensor =>
  f.dtype === 'int32' || f.dtype === 'bool'
    ? tensor(Int32Array.from(decodeData(f)), { shape: f.shape, dtype: 'int32' })
    : tensor(Float32Array.from(decodeData(f)), { shape: f.shape, requiresGrad });
const maybe = (f: FixtureTensor | undefined): Tensor | null => (f === undefined ? null : t(f));

function check(what: string, got: Tensor | null, want: FixtureTensor, kind: 'out' | 'grad'): void {
  expect(got, `${what}: missing`).not.toBeNull();
  const g = got!;
  expectShape(what, g.shape, want.shape);
  const w = decodeData(want);
  const d = g.dataSync();
  for (let i = 0; i < w.length; i++) worst[kind] = Math.max(worst[kind], Math.abs(d[i]! - w[i]!));
  expectClose(what, d, w, kind === 'out' ? OUT_TOL : GRAD_TOL);
}

function load(m: Module<never[], unknown>, params: Params): void {
  const sd = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, t(v)]));
  m.loadStateDict(sd);
  // Every PyTorch parameter name exists here, and nothing else.
  expect(m.namedParameters().map(([n]) => n).sort()).toEqual(Object.keys(params).sort());
}

function checkParamGrads(m: Module<never[], unknown>, grads: Params): void {
  for (const [name, p] of m.namedParameters()) check(`grad ${name}`, p.grad, grads[name]!, 'grad');
}

describe('scaledDotProductAttention against PyTorch 2.x semantics', () => {
  for (const c of doc.sdpa) {
    it(c.name, () => {
      const [q, k, v] = [t(c.q, true), t(c.k, true), t(c.v, true)];
      const out = scaledDotProductAttention(q, k, v, { attnMask: maybe(c.mask), isCausal: c.isCausal, scale: c.scale ?? undefined });
      check('out', out, c.out, 'out');
      out.mul(t(c.gradWeight)).sum().backward();
      check('grad q', q.grad, c.grads.q, 'grad');
      check('grad k', k.grad, c.grads.k, 'grad');
      check('grad v', v.grad, c.grads.v, 'grad');
    });
  }
});

describe('MultiheadAttention against nn.MultiheadAttention', () => {
  for (const c of doc.mha) {
    it(c.name, () => {
      const { embedDim, numHeads, ...opts } = c.config;
      const mha = new MultiheadAttention(embedDim, numHeads, opts).eval();
      load(mha, c.params);
      const inputs = c.selfAttention ? [t(c.query, true)] : [t(c.query, true), t(c.key, true), t(c.value, true)];
      const [q, k, v] = c.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : (inputs as [Tensor, Tensor, Tensor]);
      const masks = { keyPaddingMask: maybe(c.masks.keyPaddingMask), attnMask: maybe(c.masks.attnMask) };
      const [out, weights] = mha.forward(q, k, v, { ...masks, isCausal: c.isCausal, averageAttnWeights: c.averageAttnWeights });
      check('out', out, c.out, 'out');
      check('weights', weights, c.weights, 'out');
      out.mul(t(c.gradOut)).sum().add(weights!.mul(t(c.gradWeights)).sum()).backward();
      for (const [i, x] of inputs.entries()) check(`grad input ${i}`, x.grad, c.grads.inputs[i]!, 'grad');
      checkParamGrads(mha, c.grads.params);
      if (c.masks.attnMask !== undefined && c.name.includes('causal')) {
        // The same causal mask without a tensor.
        const [again] = mha.forward(q, k, v, { keyPaddingMask: masks.keyPaddingMask, isCausal: true, needWeights: false });
        check('out with isCausal', again, c.out, 'out');
      }
    });
  }
});

describe('TransformerEncoderLayer and TransformerEncoder against PyTorch', () => {
  for (const c of doc.encoder) {
    it(c.name, () => {
      const { dModel, nhead, ...opts } = c.config;
      const layer = new TransformerEncoderLayer(dModel, nhead, opts);
      const model =
        c.numLayers === null ? layer : new TransformerEncoder(layer, c.numLayers, c.finalNorm ? new LayerNorm(dModel) : null);
      model.eval();
      load(model, c.params);
      const src = t(c.src, true);
      const out = model.forward(src, {
        srcMask: maybe(c.masks.srcMask),
        srcKeyPaddingMask: maybe(c.masks.srcKeyPaddingMask),
        isCausal: c.isCausal,
      });
      check('out', out, c.out, 'out');
      out.mul(t(c.gradOut)).sum().backward();
      check('grad src', src.grad, c.grads.src, 'grad');
      checkParamGrads(model, c.grads.params);
    });
  }

  it('reports the largest errors', () => {
    console.log(`attention vs PyTorch: max |error| outputs ${worst.out.toExponential(2)}, gradients ${worst.grad.toExponential(2)}`);
    expect(worst.out).toBeLessThan(1e-4);
  });
});
