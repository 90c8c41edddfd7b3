/**
 * A small 2-conv CNN on Fashion-MNIST (28×28 grey images of clothes, 10 classes):
 *
 *   Conv2d(1→32, 3×3, pad 1) → ReLU → MaxPool2d(2)      [N, 32, 14, 14]
 *   Conv2d(32→64, 3×3, pad 1) → ReLU → MaxPool2d(2)     [N, 64, 7, 7]
 *   Flatten → Dropout(0.25) → Linear(3136→128) → ReLU → Linear(128→10)
 *
 * Adam (lr 1e-3), batch 64, cross-entropy on logits. It prints the model summary with each
 * layer's output shape, then the loss, the test accuracy and the time of every epoch, and
 * saves the model as `fashion-cnn.cortex` with `training.inputShape: [1, 28, 28]`, so that
 * `cortex info fashion-cnn.cortex` shows the output shapes too.
 *
 * Needs Debian's `dataset-fashion-mnist` package (or `--data-dir` with the four IDX files).
 *
 * Run: npx tsx examples/fashion-cnn.ts                   (10,000 / 2,000 images, 2 epochs)
 *      npx tsx examples/fashion-cnn.ts --full --epochs 10 (60,000 / 10,000 images)
 *      npx tsx examples/fashion-cnn.ts --train 2000 --test 500 --epochs 1 --out /tmp/m.cortex
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  ArgumentError,
  Conv2d,
  Dropout,
  evaluate,
  fit,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Tensor,
} from '../src/index.js';
import { loadFashionMnist, save } from '../src/node.js';

/** Options of {@link run}. */
export interface FashionCnnOptions {
  /** Passes over the training images (default 2). */
  epochs?: number;
  /** Training images to use, from the start of the set (default 10,000; 60,000 is all). */
  train?: number;
  /** Test images to report accuracy on (default 2,000; 10,000 is all). */
  test?: number;
  /** Where to save the model; null saves nothing (default `fashion-cnn.cortex`). */
  out?: string | null;
  /** Folder of the IDX files (default: Debian's package). */
  dataDir?: string;
  /** Seed of the weights, the dropout masks and the shuffling (default 42). */
  seed?: number;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** One epoch's figures. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Seconds spent on the training batches of this epoch (not the test pass). */
  trainSeconds: number;
}

/** What the example reports. */
export interface FashionCnnResult {
  epochs: EpochRecord[];
  /** Test accuracy after the last epoch. */
  testAccuracy: number;
  trainImages: number;
  testImages: number;
  parameters: number;
  /** The model summary with per-layer output shapes. */
  summary: string;
  /** Where the model was saved, or null. */
  path: string | null;
}

/** The input shape of one example, as the model file records it. */
export const INPUT_SHAPE = [1, 28, 28] as const;

/** Builds the CNN, its weights drawn from `generator`. */
export function buildCnn(generator: Generator): Sequential {
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

function checkCount(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new ArgumentError(`fashion-cnn: ${name} must be an integer from 1 to ${max}, got ${v}`);
}

/** Trains the CNN, reports every epoch, and saves the model. */
export async function run(options: FashionCnnOptions = {}): Promise<FashionCnnResult> {
  const log = options.log ?? (() => {});
  const epochs = options.epochs ?? 2;
  const nTrain = options.train ?? 10_000;
  const nTest = options.test ?? 2_000;
  const seed = options.seed ?? 42;
  checkCount('epochs', epochs, 1000);
  checkCount('train', nTrain, 60_000);
  checkCount('test', nTest, 10_000);
  const dir = options.dataDir === undefined ? {} : { dir: options.dataDir };
  const train = await loadFashionMnist({ split: 'train', limit: nTrain, ...dir });
  const test = await loadFashionMnist({ split: 'test', limit: nTest, ...dir });
  const x = new Tensor(train.x, [train.n, ...INPUT_SHAPE]);
  const y = new Tensor(train.y, [train.n]);
  const xTest = new Tensor(test.x, [test.n, ...INPUT_SHAPE]);
  const yTest = new Tensor(test.y, [test.n]);

  const model = buildCnn(new Generator(seed));
  const summary = model.summary([1, ...INPUT_SHAPE]);
  log(summary);
  log(`data: ${train.n} training and ${test.n} test images; adam lr 0.001, batch 64, ${epochs} epochs`);

  const records: EpochRecord[] = [];
  let started = 0;
  let trainMs = 0;
  fit(
    model,
    { x, y },
    {
      epochs,
      batchSize: 64,
      seed,
      loss: 'crossEntropy',
      optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
      metrics: ['accuracy'],
      validationData: { x: xTest, y: yTest },
      callbacks: [
        {
          onEpochBegin: () => {
            started = performance.now();
          },
          onBatchEnd: (b) => {
            if (b.batch === b.batches) trainMs = performance.now() - started;
          },
          onEpochEnd: (e) => {
            const r: EpochRecord = {
              epoch: e.epoch,
              loss: e.logs.loss ?? Number.NaN,
              trainAccuracy: e.logs.accuracy ?? Number.NaN,
              testAccuracy: e.logs.valAccuracy ?? Number.NaN,
              trainSeconds: trainMs / 1000,
            };
            records.push(r);
            log(
              `epoch ${r.epoch}/${e.epochs}  loss ${r.loss.toFixed(4)}  train acc ${(100 * r.trainAccuracy).toFixed(2)}%  ` +
                `test acc ${(100 * r.testAccuracy).toFixed(2)}%  ${r.trainSeconds.toFixed(1)} s training, ${((performance.now() - started) / 1000).toFixed(1)} s with the test pass`,
            );
          },
        },
      ],
    },
  );
  const testAccuracy = evaluate(model, { x: xTest, y: yTest }, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 256 }).metrics.accuracy ?? Number.NaN;
  const path = options.out === undefined ? 'fashion-cnn.cortex' : options.out;
  if (path !== null) {
    await save(model, path, {
      training: {
        data: 'Fashion-MNIST',
        inputShape: [...INPUT_SHAPE],
        trainImages: train.n,
        testImages: test.n,
        optimizer: 'adam',
        lr: 1e-3,
        batchSize: 64,
        epochs,
        seed,
        classes: [...train.classNames],
      },
      metrics: { test: { accuracy: testAccuracy } },
    });
    log(`saved ${path}; inspect it with: cortex info ${path}`);
  }
  log(`test accuracy ${(100 * testAccuracy).toFixed(2)}% on ${test.n} images`);
  return { epochs: records, testAccuracy, trainImages: train.n, testImages: test.n, parameters: model.numParameters(), summary, path };
}

/** Reads the command line: --epochs, --train, --test, --full, --out, --data-dir. */
function fromArgv(argv: readonly string[]): FashionCnnOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      epochs: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      full: { type: 'boolean' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const opts: FashionCnnOptions = { log: console.log };
  if (values.full) Object.assign(opts, { train: 60_000, test: 10_000 });
  if (values.epochs !== undefined) opts.epochs = Number(values.epochs);
  if (values.train !== undefined) opts.train = Number(values.train);
  if (values.test !== undefined) opts.test = Number(values.test);
  if (values.out !== undefined) opts.out = values.out;
  if (values['data-dir'] !== undefined) opts.dataDir = values['data-dir'];
  return opts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run(fromArgv(process.argv.slice(2)));
