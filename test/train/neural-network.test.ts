import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { Linear, Sigmoid } from '../../src/nn/index.js';
import { accuracy, NeuralNetwork } from '../../src/train/index.js';

const X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

describe('NeuralNetwork (the seed API)', () => {
  it('is built from Linear and activation modules', () => {
    const net = new NeuralNetwork({ inputSize: 2, hiddenSizes: [5, 3], outputSize: 1, activation: 'tanh', seed: 1 });
    expect(net.model.length).toBe(6);
    expect(net.model.at(0)).toBeInstanceOf(Linear);
    expect(net.model.at(-1)).toBeInstanceOf(Sigmoid);
    expect(net.model.namedParameters().map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
      '4.weight',
      '4.bias',
    ]);
    expect(net.forward(X).shape).toEqual([4, 1]);
    expect(() => new NeuralNetwork({ inputSize: 0, outputSize: 1 })).toThrow(/inputSize must be a positive integer/);
  });

  it('learns XOR from plain arrays and round-trips through JSON bit-identically', () => {
    const net = new NeuralNetwork({ inputSize: 2, hiddenSizes: [8], outputSize: 1, activation: 'tanh', seed: 3 });
    const h = net.train(X, [0, 1, 1, 0], { epochs: 1500, learningRate: 0.5, optimizer: 'sgd' });
    expect(h.loss.at(-1)!).toBeLessThan(0.01);
    const p = Array.from(net.predict(X).dataSync());
    expect(p.map(Math.round)).toEqual([0, 1, 1, 0]);
    const json = JSON.stringify(net.toJSON());
    const back = NeuralNetwork.fromJSON(json);
    expect(Array.from(back.predict(X).dataSync())).toEqual(p);
    expect(back.config).toEqual(net.config);
  });

  it('with cross-entropy, trains on logits and predicts probabilities', () => {
    const net = new NeuralNetwork({
      inputSize: 2,
      hiddenSizes: [16],
      outputSize: 2,
      activation: 'relu',
      outputActivation: 'softmax',
      loss: 'crossEntropy',
      seed: 2,
    });
    expect(net.model.at(-1)).toBeInstanceOf(Linear);
    net.train(X, [0, 1, 1, 0], { epochs: 300, learningRate: 0.05, optimizer: 'adam' });
    const probs = net.predict(X);
    const rows = probs.toArray() as number[][];
    for (const r of rows) expect(r[0]! + r[1]!).toBeCloseTo(1, 5);
    expect(accuracy(probs, { data: [0, 1, 1, 0], shape: [4] })).toBe(1);
  });

  it('is deterministic for a seed', () => {
    const a = new NeuralNetwork({ inputSize: 3, hiddenSizes: [4], outputSize: 2, seed: 7 });
    const b = new NeuralNetwork({ inputSize: 3, hiddenSizes: [4], outputSize: 2, seed: 7 });
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('fromJSON rejects files that are not, or no longer fit, a NeuralNetwork', () => {
    const net = new NeuralNetwork({ inputSize: 2, outputSize: 1 });
    const j = net.toJSON();
    expect(() => NeuralNetwork.fromJSON('{oops')).toThrow(ModelFormatError);
    expect(() => NeuralNetwork.fromJSON({ format: 'other' })).toThrow(/not a NeuralNetwork file/);
    expect(() => NeuralNetwork.fromJSON({ ...j, version: 2 })).toThrow(/unsupported version 2/);
    const broken = structuredClone(j);
    broken.weights['0.weight'] = { shape: [3, 3], data: new Array(9).fill(0) };
    expect(() => NeuralNetwork.fromJSON(broken)).toThrow(/do not fit the config.*shape mismatch for '0.weight'/s);
  });
});
