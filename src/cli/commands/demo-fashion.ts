/**
 * `cortex demo fashion-mnist [--model mlp|cnn] [--full] [--epochs N] [--out file]`: an MLP
 * (784 → 128 → 10) or a small 2-conv CNN on Fashion-MNIST, from Debian's
 * `dataset-fashion-mnist` package. By default a subset that trains in about a minute;
 * `--full` uses all 60,000 training and 10,000 test images.
 * @module
 */
import { Tensor } from '../../autograd/tensor.js';
import { loadFashionMnist } from '../../data/node/idx-file.js';
import { DataError } from '../../errors.js';
import { deserializeModel, serializeModel } from '../../io/model-file.js';
import { save } from '../../io/node/files.js';
import type { JsonObject } from '../../io/registry.js';
import { ReLU } from '../../nn/activation.js';
import { Sequential } from '../../nn/container.js';
import { Conv2d } from '../../nn/conv.js';
import { Dropout } from '../../nn/dropout.js';
import { Flatten, Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { MaxPool2d } from '../../nn/pool.js';
import { Adam } from '../../optim/adam.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import { fit, predict } from '../../train/fit.js';
import { UsageError } from '../errors.js';
import { ClassificationTally, confusionTable, metricsTable } from '../metrics.js';
import { TrainingProgress } from '../progress.js';
import { duration, type Output } from '../style.js';
import { buildMlp } from '../train-core.js';

/** The models `cortex demo fashion-mnist --model` trains. */
export const FASHION_MODELS = ['mlp', 'cnn'] as const;
/** A Fashion-MNIST demo model. */
export type FashionModel = (typeof FASHION_MODELS)[number];

/** Flags of the Fashion-MNIST demo. */
export interface FashionFlags {
  dataDir?: string;
  model?: string;
  full?: boolean;
  epochs?: string;
  out?: string;
}

/** The shape of one image, as the model file records it (`training.inputShape`). */
export const IMAGE_SHAPE = [1, 28, 28] as const;

/** Images and epochs per model: the default subset trains in about a minute on 2 cores. */
const PLAN: Record<FashionModel, { train: number; test: number; epochs: number; fullEpochs: number }> = {
  mlp: { train: 10_000, test: 2_000, epochs: 3, fullEpochs: 10 },
  cnn: { train: 8_000, test: 2_000, epochs: 2, fullEpochs: 10 },
};

/**
 * The demo CNN: Conv2d(1→32, 3, pad 1) → ReLU → MaxPool2d(2) → Conv2d(32→64, 3, pad 1) →
 * ReLU → MaxPool2d(2) → Flatten → Dropout(0.25) → Linear(3136→128) → ReLU → Linear(128→10).
 * Input `[N, 1, 28, 28]`.
 */
export function buildFashionCnn(generator: Generator): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3, { padding: 1, generator }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1, generator }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(0.25, { generator }),
    new Linear(64 * 7 * 7, 128, { generator }),
    new ReLU(),
    new Linear(128, 10, { generator }),
  );
}

/** Loads the first `train` and `test` images, with an install hint when the data is missing. */
async function loadFashion(dir: string | undefined, train: number, test: number) {
  try {
    const where = dir === undefined ? {} : { dir };
    return {
      train: await loadFashionMnist({ split: 'train', limit: train, ...where }),
      test: await loadFashionMnist({ split: 'test', limit: test, ...where }),
    };
  } catch (e) {
    if (e instanceof DataError) {
      const why = dir === undefined ? 'the dataset-fashion-mnist package is not installed' : `the IDX files are not in ${dir}`;
      throw new DataError(
        `${e.file ?? 'Fashion-MNIST'}: Fashion-MNIST is not available (${why}). Install it with \`sudo apt-get install dataset-fashion-mnist\` and run \`cortex demo fashion-mnist\` again, or pass --data-dir <folder with the IDX files>`,
        e.file === undefined ? {} : { file: e.file },
      );
    }
    throw e;
  }
}

/** Reads `--model` and `--epochs`. */
function parseFlags(flags: FashionFlags): { model: FashionModel; epochs: number; train: number; test: number } {
  const model = flags.model ?? 'mlp';
  if (!(FASHION_MODELS as readonly string[]).includes(model)) throw new UsageError(`--model must be one of ${FASHION_MODELS.join(', ')}, got "${model}"`);
  const plan = PLAN[model as FashionModel];
  const full = flags.full === true;
  let epochs = full ? plan.fullEpochs : plan.epochs;
  if (flags.epochs !== undefined) {
    epochs = Number(flags.epochs);
    if (!/^\s*\d+\s*$/.test(flags.epochs) || !Number.isSafeInteger(epochs) || epochs < 1) throw new UsageError(`--epochs must be a positive integer, got "${flags.epochs}"`);
  }
  return { model: model as FashionModel, epochs, train: full ? 60_000 : plan.train, test: full ? 10_000 : plan.test };
}

/** Records each epoch's training time (the batches, without the test pass) and logs. */
class EpochTimes {
  readonly epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number }[] = [];
  private started = 0;
  private trainMs = 0;
  onEpochBegin(): void {
    this.started = performance.now();
  }
  onBatchEnd(b: { batch: number; batches: number }): void {
    if (b.batch === b.batches) this.trainMs = performance.now() - this.started;
  }
  onEpochEnd(e: { epoch: number; logs: Record<string, number> }): void {
    const { loss = Number.NaN, accuracy = Number.NaN, valAccuracy = Number.NaN } = e.logs;
    this.epochs.push({ epoch: e.epoch, loss, trainAccuracy: accuracy, testAccuracy: valAccuracy, seconds: this.trainMs / 1000 });
  }
}

/** Checks that the model survives serialisation unchanged, on a few test images. */
function roundTrip(model: Module, bytes: Uint8Array, x: Tensor): string {
  const again = deserializeModel(bytes, 'demo').model;
  const a = predict(model, x).dataSync();
  const b = predict(again, x).dataSync();
  const same = a.length === b.length && a.every((v, i) => v === b[i]);
  return `model file: ${bytes.length.toLocaleString('en-US')} bytes; reloaded, outputs ${same ? 'bit-identical' : 'DIFFERENT'}`;
}

/** Runs `cortex demo fashion-mnist`. */
export async function fashionDemo(out: Output, flags: FashionFlags): Promise<void> {
  const { model: kind, epochs, train: nTrain, test: nTest } = parseFlags(flags);
  const { train, test } = await loadFashion(flags.dataDir, nTrain, nTest);
  const cnn = kind === 'cnn';
  const shape = cnn ? [...IMAGE_SHAPE] : [784];
  out.note(`${out.c.bold('data')}    Fashion-MNIST: ${train.n} training and ${test.n} test images of 28×28 pixels, 10 classes`);
  manualSeed(42);
  const model = cnn ? buildFashionCnn(new Generator(42)) : buildMlp(784, [128], 10, 'relu');
  const summary = model.summary([1, ...shape]);
  if (!out.json) {
    out.line(summary);
    out.line();
  }
  const xTest = new Tensor(test.x, [test.n, ...shape]);
  const yTest = new Tensor(test.y, [test.n]);
  const xTrain = new Tensor(train.x, [train.n, ...shape]);
  const times = new EpochTimes();
  const progress = new TrainingProgress(out, epochs, true);
  const started = performance.now();
  try {
    fit(model, { x: xTrain, y: new Tensor(train.y, [train.n]) }, {
      epochs,
      batchSize: 64,
      seed: 42,
      loss: 'crossEntropy',
      optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
      metrics: ['accuracy'],
      validationData: { x: xTest, y: yTest },
      callbacks: [times, progress],
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const tally = new ClassificationTally(10);
  tally.add(predict(model, xTest).dataSync(), test.y, test.n);
  const m = tally.result();
  // The MLP's training-set metrics are cheap; a full pass of the CNN over its training set is not.
  let trainMetrics: ReturnType<ClassificationTally['result']> | null = null;
  if (!cnn) {
    const trainTally = new ClassificationTally(10);
    trainTally.add(predict(model, xTrain).dataSync(), train.y, train.n);
    trainMetrics = trainTally.result();
  }
  const splits: [string, typeof m][] = trainMetrics === null ? [['test', m]] : [['train', trainMetrics], ['test', m]];
  const perEpoch = times.epochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, times.epochs.length);
  const arch = cnn ? '2-conv CNN (32 and 64 channels of 3×3, max pooling, dropout 0.25, 128 hidden)' : '784 → 128 → 10 (relu)';
  const training: JsonObject = {
    data: 'Fashion-MNIST',
    model: kind,
    inputShape: shape,
    trainImages: train.n,
    testImages: test.n,
    optimizer: 'adam',
    lr: 1e-3,
    batchSize: 64,
    epochs,
    seed: 42,
    seconds: Math.round(seconds * 10) / 10,
    secondsPerEpoch: Math.round(perEpoch * 10) / 10,
    classes: [...test.classNames],
  };
  const info = { training, metrics: { test: { accuracy: m.accuracy } } };
  const check = roundTrip(model, serializeModel(model, info), xTest.narrow(0, 0, Math.min(8, test.n)));
  if (flags.out !== undefined) await save(model, flags.out, info);
  if (out.json) {
    out.result({ command: 'demo', demo: 'fashion-mnist', model: kind, trainImages: train.n, testImages: test.n, epochs: times.epochs, secondsPerEpoch: perEpoch, metrics: Object.fromEntries(splits), roundTrip: check, saved: flags.out ?? null });
    return;
  }
  out.line(`${out.c.bold('model')}   ${arch}, ${model.numParameters().toLocaleString('en-US')} parameters; adam lr 0.001, batch 64, ${epochs} epoch${epochs === 1 ? '' : 's'}`);
  out.line();
  out.line('epoch   loss     test accuracy   training time');
  for (const e of times.epochs) {
    out.line(`${String(e.epoch).padStart(5)}   ${e.loss.toFixed(4)}   ${(100 * e.testAccuracy).toFixed(2).padStart(12)}%   ${duration(e.seconds * 1000).padStart(13)}`);
  }
  out.line(`time per epoch ${duration(perEpoch * 1000)} on ${train.n.toLocaleString('en-US')} images (total ${duration(seconds * 1000)} with the test passes)`);
  out.line();
  out.line(metricsTable(splits, out.c));
  out.line();
  out.line('confusion matrix (test):');
  out.line(confusionTable(m.confusion, [...test.classNames], out.c));
  out.line();
  out.line(check);
  if (flags.out !== undefined) out.line(`saved ${flags.out}; see its layers and output shapes with: cortex info ${flags.out}`);
  else out.line(`save the model with --out fashion-${kind}.cortex${cnn && nTrain < 60_000 ? '; train on all 60,000 images with --full' : ''}`);
}
