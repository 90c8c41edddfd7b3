/**
 * Times one private (DP-SGD) epoch against one ordinary epoch of the same model, data and
 * (expected) batch size, with `fit` in both cases: an MLP, the CNN of
 * examples/fashion-cnn.ts (no BatchNorm in it) and the DP CNN of examples/fashion-dp.ts.
 * Private and ordinary epochs alternate, and the best of the rounds is kept, so a
 * machine shared with other work disturbs the ratio as little as it can; the median of
 * the rounds' own ratios (each round's two epochs run back to back, under much the same
 * load) is printed too, as it is steadier than the ratio of two bests on a loaded machine.
 *
 * Run: npx tsx scripts/dp-epoch-timing.ts [--samples 4096] [--rounds 2] [--models mlp,cnn,dpcnn]
 */
import { parseArgs } from 'node:util';
import { buildCnn } from '../examples/fashion-cnn.js';
import { buildDpCnn } from '../examples/fashion-dp.js';
import { Adam, fit, Generator, Linear, makePrivate, type Module, type Optimizer, ReLU, SGD, Sequential, Tensor } from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';

const { values } = parseArgs({ options: { samples: { type: 'string' }, rounds: { type: 'string' }, models: { type: 'string' } } });
const chosen = (values.models ?? 'mlp,cnn,dpcnn').split(',');
const samples = Number(values.samples ?? 4096);
const rounds = Number(values.rounds ?? 2);

const train = await loadFashionMnist({ split: 'train', limit: samples });
const images = new Tensor(train.x, [train.n, 1, 28, 28]);
const flat = new Tensor(train.x, [train.n, 784]);
const y = new Tensor(train.y, [train.n]);

interface Case {
  key: string;
  name: string;
  build: () => Module;
  x: Tensor;
  batchSize: number;
  optimizer: (m: Module) => Optimizer;
}

const cases: Case[] = [
  {
    key: 'mlp',
    name: 'MLP 784-256-128-10 (ReLU), Adam',
    build: () => {
      const g = new Generator(1);
      return new Sequential(new Linear(784, 256, { generator: g }), new ReLU(), new Linear(256, 128, { generator: g }), new ReLU(), new Linear(128, 10, { generator: g }));
    },
    x: flat,
    batchSize: 64,
    optimizer: (m) => new Adam(m.parameters(), { lr: 1e-3 }),
  },
  { key: 'cnn', name: 'CNN of examples/fashion-cnn.ts, Adam', build: () => buildCnn(new Generator(1)), x: images, batchSize: 64, optimizer: (m) => new Adam(m.parameters(), { lr: 1e-3 }) },
  {
    key: 'dpcnn',
    name: 'DP CNN of examples/fashion-dp.ts (tanh), SGD',
    build: () => buildDpCnn(new Generator(1)),
    x: images,
    batchSize: 256,
    optimizer: (m) => new SGD(m.parameters(), { lr: 0.5, momentum: 0.9 }),
  },
];

function seconds(f: () => void): number {
  const s = performance.now();
  f();
  return (performance.now() - s) / 1000;
}

console.log(`one epoch of ${train.n} Fashion-MNIST images; best of ${rounds} rounds; private: Poisson sampling, crypto noise, σ = 1, C = 1`);
console.log('| model | batch | ordinary epoch (s) | private epoch (s) | private / ordinary | median of the rounds\' ratios |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const c of cases.filter((k) => chosen.includes(k.key))) {
  let plain = Number.POSITIVE_INFINITY;
  let priv = Number.POSITIVE_INFINITY;
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const m1 = c.build();
    const a = seconds(() => fit(m1, { x: c.x, y }, { epochs: 1, batchSize: c.batchSize, loss: 'crossEntropy', optimizer: c.optimizer(m1) }));
    const m2 = c.build();
    const p = makePrivate({ model: m2, optimizer: c.optimizer(m2), data: { x: c.x, y }, batchSize: c.batchSize, noiseMultiplier: 1, maxGradNorm: 1 });
    const b = seconds(() => fit(p.model, p.dataLoader, { epochs: 1, loss: 'crossEntropy', optimizer: p.optimizer }));
    p.detach();
    plain = Math.min(plain, a);
    priv = Math.min(priv, b);
    ratios.push(b / a);
  }
  ratios.sort((u, v) => u - v);
  const mid = ratios.length % 2 === 1 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
  console.log(`| ${c.name} | ${c.batchSize} | ${plain.toFixed(2)} | ${priv.toFixed(2)} | ${(priv / plain).toFixed(2)}× | ${mid.toFixed(2)}× |`);
}
