import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { CrossEntropyLoss, crossEntropy, Linear, Module, MSELoss, ReLU, Sequential } from '../../src/nn/index.js';
import { linear } from '../../src/ops/index.js';
import { SGD } from '../../src/optim/index.js';
import { Generator } from '../../src/tensor/random.js';
import { evaluate, fit } from '../../src/train/index.js';

function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = (c ? 1 : -1) + 0.5 * g.nextNormal();
    x[2 * i + 1] = (c ? -1 : 1) + 0.5 * g.nextNormal();
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

const mlp = (seed: number): Sequential => {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, 8, { generator: g }), new ReLU(), new Linear(8, 2, { generator: g }));
};

const values = (t: Tensor): number[] => Array.from(t.dataSync());

function linearAt(model: Sequential, i: number): Linear {
  const m = model.at(i);
  if (!(m instanceof Linear)) throw new Error(`layer ${i} is not a Linear`);
  return m;
}

describe('forward hooks during fit()', () => {
  it('a hook on a Linear inside a Sequential sees the exact activations of each training step', () => {
    const model = mlp(1);
    const data = blobs(24, 2);
    const first = linearAt(model, 0);
    const second = linearAt(model, 2);
    const seen: { input: Tensor; output: Tensor; weight: number[]; bias: number[] }[] = [];
    const consumed: Tensor[] = [];
    const h1 = first.registerForwardHook((m, [input], output) => {
      seen.push({ input, output, weight: values(m.weight), bias: values(m.bias!) });
    });
    // The input the next layers really receive, to check the hook saw the same tensor.
    const h2 = model.at(1).registerForwardPreHook((_m, [input]) => void consumed.push(input));
    const secondInputs: Tensor[] = [];
    const h3 = second.registerForwardHook((_m, [input]) => void secondInputs.push(input));

    fit(model, data, { epochs: 2, batchSize: 8, shuffle: false, loss: 'crossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    expect(seen).toHaveLength(6);
    expect(consumed).toHaveLength(6);
    expect(secondInputs).toHaveLength(6);
    for (const [i, s] of seen.entries()) {
      // The batch rows, in order (shuffle off).
      const rows = (i % 3) * 8;
      expect(values(s.input)).toEqual(values(data.x).slice(rows * 2, rows * 2 + 16));
      expect(s.input.shape).toEqual([8, 2]);
      // The output tensor is the graph node the next layer consumed, computed with the
      // weights of that step.
      expect(consumed[i]).toBe(s.output);
      expect(s.output.requiresGrad).toBe(true);
      expect(s.output.node).not.toBeNull();
      const w = new Tensor(Float32Array.from(s.weight), [8, 2]);
      const b = new Tensor(Float32Array.from(s.bias), [8]);
      expect(values(s.output)).toEqual(values(linear(s.input, w, b)));
      expect(secondInputs[i]!.shape).toEqual([8, 8]);
    }
    // Weights change between steps, so each step's activations were recorded afresh.
    expect(seen[0]!.weight).not.toEqual(seen[1]!.weight);
    for (const h of [h1, h2, h3]) h.remove();
  });

  it('training with hooks that return nothing gives the same weights as without', () => {
    const run = (hooked: boolean): number[][] => {
      const model = mlp(3);
      if (hooked) for (const m of model.modules()) m.registerForwardHook(() => undefined);
      fit(model, blobs(32, 4), { epochs: 3, batchSize: 8, seed: 1, loss: 'crossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
      return model.parameters().map(values);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('a forward hook replacing the output changes what is trained', () => {
    const model = mlp(5);
    const last = linearAt(model, 2);
    const before = values(linearAt(model, 0).weight);
    // Cut the graph after the first layer: only the last layer learns.
    model.at(0).registerForwardHook((_m, _i, out) => out.detach());
    fit(model, blobs(16, 6), { epochs: 2, batchSize: 8, loss: 'crossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    expect(values(linearAt(model, 0).weight)).toEqual(before);
    expect(last.weight.grad).not.toBeNull();
  });
});

describe('loss modules in fit() and evaluate()', () => {
  it('a loss module gives the same training as the loss name', () => {
    const run = (loss: 'crossEntropy' | CrossEntropyLoss) => {
      const model = mlp(7);
      const history = fit(model, blobs(40, 8), { epochs: 3, batchSize: 8, seed: 2, loss, optimizer: 'sgd', learningRate: 0.1, validationSplit: 0.25 });
      return { history: JSON.stringify(history), weights: model.parameters().map(values) };
    };
    expect(run(new CrossEntropyLoss())).toEqual(run('crossEntropy'));
    const model = mlp(7);
    const data = blobs(20, 9);
    expect(evaluate(model, data, { loss: new CrossEntropyLoss() }).loss).toBe(evaluate(model, data, { loss: 'crossEntropy' }).loss);
  });

  it('any Module<[Tensor, Tensor], Tensor> is a loss; it follows the model into training and evaluation mode', () => {
    class LoggedCE extends Module<[input: Tensor, target: Tensor], Tensor> {
      readonly modes: boolean[] = [];
      forward(input: Tensor, target: Tensor): Tensor {
        this.modes.push(this.training);
        return crossEntropy(input, target);
      }
    }
    const loss = new LoggedCE();
    loss.eval();
    const model = mlp(9);
    fit(model, blobs(16, 10), { epochs: 1, batchSize: 8, loss, validationData: blobs(8, 11), optimizer: 'sgd' });
    // Two training batches, then one validation batch.
    expect(loss.modes).toEqual([true, true, false]);
    // Evaluation restores the loss module's mode.
    expect(loss.training).toBe(true);
    loss.modes.length = 0;
    evaluate(model, blobs(8, 12), { loss });
    expect(loss.modes).toEqual([false]);
    expect(loss.training).toBe(true);
  });

  it('a loss module can be registered in a model and hooked', () => {
    class WithCriterion extends Module {
      readonly net = this.module('net', mlp(11));
      readonly criterion = this.module('criterion', new MSELoss({ reduction: 'sum' }));
      forward(x: Tensor): Tensor {
        return this.net.forward(x);
      }
    }
    const m = new WithCriterion();
    expect(m.modules()).toContain(m.criterion);
    const losses: number[] = [];
    m.criterion.registerForwardHook((_c, _inputs, out) => void losses.push(out.item()));
    const data = { x: blobs(8, 13).x, y: new Tensor(new Float32Array(16), [8, 2]) };
    fit(m, data, { epochs: 2, batchSize: 8, loss: m.criterion, optimizer: 'sgd', learningRate: 0.01 });
    expect(losses).toHaveLength(2);
    expect(losses[1]!).toBeLessThan(losses[0]!);
  });
});
