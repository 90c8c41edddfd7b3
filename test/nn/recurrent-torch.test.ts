/**
 * RNN, LSTM, GRU and the cells against PyTorch (test/fixtures/torch/rnn.json, written by
 * scripts/torch-rnn-reference.py): the PyTorch state dict loads one to one, and the output,
 * the final state and the gradients of a fixed loss with respect to the input, the initial
 * state and every parameter agree (1e-5 / 1e-4).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, type Tensor, tensor } from '../../src/index.js';
import type { AnyModule } from '../../src/nn/module.js';
import { FORWARD_TOL, GRAD_TOL, expectClose, expectShape } from '../conformance/compare.js';
import { FIXTURE_DIR, type FixtureTensor, decodeData } from '../conformance/fixtures.js';

interface Case {
  name: string;
  kind: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  inputSize: number;
  hiddenSize: number;
  config: Record<string, unknown>;
  state: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h0: FixtureTensor | null;
  c0: FixtureTensor | null;
  lengths: number[] | null;
  out: FixtureTensor | null;
  hN: FixtureTensor;
  cN: FixtureTensor | null;
  w: FixtureTensor | null;
  wh: FixtureTensor;
  wc: FixtureTensor | null;
  grads: { x: FixtureTensor; h0: FixtureTensor | null; c0: FixtureTensor | null; params: Record<string, FixtureTensor> };
}

const cases = (JSON.parse(readFileSync(join(FIXTURE_DIR, 'rnn.json'), 'utf8')) as { cases: Case[] }).cases;

const t = (f: FixtureTensor, requiresGrad = false): Tensor => tensor(Float32Array.from(decodeData(f)), { shape: f.shape, requiresGrad });

function build(c: Case): AnyModule {
  const o = c.config;
  switch (c.kind) {
    case 'RNN':
      return new RNN(c.inputSize, c.hiddenSize, o);
    case 'LSTM':
      return new LSTM(c.inputSize, c.hiddenSize, o);
    case 'GRU':
      return new GRU(c.inputSize, c.hiddenSize, o);
    case 'RNNCell':
      return new RNNCell(c.inputSize, c.hiddenSize, o);
    case 'LSTMCell':
      return new LSTMCell(c.inputSize, c.hiddenSize, o);
    case 'GRUCell':
      return new GRUCell(c.inputSize, c.hiddenSize, o);
  }
}

/** Runs the case's module; returns [out | null, hN, cN | null]. */
function run(m: AnyModule, c: Case, x: Tensor, h0: Tensor | null, c0: Tensor | null): [Tensor | null, Tensor, Tensor | null] {
  if (m instanceof LSTM) {
    const [out, [h, cc]] = m.forward(x, h0 && c0 ? [h0, c0] : null, c.lengths ?? undefined);
    return [out, h, cc];
  }
  if (m instanceof RNN || m instanceof GRU) {
    const [out, h] = m.forward(x, h0, c.lengths ?? undefined);
    return [out, h, null];
  }
  if (m instanceof LSTMCell) {
    const [h, cc] = m.forward(x, h0 && c0 ? [h0, c0] : undefined);
    return [null, h, cc];
  }
  if (m instanceof RNNCell || m instanceof GRUCell) return [null, m.forward(x, h0 ?? undefined), null];
  throw new Error(`unknown kind ${c.kind}`);
}

describe('recurrent layers against PyTorch', () => {
  for (const c of cases) {
    it(`${c.name}: outputs, final state and every gradient`, () => {
      const m = build(c);
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, t(v)])));
      const x = t(c.x, true);
      const h0 = c.h0 ? t(c.h0, true) : null;
      const c0 = c.c0 ? t(c.c0, true) : null;
      const [out, hN, cN] = run(m, c, x, h0, c0);
      let loss = hN.mul(t(c.wh)).sum();
      if (out && c.out && c.w) {
        expectShape('output', out.shape, c.out.shape);
        expectClose('output', out.dataSync(), decodeData(c.out), FORWARD_TOL);
        loss = loss.add(out.mul(t(c.w)).sum());
      }
      expectShape('hN', hN.shape, c.hN.shape);
      expectClose('hN', hN.dataSync(), decodeData(c.hN), FORWARD_TOL);
      if (c.cN && c.wc) {
        expect(cN).not.toBeNull();
        expectClose('cN', cN!.dataSync(), decodeData(c.cN), FORWARD_TOL);
        loss = loss.add(cN!.mul(t(c.wc)).sum());
      }
      loss.backward();
      expectClose('grad x', x.grad!.dataSync(), decodeData(c.grads.x), GRAD_TOL);
      if (h0 && c.grads.h0) expectClose('grad h0', h0.grad!.dataSync(), decodeData(c.grads.h0), GRAD_TOL);
      if (c0 && c.grads.c0) expectClose('grad c0', c0.grad!.dataSync(), decodeData(c.grads.c0), GRAD_TOL);
      const params = new Map(m.namedParameters());
      expect([...params.keys()].sort()).toEqual(Object.keys(c.grads.params).sort());
      for (const [name, g] of Object.entries(c.grads.params)) {
        expectClose(`grad ${name}`, params.get(name)!.grad!.dataSync(), decodeData(g), GRAD_TOL);
      }
    });
  }
});
