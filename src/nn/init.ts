/**
 * Parameter initialisers. Each fills a tensor in place (through views) and returns it; all
 * randomness comes from a {@link Generator} (the global one unless given), so a seed
 * fixes every initial weight. Fans follow PyTorch: for a weight of shape
 * `[out, in, ...kernel]`, `fanIn = in·k` and `fanOut = out·k`.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import { copy_ } from '../ops/inplace.js';
import { ArgumentError } from '../errors.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';

/** Nonlinearities known to {@link calculateGain}. */
export type Nonlinearity =
  | 'linear'
  | 'identity'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu'
  | 'conv1d'
  | 'conv2d';

/** Whether variance is preserved in the forward pass (`fanIn`) or the backward pass (`fanOut`). */
export type FanMode = 'fanIn' | 'fanOut';

/**
 * Writes `value(i)` for every element `i` (row-major) into `t` in place: the values are
 * computed in float64 and rounded once to `t`'s dtype, as PyTorch's initialisers do.
 */
function fill<T extends Tensor>(fn: string, t: T, value: (i: number) => number): T {
  if (t.dtype === 'int32') throw new ArgumentError(`init.${fn}: expected a float tensor, got int32`);
  const values = new Float64Array(t.size);
  for (let i = 0; i < values.length; i++) values[i] = value(i);
  noGrad(() => copy_(t, new Tensor(values, t.shape)));
  return t;
}

/** The fan-in and fan-out of a weight shape (PyTorch's convention). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new ArgumentError(`init: fan in and fan out need a tensor with at least 2 dimensions, got shape [${shape.join(', ')}]`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** The recommended gain for a nonlinearity (`param` is the leaky-ReLU slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
    case 'conv1d':
    case 'conv2d':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/** Fills with zeros. */
export function zeros<T extends Tensor>(t: T): T {
  return fill('zeros', t, () => 0);
}

/** Fills with ones. */
export function ones<T extends Tensor>(t: T): T {
  return fill('ones', t, () => 1);
}

/** Fills with a constant. */
export function constant<T extends Tensor>(t: T, value: number): T {
  return fill('constant', t, () => value);
}

/** Fills with draws from U(low, high). */
export function uniform<T extends Tensor>(t: T, low = 0, high = 1, generator?: Generator): T {
  if (!(high >= low)) throw new ArgumentError(`init.uniform: high (${high}) must be >= low (${low})`);
  const g = generator ?? getDefaultGenerator();
  return fill('uniform', t, () => low + (high - low) * g.nextFloat());
}

/** Fills with draws from N(mean, std²). */
export function normal<T extends Tensor>(t: T, mean = 0, std = 1, generator?: Generator): T {
  if (!(std >= 0)) throw new ArgumentError(`init.normal: std must be >= 0, got ${std}`);
  const g = generator ?? getDefaultGenerator();
  return fill('normal', t, () => mean + std * g.nextNormal());
}

/** Glorot/Xavier uniform: U(−a, a) with `a = gain·√(6 / (fanIn + fanOut))`. */
export function xavierUniform<T extends Tensor>(t: T, gain = 1, generator?: Generator): T {
  const { fanIn, fanOut } = fans(t.shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, generator);
}

/** Glorot/Xavier normal: N(0, σ²) with `σ = gain·√(2 / (fanIn + fanOut))`. */
export function xavierNormal<T extends Tensor>(t: T, gain = 1, generator?: Generator): T {
  const { fanIn, fanOut } = fans(t.shape);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/** Options of the He/Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (PyTorch's `a`, default 0). */
  a?: number;
  /** Preserve the variance of activations (`fanIn`, default) or of gradients (`fanOut`). */
  mode?: FanMode;
  /** The nonlinearity that follows (default `leakyRelu`, which with `a = 0` is ReLU). */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const f = fans(t.shape);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? f.fanIn : f.fanOut;
  return calculateGain(o.nonlinearity ?? 'leakyRelu', o.a ?? 0) / Math.sqrt(fan);
}

/** He/Kaiming uniform: U(−b, b) with `b = gain·√(3 / fan)`. */
export function kaimingUniform<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound, options.generator);
}

/** He/Kaiming normal: N(0, σ²) with `σ = gain / √fan`. */
export function kaimingNormal<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  return normal(t, 0, kaimingStd(t, options), options.generator);
}

/** LeCun uniform: U(−b, b) with `b = √(3 / fanIn)` (variance 1/fanIn). */
export function lecunUniform<T extends Tensor>(t: T, generator?: Generator): T {
  const b = Math.sqrt(3 / fans(t.shape).fanIn);
  return uniform(t, -b, b, generator);
}

/** LeCun normal: N(0, 1/fanIn). */
export function lecunNormal<T extends Tensor>(t: T, generator?: Generator): T {
  return normal(t, 0, 1 / Math.sqrt(fans(t.shape).fanIn), generator);
}
