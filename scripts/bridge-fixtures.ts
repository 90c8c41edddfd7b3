/**
 * Writes the PyTorch-bridge fixtures: small `.cortex` models covering every layer type the
 * bridge translates, with seeded weights and inputs. `scripts/torch_bridge.py selftest` then
 * adds PyTorch's outputs and weights written back from PyTorch (test/io/torch-bridge.test.ts).
 *
 *   node --import tsx scripts/bridge-fixtures.ts && /usr/bin/python3 scripts/torch_bridge.py selftest test/fixtures/bridge
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, randint, randn, type Tensor } from '../src/index.js';
import { save } from '../src/io/node/files.js';
import {
  BatchNorm1d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
  // pooling and normalisation
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Dropout2d,
  GroupNorm,
  MaxPool1d,
  MaxPool2d,
  Unflatten,
} from '../src/nn/index.js';

const dir = new URL('../test/fixtures/bridge/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });

async function write(name: string, model: Module, input: Tensor): Promise<void> {
  model.eval();
  await save(model, join(dir, `${name}.cortex`), {
    training: { note: 'bridge fixture', seed: 0 },
    metrics: { train: { loss: 0.25 } },
  });
  writeFileSync(join(dir, `${name}.inputs.json`), `${JSON.stringify(input.toArray())}\n`);
}

manualSeed(0);
await write(
  'mlp',
  new Sequential(
    new Linear(5, 16),
    new ReLU(),
    new Linear(16, 16),
    new Tanh(),
    new Dropout(0.3),
    new Linear(16, 8),
    new GELU(),
    new Linear(8, 8),
    new LeakyReLU(0.1),
    new Linear(8, 8),
    new ELU(0.5),
    new Linear(8, 8),
    new Softplus(),
    new Identity(),
    new Linear(8, 8),
    new Sigmoid(),
    new Linear(8, 3),
    new LogSoftmax(1),
  ),
  randn([7, 5]),
);

// BatchNorm with running statistics that are not the defaults: a few training-mode passes first.
const norms = new Sequential(new Linear(4, 12), new BatchNorm1d(12, { momentum: 0.3 }), new ReLU(), new LayerNorm(12), new Linear(12, 2), new Softmax(-1));
for (let i = 0; i < 3; i++) norms.forward(randn([16, 4]).mul(2).add(1));
await write('norms', norms, randn([6, 4]));

await write('embedding', new Sequential(new Embedding(10, 6), new Flatten(1, -1), new Linear(18, 3)), randint(0, 10, [5, 3]));

await write(
  'nested',
  new Sequential(new Sequential(new Linear(3, 6), new Tanh()), new Sequential(new Linear(6, 6, { bias: false }), new ReLU()), new Linear(6, 1)),
  randn([4, 3]),
);
// convolution: every conv layer and option the bridge maps (its own seed, so the models above do not change).
manualSeed(1);
await write(
  'vision-cnn',
  new Sequential(
    new Conv2d(2, 6, 3, { padding: 'same' }),
    new ReLU(),
    new Conv2d(6, 6, [3, 2], { stride: 2, padding: [1, 0], groups: 3, dilation: [1, 2] }),
    new ConvTranspose2d(6, 4, 2, { stride: 2, outputPadding: [0, 1], bias: false }),
    new Flatten(2, 3),
    new Conv1d(4, 3, 4, { padding: 'same', groups: 1 }),
    new Flatten(),
    new Linear(3 * 8 * 7, 2),
  ),
  randn([3, 2, 8, 8]),
);
// pooling and normalisation: an image model fed flat rows, BatchNorm2d trained a few steps (its own seed too).
manualSeed(2);
const cnn = new Sequential(
  new Unflatten(1, [2, 6, 6]),
  new BatchNorm2d(2, { momentum: null }),
  new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
  new GroupNorm(1, 2),
  new AvgPool2d(2, { stride: 1, countIncludePad: false }),
  new Dropout2d(0.3),
  new AdaptiveAvgPool2d([2, 2]),
  new Flatten(2),
  new MaxPool1d(2, { stride: 1 }),
  new Flatten(),
  new Linear(6, 3),
);
for (let i = 0; i < 3; i++) cnn.forward(randn([8, 72]).mul(2).add(1));
await write('cnn', cnn, randn([4, 72]));
console.log(`wrote the bridge fixtures to ${dir}`);
