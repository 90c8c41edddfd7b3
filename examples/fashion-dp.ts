/**
 * Fashion-MNIST with differential privacy (DP-SGD), the end-to-end CNN of Tramèr & Boneh
 * (2021, "Differentially Private Learning Needs Better Features"), tanh activations:
 *
 *   Conv2d(1→16, 8×8, stride 2, pad 3) → Tanh → MaxPool2d(2, stride 1)   [N, 16, 13, 13]
 *   Conv2d(16→32, 4×4, stride 2)       → Tanh → MaxPool2d(2, stride 1)   [N, 32, 4, 4]
 *   Flatten → Linear(512→32) → Tanh → Linear(32→10)
 *
 * SGD with momentum 0.9 and lr 4, expected batch 2048 (Poisson sampling), every
 * per-sample gradient clipped to 0.1, and the noise σ calibrated so that the planned
 * epochs spend ε = 3 at δ = 1e-5. Inputs are standardised with the training set's mean
 * and standard deviation. It prints the ε spent, the test accuracy and the time of every
 * epoch. Needs Debian's `dataset-fashion-mnist` package (or `--data-dir`).
 *
 * Run: npx tsx examples/fashion-dp.ts                    (10,000 / 2,000 images, 2 epochs)
 *      npx tsx examples/fashion-dp.ts --full --epochs 40  (60,000 / 10,000 images: the result in BENCHMARKS.md)
 *      add --threads 1 to keep the kernels on one thread
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  ArgumentError,
  Conv2d,
  evaluate,
  fit,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  makePrivateWithEpsilon,
  SGD,
  Sequential,
  setNumThreads,
  Tanh,
  Tensor,
} from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';

/** Options of {@link run}. */
export interface FashionDpOptions {
  /** Passes over the training images; σ is calibrated for exactly these (default 2). */
  epochs?: number;
  /** Training images (default 10,000; 60,000 is all). */
  train?: number;
  /** Test images (default 2,000; 10,000 is all). */
  test?: number;
  /** The privacy budget ε (default 3) at δ (default 1e-5). */
  epsilon?: number;
  delta?: number;
  /** Expected batch size (default 2048), learning rate (default 4), clipping norm (default 0.1). */
  batchSize?: number;
  lr?: number;
  maxGradNorm?: number;
  /** Folder of the IDX files (default: Debian's package). */
  dataDir?: string;
  /** Seed of the weights (default 42). The noise and the sampling come from crypto.getRandomValues. */
  seed?: number;
  /** Kernel threads (default: the cores). */
  threads?: number;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** One epoch's figures. */
export interface DpEpochRecord {
  epoch: number;
  loss: number;
  testAccuracy: number;
  /** ε spent so far at δ. */
  epsilon: number;
  /** Seconds of training (not the test pass). */
  trainSeconds: number;
}

/** What the example reports. */
export interface FashionDpResult {
  epochs: DpEpochRecord[];
  testAccuracy: number;
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  secure: boolean;
}

/** The CNN, weights drawn from `generator`. */
export function buildDpCnn(generator: Generator): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 8, { stride: 2, padding: 3, generator }),
    new Tanh(),
    new MaxPool2d(2, { stride: 1 }),
    new Conv2d(16, 32, 4, { stride: 2, generator }),
    new Tanh(),
    new MaxPool2d(2, { stride: 1 }),
    new Flatten(),
    new Linear(32 * 4 * 4, 32, { generator }),
    new Tanh(),
    new Linear(32, 10, { generator }),
  );
}

/** Standardises `x` in place with the mean and standard deviation of `ref`. */
function standardise(ref: Float32Array, ...xs: Float32Array[]): void {
  let s = 0;
  let s2 = 0;
  for (const v of ref) {
    s += v;
    s2 += v * v;
  }
  const mu = s / ref.length;
  const sd = Math.sqrt(s2 / ref.length - mu * mu);
  for (const x of xs) for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mu) / sd;
}

function checkCount(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new ArgumentError(`fashion-dp: ${name} must be an integer from 1 to ${max}, got ${v}`);
}

/** Trains the private CNN and reports every epoch. */
export async function run(options: FashionDpOptions = {}): Promise<FashionDpResult> {
  if (options.threads !== undefined) await setNumThreads(options.threads);
  const log = options.log ?? (() => {});
  const epochs = options.epochs ?? 2;
  const nTrain = options.train ?? 10_000;
  const nTest = options.test ?? 2_000;
  const epsilon = options.epsilon ?? 3;
  const delta = options.delta ?? 1e-5;
  const batchSize = options.batchSize ?? 2048;
  const lr = options.lr ?? 4;
  const maxGradNorm = options.maxGradNorm ?? 0.1;
  checkCount('epochs', epochs, 1000);
  checkCount('train', nTrain, 60_000);
  checkCount('test', nTest, 10_000);
  const dir = options.dataDir === undefined ? {} : { dir: options.dataDir };
  const train = await loadFashionMnist({ split: 'train', limit: nTrain, ...dir });
  const test = await loadFashionMnist({ split: 'test', limit: nTest, ...dir });
  const xTrain = Float32Array.from(train.x);
  const xTestData = Float32Array.from(test.x);
  standardise(xTrain, xTrain, xTestData);
  const x = new Tensor(xTrain, [train.n, 1, 28, 28]);
  const y = new Tensor(train.y, [train.n]);
  const xTest = new Tensor(xTestData, [test.n, 1, 28, 28]);
  const yTest = new Tensor(test.y, [test.n]);

  const model = buildDpCnn(new Generator(options.seed ?? 42));
  const priv = makePrivateWithEpsilon({
    model,
    optimizer: new SGD(model.parameters(), { lr, momentum: 0.9 }),
    data: { x, y },
    batchSize: Math.min(batchSize, train.n),
    targetEpsilon: epsilon,
    targetDelta: delta,
    epochs,
    maxGradNorm,
  });
  log(model.summary([1, 1, 28, 28]));
  log(
    `data: ${train.n} training and ${test.n} test images; DP-SGD momentum 0.9, lr ${lr}, expected batch ${batchSize} ` +
      `(q = ${priv.sampleRate.toPrecision(4)}), C = ${maxGradNorm}, σ = ${priv.noiseMultiplier.toFixed(4)} for ε = ${epsilon}, δ = ${delta} ` +
      `over ${epochs} epochs; noise from ${priv.optimizer.secure ? 'crypto.getRandomValues' : 'a seeded generator (NOT private)'}`,
  );

  const records: DpEpochRecord[] = [];
  let started = 0;
  fit(priv.model, priv.dataLoader, {
    epochs,
    loss: 'crossEntropy',
    optimizer: priv.optimizer,
    callbacks: [
      {
        onEpochBegin: () => {
          started = performance.now();
        },
        onEpochEnd: (e) => {
          const trainSeconds = (performance.now() - started) / 1000;
          const acc = evaluate(model, { x: xTest, y: yTest }, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 1000 }).metrics.accuracy ?? Number.NaN;
          const r: DpEpochRecord = { epoch: e.epoch, loss: e.logs.loss ?? Number.NaN, testAccuracy: acc, epsilon: priv.getEpsilon(delta), trainSeconds };
          records.push(r);
          log(
            `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  test acc ${(100 * acc).toFixed(2)}%  ε ${r.epsilon.toFixed(3)}  ` +
              `${trainSeconds.toFixed(1)} s training`,
          );
        },
      },
    ],
  });
  priv.detach();
  const last = records[records.length - 1];
  const result: FashionDpResult = {
    epochs: records,
    testAccuracy: last?.testAccuracy ?? Number.NaN,
    epsilon: priv.getEpsilon(delta),
    delta,
    noiseMultiplier: priv.noiseMultiplier,
    secure: priv.secure,
  };
  log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)}% on ${test.n} images at ε = ${result.epsilon.toFixed(3)}, δ = ${delta}`);
  return result;
}

/** Reads the command line: --epochs, --train, --test, --full, --epsilon, --delta, --batch, --lr, --clip, --data-dir, --threads (kernel threads; default: the cores). */
function fromArgv(argv: readonly string[]): FashionDpOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      epochs: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      full: { type: 'boolean' },
      epsilon: { type: 'string' },
      delta: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      clip: { type: 'string' },
      'data-dir': { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const opts: FashionDpOptions = { log: console.log };
  if (values.full) Object.assign(opts, { train: 60_000, test: 10_000, epochs: 40 });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const set = <K extends keyof FashionDpOptions>(k: K, v: FashionDpOptions[K] | undefined): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('epochs', num(values.epochs));
  set('train', num(values.train));
  set('test', num(values.test));
  set('epsilon', num(values.epsilon));
  set('delta', num(values.delta));
  set('batchSize', num(values.batch));
  set('lr', num(values.lr));
  set('maxGradNorm', num(values.clip));
  set('dataDir', values['data-dir']);
  set('threads', num(values.threads));
  return opts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run(fromArgv(process.argv.slice(2)));
