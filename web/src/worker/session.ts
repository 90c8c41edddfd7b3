/**
 * One training run inside the worker: the model, the optimizer, the data as tensors and
 * the seeded generators. All the maths is the library's: `Sequential`, `Linear`, the
 * activation modules, the losses, the optimizers and the metrics.
 * @module
 */
import {
  Adagrad,
  Adam,
  AdamW,
  abs,
  accuracy,
  activationModule,
  add,
  copy_,
  crossEntropy,
  Dropout,
  Generator,
  Linear,
  type Module,
  ModelFormatError,
  makeTable,
  mseLoss,
  mul,
  noGrad,
  type Optimizer,
  RMSprop,
  r2Score,
  SGD,
  Sequential,
  softmax,
  sum,
  TablePipeline,
  type TablePipelineJSON,
  Tensor,
  TrainingDivergedError,
  takeRows,
} from 'cortex-nn';
import { type EpochRecord, type LayerWeights, NEURON_GRID, OUTPUT_GRID } from '../protocol.js';
import type { PlaygroundState } from '../state.js';
import { inputWidth, withFeatures } from './features.js';
import type { SplitOutputs } from './metrics.js';
import { gridInputs, type PlaygroundData, type Preprocessing, type TargetScaling } from './dataset.js';

/** The network the page trains: `Linear` and activation (and dropout) layers in a `Sequential`. */
export interface Network {
  model: Sequential;
  /** Indices into `model` after which a hidden layer's activations are read. */
  taps: number[];
  /** The `Linear` layers in order. */
  linears: Linear[];
}

/** Builds the network for a state, with its weights drawn from `seed`. */
export function buildNetwork(s: PlaygroundState, inputs: number, outputs: number, seed: number): Network {
  const init = new Generator(seed);
  const dropGen = new Generator(seed + 2);
  const model = new Sequential();
  const taps: number[] = [];
  const linears: Linear[] = [];
  let width = inputs;
  for (const h of s.layers) {
    const fc = new Linear(width, h, { generator: init });
    linears.push(fc);
    model.append(fc);
    model.append(activationModule(s.activation));
    taps.push(model.length - 1);
    if (s.regulariser === 'dropout' && s.regRate > 0) model.append(new Dropout(Math.min(s.regRate, 0.9), { generator: dropGen }));
    width = h;
  }
  const head = new Linear(width, outputs, { generator: init });
  linears.push(head);
  model.append(head);
  return { model, taps, linears };
}

function makeOptimizer(s: PlaygroundState, model: Module): Optimizer {
  const params = model.parameters();
  const weightDecay = s.regulariser === 'l2' ? s.regRate : 0;
  const lr = s.lr;
  switch (s.optimizer) {
    case 'sgd':
      return new SGD(params, { lr, weightDecay });
    case 'momentum':
      return new SGD(params, { lr, momentum: 0.9, weightDecay });
    case 'rmsprop':
      return new RMSprop(params, { lr, weightDecay });
    case 'adagrad':
      return new Adagrad(params, { lr, weightDecay });
    case 'adamw':
      return new AdamW(params, { lr, weightDecay });
    default:
      return new Adam(params, { lr, weightDecay });
  }
}

/** A training run: call {@link Session.step} for one batch. */
export class Session {
  readonly net: Network;
  readonly optimizer: Optimizer;
  readonly classes: number;
  /** Model inputs per row: the two inputs and the extra features. */
  readonly width: number;
  epoch = 0;
  step = 0;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private readonly shuffle: Generator;
  private readonly trainX: Tensor;
  private readonly trainT: Tensor;
  private readonly testX: Tensor;
  private readonly testT: Tensor;
  private readonly neuronGrid: Tensor;
  private readonly outputGrid: Tensor;

  /** The model's inputs for the training and test rows (after the preprocessing). */
  private readonly trainIn: Float32Array;
  /** Raw `[x1, x2]` pairs to model inputs: the preprocessing, then the extra features. */
  private readonly toModel: (raw: Float32Array) => Float32Array;
  private readonly targetScaling: TargetScaling | null;

  /**
   * `preprocessing` defaults to the data's own; an imported model brings its own (for
   * example the standard scaler `cortex train` fitted).
   */
  constructor(
    readonly state: PlaygroundState,
    readonly data: PlaygroundData,
    net?: Network,
    readonly preprocessing: Preprocessing = data.preprocessing,
  ) {
    this.classes = data.task === 'classification' ? data.classNames.length : 0;
    this.width = inputWidth(state.features);
    this.net = net ?? buildNetwork(state, this.width, Math.max(this.classes, 1), state.seed + 1);
    this.optimizer = makeOptimizer(state, this.net.model);
    this.shuffle = new Generator(state.seed + 3);
    this.targetScaling = this.classes > 0 ? null : preprocessing.targetScaling;
    const scaled = modelInputs(preprocessing.pipeline);
    const toModel = (raw: Float32Array) => withFeatures(scaled(raw), state.features);
    this.toModel = toModel;
    this.trainIn = toModel(data.trainX);
    this.trainX = new Tensor(this.trainIn, [data.trainY.length, this.width]);
    this.testX = new Tensor(toModel(data.testX), [data.testY.length, this.width]);
    this.trainT = this.target(data.trainY);
    this.testT = this.target(data.testY);
    this.neuronGrid = new Tensor(toModel(gridInputs(data.bounds, NEURON_GRID)), [NEURON_GRID * NEURON_GRID, this.width]);
    this.outputGrid = new Tensor(toModel(gridInputs(data.bounds, OUTPUT_GRID)), [OUTPUT_GRID * OUTPUT_GRID, this.width]);
  }

  /** The model's inputs (`width` per row) for raw `[x1, x2]` pairs in the data's units. */
  modelInput(raw: Float32Array): Float32Array {
    return this.toModel(raw);
  }

  private target(y: Float32Array): Tensor {
    if (this.classes > 0) return new Tensor(Int32Array.from(y), [y.length]);
    const ts = this.targetScaling;
    return new Tensor(ts ? y.map((v) => (v - ts.mean) / ts.scale) : y, [y.length, 1]);
  }

  /** Model outputs back in the target's units (regression with target scaling). */
  private unscale(out: Float32Array): Float32Array {
    const ts = this.targetScaling;
    return ts ? out.map((v) => v * ts.scale + ts.mean) : out;
  }

  private loss(pred: Tensor, target: Tensor): Tensor {
    return this.classes > 0 ? crossEntropy(pred, target) : mseLoss(pred, target);
  }

  /** Number of training samples. */
  get trainSize(): number {
    return this.data.trainY.length;
  }

  /** Trains on one mini-batch; returns its loss. Finishing a pass over the data ends an epoch. */
  trainStep(): { loss: number; epochEnded: boolean } {
    const n = this.trainSize;
    if (this.cursor >= this.order.length) {
      this.order = this.shuffle.permutation(n);
      this.cursor = 0;
    }
    const idx = this.order.subarray(this.cursor, Math.min(this.cursor + this.state.batch, n));
    this.cursor += idx.length;
    const xb = new Tensor(takeRows(this.trainIn, this.width, idx), [idx.length, this.width]);
    const yb = this.target(takeRows(this.data.trainY, 1, idx));
    this.net.model.train();
    this.optimizer.zeroGrad();
    const loss = this.loss(this.net.model.forward(xb), yb);
    // L1: the rate times the sum of the weights' absolute values (not the biases) joins the
    // objective; the loss shown stays the data's. (L2 is the optimizer's weight decay.)
    const penalty = this.state.regulariser === 'l1' && this.state.regRate > 0 ? this.l1Penalty() : null;
    (penalty ? add(loss, penalty) : loss).backward();
    this.optimizer.step();
    const value = loss.item();
    if (!Number.isFinite(value)) {
      throw new TrainingDivergedError(
        `training diverged at step ${this.step + 1} (loss ${value}); lower the learning rate`,
        this.epoch + 1,
        Math.ceil(this.cursor / this.state.batch),
        value,
      );
    }
    this.step++;
    const epochEnded = this.cursor >= n;
    if (epochEnded) this.epoch++;
    return { loss: value, epochEnded };
  }

  private l1Penalty(): Tensor {
    let total: Tensor | null = null;
    for (const l of this.net.linears) {
      const s = sum(abs(l.weight));
      total = total ? add(total, s) : s;
    }
    return mul(total!, this.state.regRate);
  }

  /** Changes the learning rate of the run in place (no reset). */
  setLearningRate(lr: number): void {
    for (const g of this.optimizer.paramGroups) g.lr = lr;
    this.state.lr = lr;
  }

  /** Sets one weight, `[out, in]` of `Linear` layer `layer`, to `value`. */
  setWeight(layer: number, out: number, input: number, value: number): void {
    const l = this.net.linears[layer];
    if (!l || out < 0 || out >= l.outFeatures || input < 0 || input >= l.inFeatures || !Number.isFinite(value)) return;
    const values = Float32Array.from(l.weight.dataSync());
    values[out * l.inFeatures + input] = value;
    noGrad(() => copy_(l.weight, new Tensor(values, [l.outFeatures, l.inFeatures])));
  }

  /** Loss and score (accuracy or R²) on the whole training and test sets, in evaluation mode. */
  evaluate(): EpochRecord {
    const { model } = this.net;
    model.eval();
    const r = noGrad(() => {
      const pTrain = model.forward(this.trainX);
      const pTest = model.forward(this.testX);
      const score = this.classes > 0 ? accuracy : r2Score;
      return {
        trainLoss: this.loss(pTrain, this.trainT).item(),
        testLoss: this.testT.size > 0 ? this.loss(pTest, this.testT).item() : Number.NaN,
        trainScore: score(pTrain, this.trainT),
        testScore: this.testT.size > 0 ? score(pTest, this.testT) : Number.NaN,
      };
    });
    model.train();
    return { epoch: this.epoch, step: this.step, ...r };
  }

  /** Model outputs (logits, or values in the target's units), targets and loss of both splits. */
  splitOutputs(): { train: SplitOutputs; test: SplitOutputs } {
    const { model } = this.net;
    model.eval();
    const run = (x: Tensor, t: Tensor, targets: Float32Array): SplitOutputs =>
      noGrad(() => {
        const out = model.forward(x);
        const loss = targets.length > 0 ? this.loss(out, t).item() : Number.NaN;
        const values = Float32Array.from(out.dataSync());
        return { outputs: this.classes > 0 ? values : this.unscale(values), targets, loss };
      });
    const r = { train: run(this.trainX, this.trainT, this.data.trainY), test: run(this.testX, this.testT, this.data.testY) };
    model.train();
    return r;
  }

  /** Every neuron's activation over the neuron grid, one array per diagram column. */
  neuronMaps(): { maps: Float32Array[]; sizes: number[] } {
    const { model, taps } = this.net;
    model.eval();
    const maps: Float32Array[] = [];
    const sizes: number[] = [];
    noGrad(() => {
      let y = this.neuronGrid;
      maps.push(transposeCols(y));
      sizes.push(this.width);
      for (let i = 0; i < model.length; i++) {
        y = model.at(i).forward(y);
        if (taps.includes(i)) {
          maps.push(transposeCols(y));
          sizes.push(y.shape[1]!);
        }
      }
      const out = this.classes > 0 ? softmax(y, 1) : y;
      maps.push(this.classes > 0 ? transposeCols(out) : this.unscale(transposeCols(out)));
      sizes.push(out.shape[1]!);
    });
    model.train();
    return { maps, sizes };
  }

  /** The model's output over the output grid (class probabilities, or values). */
  outputMap(): Float32Array {
    const { model } = this.net;
    model.eval();
    const out = noGrad(() => {
      const y = model.forward(this.outputGrid);
      return this.classes > 0 ? softmax(y, 1) : y;
    });
    model.train();
    return this.classes > 0 ? Float32Array.from(out.dataSync()) : this.unscale(Float32Array.from(out.dataSync()));
  }

  /** The weights and biases of every `Linear` layer (copies). */
  weights(): LayerWeights[] {
    return this.net.linears.map((l) => ({
      weight: Float32Array.from(l.weight.dataSync()),
      bias: l.bias ? Float32Array.from(l.bias.dataSync()) : new Float32Array(l.outFeatures),
      inFeatures: l.inFeatures,
      outFeatures: l.outFeatures,
    }));
  }
}

/**
 * A function from raw `[x1, x2]` pairs to model inputs through a fitted `TablePipeline`
 * (which may scale them). Its two numeric feature columns are the model's inputs.
 */
export function modelInputs(json: TablePipelineJSON): (raw: Float32Array) => Float32Array {
  const [f1, f2] = json.numeric;
  if (f1 === undefined || f2 === undefined || json.numeric.length !== 2 || json.categorical.length > 0) {
    throw new ModelFormatError('the playground shows models with exactly two numeric inputs');
  }
  const pipeline = TablePipeline.fromJSON(json);
  return (raw) => {
    const n = raw.length / 2;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = raw[2 * i]!;
      b[i] = raw[2 * i + 1]!;
    }
    return pipeline.transform(makeTable({ [f1]: a, [f2]: b }, { source: 'the input plane' })).x;
  };
}

/** `[rows, cols]` values regrouped column by column, so each neuron's map is contiguous. */
function transposeCols(t: Tensor): Float32Array {
  const rows = t.shape[0]!;
  const cols = t.shape[1]!;
  const out = new Float32Array(rows * cols);
  const values = t.dataSync();
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
