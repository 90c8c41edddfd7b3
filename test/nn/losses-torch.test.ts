import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import {
  BCELoss,
  BCEWithLogitsLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CrossEntropyLoss,
  crossEntropy,
  HuberLoss,
  huberLoss,
  L1Loss,
  type Loss,
  l1Loss,
  MSELoss,
  mseLoss,
  NLLLoss,
  nllLoss,
  type Reduction,
  SmoothL1Loss,
  smoothL1Loss,
} from '../../src/nn/index.js';
import { mul, sum } from '../../src/ops/index.js';

interface Arr {
  shape: number[];
  data: (number | string)[];
  dtype?: string;
}
interface Case {
  name: string;
  args: { reduction: Reduction; delta?: number; beta?: number; labelSmoothing?: number };
  inputs: Arr[];
  output: Arr;
  w: Arr;
  grads: (Arr | null)[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/torch/losses.json', import.meta.url), 'utf8')) as {
  ops: { op: string; cases: Case[] }[];
};

const num = (v: number | string) => (typeof v === 'number' ? v : Number(v));
function toTensor(a: Arr, requiresGrad = false): Tensor {
  const data = a.dtype === 'int32' ? Int32Array.from(a.data.map(num)) : Float32Array.from(a.data.map(num));
  return new Tensor(data, a.shape, requiresGrad);
}

function expectClose(got: ArrayLike<number>, want: readonly (number | string)[], rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = num(want[i]!);
    const g = got[i]!;
    if (!(Math.abs(g - w) <= rtol * Math.abs(w) + 1e-6)) throw new Error(`${what}[${i}]: got ${g}, PyTorch ${w}`);
  }
}

type Fn = (a: Tensor, b: Tensor, args: Case['args']) => Tensor;
const fns: Record<string, Fn> = {
  mseLoss: (a, b, o) => mseLoss(a, b, o),
  l1Loss: (a, b, o) => l1Loss(a, b, o),
  huberLoss: (a, b, o) => huberLoss(a, b, o),
  smoothL1Loss: (a, b, o) => smoothL1Loss(a, b, o),
  binaryCrossEntropy: (a, b, o) => binaryCrossEntropy(a, b, o),
  binaryCrossEntropyWithLogits: (a, b, o) => binaryCrossEntropyWithLogits(a, b, o),
  crossEntropy: (a, b, o) => crossEntropy(a, b, o),
  nllLoss: (a, b, o) => nllLoss(a, b, o),
};
const modules: Record<string, (o: Case['args']) => Loss> = {
  mseLoss: (o) => new MSELoss(o),
  l1Loss: (o) => new L1Loss(o),
  huberLoss: (o) => new HuberLoss(o),
  smoothL1Loss: (o) => new SmoothL1Loss(o),
  binaryCrossEntropy: (o) => new BCELoss(o),
  binaryCrossEntropyWithLogits: (o) => new BCEWithLogitsLoss(o),
  crossEntropy: (o) => new CrossEntropyLoss(o),
  nllLoss: (o) => new NLLLoss(o),
};

function check(c: Case, op: string, compute: Fn): void {
  const inputs = c.inputs.map((a, i) => toTensor(a, c.grads[i] !== null));
  const out = compute(inputs[0]!, inputs[1]!, c.args);
  expect(out.shape).toEqual(c.output.shape);
  expectClose(out.dataSync(), c.output.data, 1e-5, `${op}/${c.name} value`);
  sum(mul(out, toTensor(c.w))).backward();
  c.grads.forEach((g, i) => {
    if (g === null) return;
    const got = inputs[i]!.grad;
    expect(got, `${op}/${c.name} grad ${i}`).not.toBeNull();
    expectClose(got!.dataSync(), g.data, 1e-4, `${op}/${c.name} grad ${i}`);
  });
}

describe('losses match PyTorch (value and gradient)', () => {
  for (const { op, cases } of fx.ops) {
    describe(op, () => {
      for (const c of cases) {
        it(`${c.name} (function)`, () => check(c, op, fns[op]!));
        it(`${c.name} (module)`, () => check(c, op, (a, b, o) => modules[op]!(o).forward(a, b)));
      }
    });
  }
  it('covers every loss the issue asks for', () => {
    expect(fx.ops.map((o) => o.op).sort()).toEqual(Object.keys(fns).sort());
  });
});

describe('loss edge cases', () => {
  it('binaryCrossEntropy never takes log(0): finite value and gradient at p = 0 and p = 1', () => {
    const p = new Tensor(Float32Array.of(0, 1, 0, 1), [4], true);
    const t = new Tensor(Float32Array.of(0, 1, 1, 0), [4]);
    const loss = binaryCrossEntropy(p, t);
    expect(Number.isFinite(loss.item())).toBe(true);
    loss.backward();
    expect(Array.from(p.grad!.dataSync()).every(Number.isFinite)).toBe(true);
    expect(() => binaryCrossEntropy(new Tensor(Float32Array.of(1.5), [1]), new Tensor(Float32Array.of(1), [1]))).toThrow(
      /probabilities in \[0, 1\], found 1.5/,
    );
  });

  it('shape mismatches name both shapes and suggest the fix', () => {
    const a = new Tensor(new Float32Array(4), [4, 1]);
    const b = new Tensor(new Float32Array(4), [4]);
    expect(() => mseLoss(a, b)).toThrow(/input \[4, 1\] and target \[4\] must have the same shape.*reshape the target/);
    const logits = new Tensor(new Float32Array(6), [2, 3]);
    expect(() => crossEntropy(logits, new Tensor(Int32Array.of(0, 3), [2]))).toThrow(/target 3 at index 1 is not a class id in \[0, 3\)/);
    expect(() => crossEntropy(logits, new Tensor(Float32Array.of(0.5, 1), [2]))).toThrow(/not a class id/);
  });

  it('crossEntropy accepts float class ids and a single unbatched sample', () => {
    const logits = new Tensor(Float32Array.of(1, 2, 3, 0, 0, 1), [2, 3]);
    const a = crossEntropy(logits, new Tensor(Int32Array.of(2, 0), [2])).item();
    expect(crossEntropy(logits, new Tensor(Float32Array.of(2, 0), [2])).item()).toBe(a);
    const one = crossEntropy(new Tensor(Float32Array.of(1, 2, 3), [3]), new Tensor(Int32Array.of(2), []));
    expect(one.shape).toEqual([]);
    expect(one.item()).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 5);
  });
});
