/**
 * The models the ONNX export is tested on: every layer singly and a few composed models.
 * Everything is seeded, so the exported bytes are the same on every run; the fixture
 * generator (scripts/onnx-export-fixtures.ts) writes them to test/fixtures/onnx-export/.
 */
import {
  BatchNorm1d,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Generator,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  type Module,
  noGrad,
  randint,
  randn,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
  Dropout,
  type Tensor,
  // pooling and normalisation
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Dropout2d,
  GroupNorm,
  MaxPool1d,
  MaxPool2d,
  Unflatten,
} from '../../src/index.js';
// convolution
import { Conv1d, Conv2d, ConvTranspose2d } from '../../src/index.js';

/** A test model and a way to make inputs of any batch size. */
export interface ExportCase {
  name: string;
  model: () => Module;
  /** An input of `batch` rows (deterministic for a given batch size). */
  input: (batch: number) => Tensor;
}

/** Normal inputs of shape [batch, ...rest], scaled by `scale`. */
function normal(rest: readonly number[], scale = 1, seed = 1): (batch: number) => Tensor {
  return (batch) => randn([batch, ...rest], { generator: new Generator(seed + batch) }).mul(scale);
}

/** Fills the parameters and buffers of `m` with seeded values (variances positive). */
function scramble<M extends Module>(m: M, seed: number): M {
  const g = new Generator(seed);
  for (const [name, t] of [...m.namedParameters(), ...m.namedBuffers()]) {
    if (t.dtype === 'int32') continue;
    const v = randn([...t.shape], { generator: g });
    const data = /runningVar$/.test(name) ? v.abs().add(0.5) : /\.weight$|^weight$/.test(name) && t.ndim === 1 ? v.mul(0.3).add(1) : v.mul(0.5);
    noGrad(() => t.copy_(data));
  }
  return m;
}

const single = (name: string, layer: () => Module, rest: readonly number[] = [6], scale = 2): ExportCase => ({
  name,
  model: () => scramble(layer(), 7),
  input: normal(rest, scale),
});

/** Every layer singly, then composed models. */
export const EXPORT_CASES: readonly ExportCase[] = [
  single('linear', () => new Linear(6, 4, { generator: new Generator(1) })),
  single('linear-no-bias', () => new Linear(6, 4, { bias: false, generator: new Generator(2) })),
  single('linear-3d', () => new Linear(6, 3, { generator: new Generator(3) }), [5, 6]),
  single('identity', () => new Identity()),
  single('dropout', () => new Dropout(0.5)),
  single('sigmoid', () => new Sigmoid(), [6], 4),
  single('tanh', () => new Tanh(), [6], 3),
  single('relu', () => new ReLU()),
  single('leaky-relu', () => new LeakyReLU(0.2)),
  single('elu', () => new ELU(0.7)),
  single('gelu', () => new GELU(), [6], 3),
  single('softplus', () => new Softplus(), [6], 5),
  single('softmax', () => new Softmax()),
  single('softmax-dim1-3d', () => new Softmax(1), [4, 5]),
  single('log-softmax', () => new LogSoftmax(), [6], 3),
  single('layer-norm', () => new LayerNorm(6)),
  single('layer-norm-2d-shape', () => new LayerNorm([4, 5]), [4, 5]),
  single('layer-norm-no-affine', () => new LayerNorm(6, { elementwiseAffine: false, eps: 1e-3 })),
  single('batch-norm', () => new BatchNorm1d(6)),
  single('batch-norm-3d', () => new BatchNorm1d(4), [4, 5]),
  single('batch-norm-no-affine', () => new BatchNorm1d(6, { affine: false, eps: 1e-3 })),
  single('batch-norm-batch-stats', () => new BatchNorm1d(6, { trackRunningStats: false })),
  single('flatten', () => new Flatten(), [3, 4]),
  single('flatten-range', () => new Flatten(1, 2), [3, 4, 2]),
  single('flatten-all', () => new Flatten(0), [3, 4]),
  {
    name: 'embedding',
    model: () => new Sequential(new Embedding(10, 4, { generator: new Generator(4) }), new Flatten(), new Linear(12, 2, { generator: new Generator(5) })),
    input: (batch) => randint(0, 10, [batch, 3], { generator: new Generator(batch) }),
  },
  {
    name: 'mlp',
    model: () =>
      scramble(
        new Sequential(
          new Linear(4, 16, { generator: new Generator(6) }),
          new ReLU(),
          new Linear(16, 16, { generator: new Generator(7) }),
          new GELU(),
          new Dropout(0.3),
          new LayerNorm(16),
          new Linear(16, 3, { generator: new Generator(8) }),
          new Softmax(),
        ),
        9,
      ),
    input: normal([4]),
  },
  {
    name: 'nested',
    model: () =>
      scramble(
        new Sequential(
          new Sequential(new Linear(5, 8, { generator: new Generator(10) }), new BatchNorm1d(8), new Tanh()),
          new Sequential(new Linear(8, 8, { generator: new Generator(11) }), new Sigmoid(), new Sequential(new Linear(8, 4), new LogSoftmax())),
        ),
        12,
      ),
    input: normal([5]),
  },
  {
    name: 'sequence',
    model: () =>
      scramble(new Sequential(new Linear(6, 8, { generator: new Generator(13) }), new ELU(), new LayerNorm(8), new Flatten(), new Linear(40, 2, { generator: new Generator(14) })), 15),
    input: normal([5, 6]),
  },
  // convolution
  single('conv2d', () => new Conv2d(3, 4, 3, { generator: new Generator(16) }), [3, 6, 5]),
  single('conv2d-stride-pad-dilation', () => new Conv2d(2, 4, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }), [2, 7, 6]),
  single('conv2d-same-even-kernel', () => new Conv2d(2, 3, [4, 2], { padding: 'same', bias: false }), [2, 6, 5]),
  single('conv2d-depthwise', () => new Conv2d(4, 8, 3, { groups: 4, padding: 1, stride: 2 }), [4, 7, 7]),
  single('conv1d', () => new Conv1d(3, 4, 3, { stride: 2, padding: 1, dilation: 2, groups: 1 }), [3, 9]),
  single('conv1d-same-groups', () => new Conv1d(4, 6, 4, { padding: 'same', groups: 2 }), [4, 8]),
  single('conv-transpose2d', () => new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), [3, 4, 5]),
  single('conv-transpose2d-groups-dilation', () => new ConvTranspose2d(4, 6, [2, 3], { groups: 2, dilation: [2, 1], stride: [1, 2], bias: false }), [4, 3, 3]),
  {
    name: 'cnn',
    model: () =>
      scramble(
        new Sequential(
          new Conv2d(1, 4, 3, { padding: 1, generator: new Generator(17) }),
          new ReLU(),
          new Conv2d(4, 4, 3, { stride: 2, padding: 1, generator: new Generator(18) }),
          new ReLU(),
          new ConvTranspose2d(4, 2, 2, { stride: 2, generator: new Generator(19) }),
          new Flatten(),
          new Linear(2 * 8 * 8, 3, { generator: new Generator(20) }),
          new LogSoftmax(),
        ),
        21,
      ),
    input: normal([1, 8, 8]),
  },
  // pooling and normalisation
  single('max-pool2d', () => new MaxPool2d(2), [3, 6, 6]),
  single('max-pool2d-pad-ceil', () => new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 7, 7]),
  single('max-pool2d-dilated', () => new MaxPool2d([2, 3], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] }), [2, 6, 7]),
  single('max-pool1d', () => new MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }), [3, 9]),
  single('avg-pool2d', () => new AvgPool2d(3, { stride: 2, padding: 1 }), [2, 7, 7]),
  single('avg-pool2d-exclude-pad', () => new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [2, 7, 7]),
  single('avg-pool2d-ceil', () => new AvgPool2d([2, 3], { stride: 2, padding: [1, 1], ceilMode: true, countIncludePad: false }), [2, 6, 7]),
  single('avg-pool2d-ceil-include-pad', () => new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 6, 6]),
  single('adaptive-avg-pool2d-global', () => new AdaptiveAvgPool2d(1), [3, 5, 4]),
  single('adaptive-avg-pool2d-even', () => new AdaptiveAvgPool2d([2, 3]), [2, 6, 6]),
  single('batch-norm2d', () => new BatchNorm2d(3), [3, 4, 5]),
  single('batch-norm2d-no-affine', () => new BatchNorm2d(3, { affine: false, eps: 1e-3 }), [3, 4, 5]),
  single('batch-norm2d-batch-stats', () => new BatchNorm2d(3, { trackRunningStats: false }), [3, 4, 5]),
  single('group-norm', () => new GroupNorm(2, 4), [4, 3, 3]),
  single('group-norm-3d-no-affine', () => new GroupNorm(3, 6, { affine: false, eps: 1e-3 }), [6, 5]),
  single('dropout2d', () => new Dropout2d(0.5), [2, 3, 3]),
  single('unflatten', () => new Unflatten(1, [2, -1]), [12]),
  {
    name: 'cnn-like',
    model: () =>
      scramble(
        new Sequential(
          new Unflatten(1, [1, 8, 8]),
          new BatchNorm2d(1),
          new MaxPool2d(2),
          new GroupNorm(1, 1),
          new AvgPool2d(2),
          new Dropout2d(0.2),
          new AdaptiveAvgPool2d(1),
          new Flatten(),
          new Linear(1, 2, { generator: new Generator(16) }),
        ),
        17,
      ),
    input: normal([64]),
  },
];
