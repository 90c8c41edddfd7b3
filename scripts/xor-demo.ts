// Trains a 2-8-1 network on XOR with the core ops only and prints the loss falling.
// Run: npm run demo
import { manualSeed, noGrad, randn, tensor, zeros } from '../src/index.js';

manualSeed(42);
const x = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const y = tensor([[0], [1], [1], [0]]);
const w1 = randn([2, 8]).mul(0.7).detach();
const b1 = zeros([8]);
const w2 = randn([8, 1]).mul(0.35).detach();
const b2 = zeros([1]);
const params = [w1, b1, w2, b2];
for (const p of params) p.requiresGrad = true;

const lr = 0.5;
for (let epoch = 0; epoch <= 2000; epoch++) {
  const hidden = x.matmul(w1).add(b1).tanh();
  const out = hidden.matmul(w2).add(b2).sigmoid();
  const loss = out.sub(y).pow(2).mean();
  for (const p of params) p.grad = null;
  loss.backward();
  noGrad(() => {
    for (const p of params) {
      const g = p.grad!.data;
      for (let i = 0; i < p.data.length; i++) p.data[i]! -= lr * g[i]!;
    }
  });
  if (epoch % 200 === 0) console.log(`epoch ${String(epoch).padStart(4)}  mse ${loss.item().toFixed(6)}`);
}
const pred = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sigmoid();
console.log('predictions for [0,0] [0,1] [1,0] [1,1]:', [...pred.data].map((v) => v.toFixed(3)).join(' '));
