/**
 * The seed document's network, done correctly: two sigmoid layers (input → hidden →
 * output), mean squared error, and full-batch gradient descent.
 *
 * Run: npx tsx examples/seed.ts
 *
 * The seed's numpy code has two bugs; this example fixes both.
 *
 * 1. In `backward`, `np.dot(output_error, self.output * (1 - self.output))` is a matrix
 *    product where an elementwise (Hadamard) product belongs. The output delta is
 *        δ_out = (ŷ − y) ⊙ ŷ ⊙ (1 − ŷ)                     (N × out, elementwise)
 *    and then
 *        δ_hid = (δ_out · W₂ᵀ) ⊙ h ⊙ (1 − h)
 *        ∂L/∂W₂ = hᵀ · δ_out,   ∂L/∂b₂ = Σ_rows δ_out
 *        ∂L/∂W₁ = xᵀ · δ_hid,   ∂L/∂b₁ = Σ_rows δ_hid
 *    for L = ½ Σ (ŷ − y)²; for the mean over N·out elements multiply by 2/(N·out).
 *    (The seed writes `output − self.output`, i.e. y − ŷ, and *adds* the update; that
 *    sign convention is fine. The `np.dot` is not: it fails, or silently mixes samples.)
 *
 * 2. Its cross-entropy formula, `L = −Σ y log ŷ + (1 − y) log(1 − ŷ)`, puts the minus on
 *    the first term only, so the second term is rewarded instead of penalised. Correct:
 *        L = −(1/n) Σ [ y log ŷ + (1 − y) log(1 − ŷ) ]
 *    (that is `binaryCrossEntropy` here; on raw scores use `binaryCrossEntropyWithLogits`).
 *
 * Below, `NeuralNetwork` builds the same network from `Linear` and `Sigmoid` modules, and
 * autograd computes the gradients. To show that fix 1 is right, the example also computes
 * the gradients by hand with the corrected formulas and compares them with autograd's.
 */
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/autograd/tensor.js';
import type { Linear } from '../src/nn/index.js';
import { mseLoss } from '../src/nn/index.js';
import { Generator } from '../src/tensor/random.js';
import { NeuralNetwork } from '../src/train/index.js';

/** What the example reports. */
export interface SeedResult {
  initialLoss: number;
  finalLoss: number;
  testLoss: number;
  /** Largest difference between hand-derived (corrected) and autograd gradients. */
  maxGradDiff: number;
}

/** Random inputs in [0, 1) and a smooth target in (0, 1), like the seed's toy data. */
function makeData(n: number, inputSize: number, g: Generator): { x: Tensor; y: Tensor } {
  const x = new Float32Array(n * inputSize);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inputSize; j++) x[i * inputSize + j] = g.nextFloat();
    y[i] = 0.2 + 0.6 * x[i * inputSize]! * x[i * inputSize + 1]! + 0.2 * x[i * inputSize + 2]!;
  }
  return { x: new Tensor(x, [n, inputSize]), y: new Tensor(y, [n, 1]) };
}

/** Gradients of the mean squared error by the corrected formulas of fix 1, in float64. */
function handGradients(net: NeuralNetwork, x: Tensor, y: Tensor): number[][] {
  const l1 = net.model.at(0) as Linear;
  const l2 = net.model.at(2) as Linear;
  const [n, inF] = x.shape as [number, number];
  const hid = l1.outFeatures;
  const out = l2.outFeatures;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const h = new Float64Array(n * hid);
  const yh = new Float64Array(n * out);
  // Read each tensor once; dataSync() gives its values in row-major order.
  const xs = x.dataSync();
  const ys = y.dataSync();
  const w1 = l1.weight.dataSync();
  const b1 = l1.bias!.dataSync();
  const w2 = l2.weight.dataSync();
  const b2 = l2.bias!.dataSync();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < hid; k++) {
      let s = b1[k]!;
      for (let j = 0; j < inF; j++) s += xs[i * inF + j]! * w1[k * inF + j]!;
      h[i * hid + k] = sig(s);
    }
    for (let o = 0; o < out; o++) {
      let s = b2[o]!;
      for (let k = 0; k < hid; k++) s += h[i * hid + k]! * w2[o * hid + k]!;
      yh[i * out + o] = sig(s);
    }
  }
  const scale = 2 / (n * out);
  const dOut = yh.map((v, idx) => scale * (v - ys[idx]!) * v * (1 - v)); // elementwise, not np.dot
  const gW2 = new Array<number>(out * hid).fill(0);
  const gB2 = new Array<number>(out).fill(0);
  const gW1 = new Array<number>(hid * inF).fill(0);
  const gB1 = new Array<number>(hid).fill(0);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < out; o++) {
      const d = dOut[i * out + o]!;
      gB2[o]! += d;
      for (let k = 0; k < hid; k++) gW2[o * hid + k]! += d * h[i * hid + k]!;
    }
    for (let k = 0; k < hid; k++) {
      let back = 0;
      for (let o = 0; o < out; o++) back += dOut[i * out + o]! * w2[o * hid + k]!;
      const hk = h[i * hid + k]!;
      const dh = back * hk * (1 - hk);
      gB1[k]! += dh;
      for (let j = 0; j < inF; j++) gW1[k * inF + j]! += dh * xs[i * inF + j]!;
    }
  }
  return [gW1, gB1, gW2, gB2];
}

/** Trains the seed's network and checks the corrected backward formulas against autograd. */
export function run(options: { epochs?: number; log?: (s: string) => void } = {}): SeedResult {
  const log = options.log ?? (() => {});
  const g = new Generator(42);
  const inputSize = 3;
  const train = makeData(100, inputSize, g);
  const test = makeData(10, inputSize, g);
  const net = new NeuralNetwork({
    inputSize,
    hiddenSizes: [4],
    outputSize: 1,
    activation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    seed: 0,
  });

  // Fix 1, checked: hand-derived gradients (elementwise deltas) equal autograd's.
  net.model.zeroGrad();
  mseLoss(net.forward(train.x), train.y).backward();
  const hand = handGradients(net, train.x, train.y);
  let maxGradDiff = 0;
  net.model.parameters().forEach((p, i) => {
    const auto = p.grad!.dataSync();
    hand[i]!.forEach((v, j) => {
      maxGradDiff = Math.max(maxGradDiff, Math.abs(v - auto[j]!));
    });
  });
  log(`max |hand-derived − autograd| gradient difference: ${maxGradDiff.toExponential(2)}`);

  const initialLoss = mseLoss(net.predict(train.x), train.y).item();
  const history = net.train(train.x, train.y, {
    epochs: options.epochs ?? 3000,
    learningRate: 2,
    optimizer: 'sgd',
  });
  const finalLoss = history.loss.at(-1)!;
  const testLoss = mseLoss(net.predict(test.x), test.y).item();
  log(`training MSE: ${initialLoss.toFixed(5)} -> ${finalLoss.toFixed(5)}; test MSE: ${testLoss.toFixed(5)}`);
  return { initialLoss, finalLoss, testLoss, maxGradDiff };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run({ log: console.log });
