/**
 * Model-file codecs of the image layers: `Conv1d`, `Conv2d`, `ConvTranspose2d`, `MaxPool1d`,
 * `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`, `BatchNorm2d` (and the `BatchNorm1d` codec
 * they share), `GroupNorm`, `Dropout2d` and `Unflatten`. `registry.ts` registers them with the
 * built-in layers.
 * @module
 */
import { ModelFormatError } from '../errors.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../nn/conv.js';
import { Dropout2d } from '../nn/dropout2d.js';
import type { BatchNormBase, BatchNormOptions } from '../nn/norm.js';
import { BatchNorm2d, GroupNorm } from '../nn/norm2d.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d } from '../nn/pool.js';
import { Unflatten } from '../nn/unflatten.js';
import type { Size2 } from '../ops/pool.js';
import { Generator } from '../tensor/random.js';
import type { ConfigReader, JsonObject, LayerCodec, registerLayer } from './registry.js';

/** Largest kernel, stride, padding, dilation, channel count or output size read from a file. */
const MAX_WINDOW = 1 << 16;

/**
 * A fixed generator for the throw-away initial weights of rebuilt layers, so that loading a
 * model never advances the global generator.
 */
export const scratch = (): { generator: Generator } => ({ generator: new Generator(0) });

/** Dimensions of a tensor, for `Unflatten`'s `dim`. */
const MAX_DIM = 16;

function bad(c: ConfigReader, name: string, want: string): ModelFormatError {
  return new ModelFormatError(`${c.where}: config field '${name}' must be ${want}, got ${JSON.stringify(c.raw(name)) ?? 'nothing'}`);
}

/** A list of `n` integers in `[min, max]` (null entries allowed when `nullable`). */
function ints(c: ConfigReader, name: string, n: number, min: number, max = MAX_WINDOW, nullable = false): (number | null)[] {
  const v = c.raw(name);
  const ok = (d: unknown): boolean => (nullable && d === null) || (typeof d === 'number' && Number.isSafeInteger(d) && d >= min && d <= max);
  if (!Array.isArray(v) || v.length !== n || !v.every(ok)) {
    throw bad(c, name, `a list of ${n} integers from ${min} to ${max}${nullable ? ' (or null)' : ''}`);
  }
  return v as (number | null)[];
}

/** A `[h, w]` pair of integers. */
/** A list of `n` integers in `[min, max]`. */
function intList(c: ConfigReader, name: string, n: number, min: number, max = MAX_WINDOW): number[] {
  return ints(c, name, n, min, max) as number[];
}

function pair(c: ConfigReader, name: string, min: number): [number, number] {
  const [h, w] = ints(c, name, 2, min);
  return [h!, w!];
}

/** A size as a `[h, w]` pair, for the file. */
const asPair = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Padding may not exceed half the kernel (the ops refuse it at the first forward). */
function checkPadding(c: ConfigReader, k: readonly number[], p: readonly number[]): void {
  if (p.some((d, i) => d > k[i]! / 2)) throw bad(c, 'padding', `at most half of kernelSize ${JSON.stringify(k)}`);
}

/** The codec of a batch normalisation layer (`BatchNorm1d`, `BatchNorm2d`): the same config and tensors. */
export function batchNormCodec<M extends BatchNormBase>(cls: new (numFeatures: number, options: BatchNormOptions) => M): LayerCodec<M> {
  return {
    cls,
    config: (m) => ({
      numFeatures: m.numFeatures,
      eps: m.eps,
      momentum: m.momentum,
      affine: m.weight !== null,
      trackRunningStats: m.runningMean !== null,
    }),
    create: (c) =>
      new cls(c.int('numFeatures', 1), {
        eps: c.num('eps', 0, 1),
        momentum: c.raw('momentum') === null ? null : c.num('momentum', 0, 1),
        affine: c.bool('affine'),
        trackRunningStats: c.bool('trackRunningStats'),
      }),
    tensors: (c) => {
      const n = [c.int('numFeatures', 1)];
      const list: [string, number[]][] = c.bool('affine') ? [['weight', n], ['bias', n]] : [];
      if (c.bool('trackRunningStats')) list.push(['runningMean', n], ['runningVar', n], ['numBatchesTracked', []]);
      return list;
    },
  };
}

/** The shared fields of the convolution layers, validated. */
function convFields(c: ConfigReader, nd: number) {
  return {
    inChannels: c.int('inChannels', 1, MAX_WINDOW),
    outChannels: c.int('outChannels', 1, MAX_WINDOW),
    kernelSize: intList(c, 'kernelSize', nd, 1),
    stride: intList(c, 'stride', nd, 1),
    dilation: intList(c, 'dilation', nd, 1),
    groups: c.int('groups', 1, MAX_WINDOW),
    bias: c.bool('bias'),
  };
}

/** The weight and bias a convolution layer declares; `transposed`: weight [in, out/groups, ...k]. */
function convTensors(c: ConfigReader, nd: number, transposed: boolean): [string, number[]][] {
  const f = convFields(c, nd);
  if (f.inChannels % f.groups !== 0 || f.outChannels % f.groups !== 0) {
    throw new ModelFormatError(`${c.where}: groups ${f.groups} must divide inChannels ${f.inChannels} and outChannels ${f.outChannels}`);
  }
  const w = transposed ? [f.inChannels, f.outChannels / f.groups] : [f.outChannels, f.inChannels / f.groups];
  const list: [string, number[]][] = [['weight', [...w, ...f.kernelSize]]];
  if (f.bias) list.push(['bias', [f.outChannels]]);
  return list;
}

/** Padding of Conv1d/Conv2d: `nd` integers ≥ 0, or 'same' or 'valid'. */
function convPadding(c: ConfigReader, nd: number): number[] | 'same' | 'valid' {
  const v = c.raw('padding');
  return v === 'same' || v === 'valid' ? v : intList(c, 'padding', nd, 0);
}

/** Registers the codecs through `register` (the registry's `registerLayer`). */
export function registerCnnLayers(register: typeof registerLayer): void {
  for (const [type, cls, nd] of [['Conv1d', Conv1d, 1], ['Conv2d', Conv2d, 2]] as const) {
    register<Conv1d | Conv2d>(type, {
      cls,
      config: (m) => ({
        inChannels: m.inChannels,
        outChannels: m.outChannels,
        kernelSize: [...m.kernelSize],
        stride: [...m.stride],
        padding: typeof m.padding === 'string' ? m.padding : [...m.padding],
        dilation: [...m.dilation],
        groups: m.groups,
        bias: m.bias !== null,
      }),
      create: (c) => {
        const { inChannels, outChannels, kernelSize, ...rest } = convFields(c, nd);
        return new cls(inChannels, outChannels, kernelSize, { ...rest, padding: convPadding(c, nd), ...scratch() });
      },
      tensors: (c) => convTensors(c, nd, false),
    });
  }
  register('ConvTranspose2d', {
    cls: ConvTranspose2d,
    config: (m) => ({
      inChannels: m.inChannels,
      outChannels: m.outChannels,
      kernelSize: [...m.kernelSize],
      stride: [...m.stride],
      padding: [...m.padding],
      outputPadding: [...m.outputPadding],
      dilation: [...m.dilation],
      groups: m.groups,
      bias: m.bias !== null,
    }),
    create: (c) => {
      const { inChannels, outChannels, kernelSize, ...rest } = convFields(c, 2);
      const pads = { padding: intList(c, 'padding', 2, 0), outputPadding: intList(c, 'outputPadding', 2, 0) };
      return new ConvTranspose2d(inChannels, outChannels, kernelSize, { ...rest, ...pads, ...scratch() });
    },
    tensors: (c) => convTensors(c, 2, true),
  });

  // pooling and normalisation

  register('MaxPool2d', {
    cls: MaxPool2d,
    config: (m): JsonObject => ({
      kernelSize: asPair(m.kernelSize),
      stride: asPair(m.stride),
      padding: asPair(m.padding),
      dilation: asPair(m.dilation),
      ceilMode: m.ceilMode,
    }),
    create: (c) => {
      const k = pair(c, 'kernelSize', 1);
      const padding = pair(c, 'padding', 0);
      checkPadding(c, k, padding);
      return new MaxPool2d(k, { stride: pair(c, 'stride', 1), padding, dilation: pair(c, 'dilation', 1), ceilMode: c.bool('ceilMode') });
    },
    tensors: () => [],
  });
  register('MaxPool1d', {
    cls: MaxPool1d,
    config: (m) => ({ kernelSize: m.kernelSize, stride: m.stride, padding: m.padding, dilation: m.dilation, ceilMode: m.ceilMode }),
    create: (c) => {
      const k = c.int('kernelSize', 1, MAX_WINDOW);
      const padding = c.int('padding', 0, MAX_WINDOW);
      checkPadding(c, [k], [padding]);
      const o = { stride: c.int('stride', 1, MAX_WINDOW), padding, dilation: c.int('dilation', 1, MAX_WINDOW), ceilMode: c.bool('ceilMode') };
      return new MaxPool1d(k, o);
    },
    tensors: () => [],
  });
  register('AvgPool2d', {
    cls: AvgPool2d,
    config: (m) => ({
      kernelSize: asPair(m.kernelSize),
      stride: asPair(m.stride),
      padding: asPair(m.padding),
      ceilMode: m.ceilMode,
      countIncludePad: m.countIncludePad,
      divisorOverride: m.divisorOverride,
    }),
    create: (c) => {
      const k = pair(c, 'kernelSize', 1);
      const padding = pair(c, 'padding', 0);
      checkPadding(c, k, padding);
      const div = c.raw('divisorOverride');
      if (div !== null && !(typeof div === 'number' && Number.isSafeInteger(div) && div >= 1 && div <= MAX_WINDOW * MAX_WINDOW)) {
        throw bad(c, 'divisorOverride', 'null or a positive integer');
      }
      return new AvgPool2d(k, {
        stride: pair(c, 'stride', 1),
        padding,
        ceilMode: c.bool('ceilMode'),
        countIncludePad: c.bool('countIncludePad'),
        divisorOverride: div ?? undefined,
      });
    },
    tensors: () => [],
  });
  register('AdaptiveAvgPool2d', {
    cls: AdaptiveAvgPool2d,
    config: (m) => ({ outputSize: typeof m.outputSize === 'number' ? [m.outputSize, m.outputSize] : [...m.outputSize] }),
    create: (c) => {
      const [h, w] = ints(c, 'outputSize', 2, 1, MAX_WINDOW, true);
      return new AdaptiveAvgPool2d([h ?? null, w ?? null]);
    },
    tensors: () => [],
  });
  register('BatchNorm2d', batchNormCodec(BatchNorm2d));
  register('GroupNorm', {
    cls: GroupNorm,
    config: (m) => ({ numGroups: m.numGroups, numChannels: m.numChannels, eps: m.eps, affine: m.weight !== null }),
    create: (c) => {
      const [g, n] = [c.int('numGroups', 1), c.int('numChannels', 1)];
      if (n % g !== 0) throw bad(c, 'numChannels', `divisible by numGroups (${g})`);
      return new GroupNorm(g, n, { eps: c.num('eps', 0, 1), affine: c.bool('affine') });
    },
    tensors: (c) => {
      const n = [c.int('numChannels', 1)];
      return c.bool('affine') ? [['weight', n], ['bias', n]] : [];
    },
  });
  register('Dropout2d', { cls: Dropout2d, config: (m) => ({ p: m.p }), create: (c) => new Dropout2d(c.num('p', 0, 1)), tensors: () => [] });
  register('Unflatten', {
    cls: Unflatten,
    config: (m) => ({ dim: m.dim, sizes: [...m.sizes] }),
    create: (c) => {
      const sizes = c.raw('sizes');
      const ok = Array.isArray(sizes) && sizes.length > 0 && sizes.length <= MAX_DIM;
      if (!ok || !sizes.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && (d >= 1 || d === -1))) {
        throw bad(c, 'sizes', 'a non-empty list of positive integers (one may be -1)');
      }
      return new Unflatten(c.int('dim', -MAX_DIM, MAX_DIM - 1), sizes as number[]);
    },
    tensors: () => [],
  });
}
