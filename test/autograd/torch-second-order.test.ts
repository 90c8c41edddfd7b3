/**
 * Higher-order gradients against PyTorch: elementwise second derivatives,
 * double backward of softmax, log-softmax, cross-entropy, logSumExp and a
 * layer norm, and Hessian-vector products of small MLP losses. Reference
 * values: test/fixtures/torch/second-order.json, from scripts/torch-grad-reference.py.
 * Runs in float64 on the js backend and on wasm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as C from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { FIXTURE_DIR, type FixtureTensor } from '../conformance/fixtures.js';

interface SecondOrderCase {
  name: string;
  kind: 'elementwise2' | 'doubleBackward' | 'mlpHvp';
  args: { alpha?: number; activation?: string };
  inputs: Record<string, FixtureTensor>;
  expected: Record<string, FixtureTensor>;
}

const CASES = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'second-order.json'), 'utf8')) as { cases: SecondOrderCase[] }).cases;

function load(t: FixtureTensor | undefined, requiresGrad = false): Tensor {
  if (t === undefined) throw new Error('missing fixture tensor');
  const data = t.data.map(Number);
  if (t.dtype === 'int32') return C.tensor(Int32Array.from(data), { shape: t.shape, dtype: 'int32' });
  return C.tensor(Float64Array.from(data), { shape: t.shape, dtype: 'float64', requiresGrad });
}

function expectClose(actual: Tensor | null | undefined, expected: FixtureTensor | undefined, what: string): void {
  if (actual === null || actual === undefined || expected === undefined) throw new Error(`${what}: missing`);
  expect(actual.shape, what).toEqual(expected.shape);
  const want = expected.data.map(Number);
  Array.from(actual.dataSync()).forEach((v, i) => {
    const w = want[i]!;
    expect(Math.abs(v - w), `${what}[${i}]: ${v} vs torch ${w}`).toBeLessThanOrEqual(1e-12 + 1e-9 * Math.abs(w));
  });
}

const ELEMENTWISE: Record<string, (x: Tensor, alpha: number) => Tensor> = {
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  softplus: (x) => x.softplus(),
  gelu: (x) => x.gelu(),
  elu: (x, alpha) => x.elu(alpha),
  exp: (x) => x.exp(),
  log: (x) => x.abs().add(0.5).log(),
  sqrt: (x) => x.abs().add(0.5).sqrt(),
  pow3: (x) => x.pow(3),
  rpow: (x) => C.pow(2, x),
};

const DOUBLE: Record<string, (x: Tensor, labels: Tensor) => Tensor> = {
  softmax: (x) => x.softmax(1),
  logSoftmax: (x) => x.logSoftmax(1),
  softmaxCrossEntropy: (x, t) => C.softmaxCrossEntropy(x, t),
  logSumExp: (x) => x.logSumExp(1),
  layerNorm: (x) => x.sub(x.mean(1, true)).div(x.variance(1, true, 0).add(1e-5).sqrt()),
};

function run(c: SecondOrderCase): void {
  const I = c.inputs;
  const E = c.expected;
  if (c.kind === 'elementwise2') {
    const x = load(I.x, true);
    const f = ELEMENTWISE[c.name]!;
    const [d1] = C.grad(f(x, c.args.alpha ?? 1).sum(), x, { createGraph: true });
    expectClose(d1, E.d1, `${c.name} d1`);
    const [d2] = C.grad(d1!.sum(), x);
    expectClose(d2, E.d2, `${c.name} d2`);
    return;
  }
  if (c.kind === 'doubleBackward') {
    const x = load(I.x, true);
    const y = DOUBLE[c.name]!(x, load(I.labels));
    expectClose(y, E.y, `${c.name} y`);
    const [g1] = C.grad(y, x, { gradOutputs: load(I.w), createGraph: true });
    expectClose(g1, E.g1, `${c.name} g1`);
    const [g2] = C.grad(g1!.mul(load(I.u)).sum(), x);
    expectClose(g2, E.g2, `${c.name} g2`);
    return;
  }
  const act = c.args.activation!;
  const params = ['w1', 'b1', 'w2', 'b2'].map((k) => load(I[k], true)) as [Tensor, Tensor, Tensor, Tensor];
  const [w1, b1, w2, b2] = params;
  const x = load(I.x);
  const h = act === 'gelu' ? C.linear(x, w1, b1).gelu() : C.linear(x, w1, b1, act as C.LinearActivation);
  const loss = C.softmaxCrossEntropy(C.linear(h, w2, b2), load(I.labels)).mean();
  expectClose(loss, E.loss, `${c.name} loss`);
  const grads = C.grad(loss, params, { createGraph: true });
  for (const [i, k] of ['w1', 'b1', 'w2', 'b2'].entries()) expectClose(grads[i], E[`g_${k}`], `${c.name} grad ${k}`);
  const vs = ['v_w1', 'v_b1', 'v_w2', 'v_b2'].map((k) => load(I[k]));
  const dot = grads.map((g, i) => g.mul(vs[i]!).sum()).reduce((a, b) => a.add(b));
  const hvp = C.grad(dot, params);
  for (const [i, k] of ['w1', 'b1', 'w2', 'b2'].entries()) expectClose(hvp[i], E[`hvp_${k}`], `${c.name} hvp ${k}`);
}

const wasm = await initWasmBackend();

for (const backend of ['js', 'wasm']) {
  describe(`second derivatives against PyTorch on the '${backend}' backend`, () => {
    let previous = '';
    beforeAll(() => {
      if (backend === 'wasm' && wasm === null) throw new Error('the WASM backend did not load');
      previous = C.getBackend().name;
      C.setBackend(backend);
    });
    afterAll(() => {
      C.setBackend(previous);
    });
    it('has every kind of case', () => {
      expect(new Set(CASES.map((c) => c.kind)).size).toBe(3);
    });
    for (const c of CASES) it(`${c.kind} ${c.name}`, () => run(c));
  });
}
