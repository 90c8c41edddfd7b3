/**
 * The seed document's `NeuralNetwork`, for newcomers: a fully connected network described
 * by sizes and activation names, trained with one call. It is a thin layer over
 * {@link Sequential}, {@link Linear}, the losses, the optimizers and {@link fit}.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, ModelFormatError } from '../errors.js';
import { type ActivationName, activationModule } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Linear } from '../nn/linear.js';
import type { LossName } from '../nn/losses.js';
import type { Module, StateDict } from '../nn/module.js';
import { tensor } from '../ops/creation.js';
import { Generator } from '../tensor/random.js';
import type { Callback, History } from './callbacks.js';
import { fit, type MetricSpec, type OptimizerName, predict } from './fit.js';

/** How a {@link NeuralNetwork} is built. */
export interface NeuralNetworkOptions {
  /** Features per sample. */
  inputSize: number;
  /** Sizes of the hidden layers (default none). */
  hiddenSizes?: number[];
  /** Outputs per sample. */
  outputSize: number;
  /** Activation after each hidden layer (default 'sigmoid', as in the seed). */
  activation?: ActivationName;
  /** Activation of the output layer (default 'sigmoid', as in the seed). */
  outputActivation?: ActivationName;
  /** Loss used by `train` (default 'mse'). */
  loss?: LossName;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/** Options of {@link NeuralNetwork.train}. */
export interface NeuralNetworkTrainOptions {
  /** Passes over the data (default 1000). */
  epochs?: number;
  /** Step size (default 0.1). */
  learningRate?: number;
  /** Optimizer (default 'sgd': plain gradient descent, as in the seed). */
  optimizer?: OptimizerName;
  /** Samples per step (default: all of them, i.e. full-batch gradient descent). */
  batchSize?: number;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  metrics?: readonly MetricSpec[];
  callbacks?: readonly Callback[];
  clipGradNorm?: number;
}

/** The JSON form of a {@link NeuralNetwork}. */
export interface NeuralNetworkJSON {
  format: 'cortex-neural-network';
  version: 1;
  config: Required<NeuralNetworkOptions>;
  /** Parameter values by name, row-major. */
  weights: Record<string, { shape: number[]; data: number[] }>;
}

type Matrix = Tensor | readonly (readonly number[])[] | readonly number[];

/** Losses computed on raw scores: the output activation is applied only when predicting. */
const ON_LOGITS: ReadonlySet<LossName> = new Set(['crossEntropy', 'binaryCrossEntropyWithLogits']);

/**
 * A fully connected network in the style of the seed document.
 *
 * @example
 * ```ts
 * const net = new NeuralNetwork({ inputSize: 2, hiddenSizes: [8], outputSize: 1, seed: 1 });
 * net.train([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 3000, learningRate: 1 });
 * net.predict([[1, 0]]).item(); // close to 1
 * ```
 */
export class NeuralNetwork {
  /** The underlying module: Linear layers and activations. */
  readonly model: Sequential;
  readonly config: Required<NeuralNetworkOptions>;
  private readonly outputAct: Module;

  constructor(options: NeuralNetworkOptions) {
    this.config = {
      hiddenSizes: [],
      activation: 'sigmoid',
      outputActivation: 'sigmoid',
      loss: 'mse',
      seed: 0,
      ...options,
    };
    const { inputSize, hiddenSizes, outputSize, activation, outputActivation, loss, seed } = this.config;
    for (const [name, v] of [['inputSize', inputSize], ['outputSize', outputSize], ...hiddenSizes.map((h, i) => [`hiddenSizes[${i}]`, h] as const)] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`NeuralNetwork: ${name} must be a positive integer, got ${v}`);
    }
    const g = new Generator(seed);
    const sizes = [inputSize, ...hiddenSizes, outputSize];
    this.model = new Sequential();
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.model.append(new Linear(sizes[i]!, sizes[i + 1]!, { generator: g }));
      if (i + 2 < sizes.length) this.model.append(activationModule(activation));
    }
    this.outputAct = activationModule(outputActivation);
    if (!ON_LOGITS.has(loss)) this.model.append(this.outputAct);
  }

  private input(x: Matrix): Tensor {
    const t = x instanceof Tensor ? x : tensor(x as number[][]);
    return t.ndim === 1 ? t.reshape([1, t.shape[0]!]) : t;
  }

  private target(y: Matrix, n: number): Tensor {
    const { loss, outputSize } = this.config;
    if (loss === 'crossEntropy' || loss === 'nll') {
      if (y instanceof Tensor) return y;
      return tensor(y as number[], { dtype: 'int32' }).reshape([n]);
    }
    const t = y instanceof Tensor ? y : tensor(y as number[][]);
    // A flat target list fits a network with one output per sample.
    return t.size === n * outputSize && t.ndim !== 2 ? t.reshape([n, outputSize]) : t;
  }

  /** The network's output for `x` (with the output activation), recording gradients. */
  forward(x: Matrix): Tensor {
    const out = this.model.forward(this.input(x));
    return ON_LOGITS.has(this.config.loss) ? this.outputAct.forward(out) : out;
  }

  /**
   * Trains on `x` and `y` with the configured loss. Defaults reproduce the seed:
   * full-batch gradient descent with learning rate 0.1.
   */
  train(x: Matrix, y: Matrix, options: NeuralNetworkTrainOptions = {}): History {
    const xt = this.input(x);
    const yt = this.target(y, xt.shape[0]!);
    return fit(this.model, { x: xt, y: yt }, {
      epochs: options.epochs ?? 1000,
      learningRate: options.learningRate ?? 0.1,
      optimizer: options.optimizer ?? 'sgd',
      batchSize: options.batchSize ?? Number.POSITIVE_INFINITY,
      seed: options.seed ?? 0,
      loss: this.config.loss,
      metrics: options.metrics ?? [],
      callbacks: options.callbacks ?? [],
      ...(options.clipGradNorm === undefined ? {} : { clipGradNorm: options.clipGradNorm }),
    });
  }

  /** The network's output for `x`, in evaluation mode and without gradients. */
  predict(x: Matrix): Tensor {
    const out = predict(this.model, this.input(x));
    return ON_LOGITS.has(this.config.loss) ? this.outputAct.forward(out) : out;
  }

  /** Configuration and weights as plain JSON. */
  toJSON(): NeuralNetworkJSON {
    const weights: NeuralNetworkJSON['weights'] = {};
    for (const [k, t] of Object.entries(this.model.stateDict())) weights[k] = { shape: [...t.shape], data: Array.from(t.dataSync()) };
    return { format: 'cortex-neural-network', version: 1, config: structuredClone(this.config), weights };
  }

  /** Rebuilds a network saved with {@link NeuralNetwork.toJSON}. */
  static fromJSON(json: unknown): NeuralNetwork {
    const j = (typeof json === 'string' ? parseJSON(json) : json) as Partial<NeuralNetworkJSON> | null;
    if (!j || typeof j !== 'object' || j.format !== 'cortex-neural-network') {
      throw new ModelFormatError("NeuralNetwork.fromJSON: not a NeuralNetwork file (expected format 'cortex-neural-network')");
    }
    if (j.version !== 1) throw new ModelFormatError(`NeuralNetwork.fromJSON: unsupported version ${String(j.version)} (this version reads 1)`);
    if (!j.config || !j.weights) throw new ModelFormatError('NeuralNetwork.fromJSON: the file has no config or no weights');
    const net = new NeuralNetwork(j.config);
    const sd: StateDict = {};
    for (const [k, w] of Object.entries(j.weights)) {
      if (!w || !Array.isArray(w.shape) || !Array.isArray(w.data) || w.data.some((v) => typeof v !== 'number')) {
        throw new ModelFormatError(`NeuralNetwork.fromJSON: weight '${k}' is malformed`);
      }
      sd[k] = new Tensor(Float32Array.from(w.data), w.shape);
    }
    try {
      net.model.loadStateDict(sd);
    } catch (e) {
      throw new ModelFormatError(`NeuralNetwork.fromJSON: the weights do not fit the config: ${(e as Error).message}`);
    }
    return net;
  }
}

function parseJSON(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new ModelFormatError(`NeuralNetwork.fromJSON: invalid JSON: ${(e as Error).message}`);
  }
}
