/**
 * Gradient-check cases: every differentiable op on seeded random shapes,
 * broadcasting, tensors used several times, and the |x| = 1e4 stability inputs.
 * Each builder draws its shapes, attributes and inputs from the generator.
 * @module
 */
import * as C from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { Generator } from '../../src/tensor/random.js';
import { CONV_GRADCHECK_CASES } from './gradcheck-conv.js';
import { away, axes, distinct, indices, int, mask, normal, partner, perm, shape, uniform } from './random-inputs.js';

/** One drawn case: a function of the inputs, the inputs, and a label of the draw. */
export interface Drawn {
  fn: (...xs: Tensor[]) => Tensor;
  inputs: Tensor[];
  label: string;
}

/** Draws a case from a generator. */
export type Builder = (g: Generator) => Drawn;

const S = (s: readonly number[]): string => `[${s.join(',')}]`;

/** Binary op with broadcasting; `lhs`/`rhs` draw the operands. Operands swap sides at random. */
function binary(
  fn: (a: Tensor, b: Tensor) => Tensor,
  lhs: (g: Generator, s: number[]) => Tensor = (g, s) => normal(g, s),
  rhs: (g: Generator, s: number[]) => Tensor = (g, s) => normal(g, s),
): Builder {
  return (g) => {
    const s = shape(g, 0, 3);
    const p = partner(g, s);
    const [sa, sb] = g.nextFloat() < 0.5 ? [s, p] : [p, s];
    return { fn, inputs: [lhs(g, sa), rhs(g, sb)], label: `${S(sa)} ${S(sb)}` };
  };
}

/** Unary op on a random shape (rank 0 to 3). */
function unary(fn: (x: Tensor) => Tensor, draw: (g: Generator, s: number[]) => Tensor = (g, s) => normal(g, s)): Builder {
  return (g) => {
    const s = shape(g, 0, 3);
    return { fn, inputs: [draw(g, s)], label: S(s) };
  };
}

/** Reduction over a random set of axes, keepDims at random. */
function reduction(fn: (x: Tensor, axis: number | number[] | undefined, keep: boolean) => Tensor, draw = distinct): Builder {
  return (g) => {
    const s = shape(g, 1, 3);
    const a = axes(g, s.length);
    const keep = g.nextFloat() < 0.5;
    return { fn: (x) => fn(x, a, keep), inputs: [draw(g, s)], label: `${S(s)} axis ${JSON.stringify(a)} keep ${keep}` };
  };
}

/** variance/std: the reduced count must exceed the correction. */
function spread(fn: (x: Tensor, a: number | number[] | undefined, k: boolean, c: number) => Tensor): Builder {
  return (g) => {
    const s = shape(g, 1, 3, 4).map((d) => d + 1);
    const a = axes(g, s.length);
    const keep = g.nextFloat() < 0.5;
    const c = int(g, 0, 1);
    const label = `${S(s)} axis ${JSON.stringify(a)} keep ${keep} correction ${c}`;
    return { fn: (x) => fn(x, a, keep, c), inputs: [normal(g, s)], label };
  };
}

/** `linear` with a fused activation; relu draws its input away from the kink at 0. */
function linearWith(act: C.LinearActivation): Builder {
  return (g) => {
    const [i, o] = [int(g, 1, 4), int(g, 1, 4)];
    const lead = shape(g, 0, 2, 3);
    const withBias = g.nextFloat() < 0.7;
    const inputs = [normal(g, [...lead, i]), normal(g, [o, i]), ...(withBias ? [normal(g, [o])] : [])];
    const fn = (x: Tensor, w: Tensor, b?: Tensor): Tensor => C.linear(x, w, b, act);
    return { fn, inputs, label: `${act} ${S([...lead, i])} weight [${o},${i}] bias ${withBias}` };
  };
}

/** Softmax-like op along a random axis. */
function alongAxis(fn: (x: Tensor, axis: number) => Tensor, scale = 2): Builder {
  return (g) => {
    const s = shape(g, 1, 3);
    const ax = int(g, -s.length, s.length - 1);
    return { fn: (x) => fn(x, ax), inputs: [normal(g, s, scale)], label: `${S(s)} axis ${ax}` };
  };
}

/** The |x| = 1e4 inputs of the stability requirement, as a [3, 5] matrix. */
export function stabilityInput(): Tensor {
  const rows = [
    [-1e4, -5e3, 0, 5e3, 1e4],
    [1e4, 1e4 - 1, 1e4 - 2, 1e4, 1e4 - 0.5],
    [-1e4, -1e4 + 1, -1e4, -1e4 + 0.25, -1e4 + 3],
  ];
  return C.tensor(rows, { dtype: 'float64' });
}

/** Class ids for the rows of {@link stabilityInput}: the smallest, a middle and the largest logit. */
const STABILITY_LABELS = C.tensor([0, 2, 4], { dtype: 'int32' });

/** The ops that must stay finite, with finite gradients, up to |x| = 1e4. */
export const STABLE: Readonly<Record<string, (x: Tensor) => Tensor>> = {
  sigmoid: (x) => C.sigmoid(x),
  tanh: (x) => C.tanh(x),
  softplus: (x) => C.softplus(x),
  softmax: (x) => C.softmax(x, 1),
  logSoftmax: (x) => C.logSoftmax(x, 1),
  logSoftmaxAxis0: (x) => C.logSoftmax(x, 0),
  logSumExp: (x) => C.logSumExp(x, 1),
  logSumExpAll: (x) => C.logSumExp(x),
  softmaxCrossEntropy: (x) => C.softmaxCrossEntropy(x, STABILITY_LABELS),
  crossEntropy: (x) => C.crossEntropy(x, STABILITY_LABELS, { reduction: 'none' }),
};

/** Every differentiable op, by name. */
export const GRADCHECK_CASES: Readonly<Record<string, Builder>> = {
  add: binary((a, b) => C.add(a, b)),
  sub: binary((a, b) => C.sub(a, b)),
  mul: binary((a, b) => C.mul(a, b)),
  div: binary((a, b) => C.div(a, b), undefined, (g, s) => away(g, s, 0.5, 2)),
  pow: binary((a, b) => C.pow(a, b), (g, s) => uniform(g, s, 0.5, 2), (g, s) => uniform(g, s, -2, 2)),
  maximum: binary((a, b) => C.maximum(a, b), (g, s) => distinct(g, s), (g, s) => distinct(g, s).add(0.05)),
  minimum: binary((a, b) => C.minimum(a, b), (g, s) => distinct(g, s), (g, s) => distinct(g, s).add(0.05)),
  addScalar: unary((x) => x.add(2.5)),
  rsubScalar: unary((x) => C.sub(1, x)),
  rdivScalar: unary((x) => C.div(3, x), (g, s) => away(g, s, 0.5, 2)),
  powScalar: unary((x) => x.pow(3)),
  powHalf: unary((x) => x.pow(0.5), (g, s) => uniform(g, s, 0.2, 3)),
  rpowScalar: unary((x) => C.pow(2, x)),
  neg: unary((x) => x.neg()),
  exp: unary((x) => x.exp()),
  log: unary((x) => x.log(), (g, s) => uniform(g, s, 0.2, 3)),
  sqrt: unary((x) => x.sqrt(), (g, s) => uniform(g, s, 0.2, 3)),
  abs: unary((x) => x.abs(), (g, s) => away(g, s)),
  sign: unary((x) => x.sign(), (g, s) => away(g, s)),
  clamp: unary((x) => x.clamp(-0.5, 0.7), (g, s) => away(g, s, 0.05, 1).mul(2).add(0.1)),
  clampMin: unary((x) => x.clamp(0.3), (g, s) => away(g, s, 0.05, 1).add(0.3)),
  clampMax: unary((x) => x.clamp(undefined, -0.2), (g, s) => away(g, s, 0.05, 1).sub(0.2)),
  where: (g) => {
    const s = shape(g, 1, 3);
    const [sc, sa] = [partner(g, s), partner(g, s)];
    const cond = mask(g, sc);
    return {
      fn: (a, b) => C.where(cond, a, b),
      inputs: [normal(g, sa), normal(g, s)],
      label: `cond ${S(sc)} ${S(sa)} ${S(s)}`,
    };
  },
  sigmoid: unary((x) => x.sigmoid(), (g, s) => normal(g, s, 3)),
  tanh: unary((x) => x.tanh(), (g, s) => normal(g, s, 2)),
  relu: unary((x) => x.relu(), (g, s) => away(g, s)),
  leakyRelu: unary((x) => x.leakyRelu(0.15), (g, s) => away(g, s)),
  elu: unary((x) => x.elu(0.8), (g, s) => away(g, s)),
  gelu: unary((x) => x.gelu(), (g, s) => normal(g, s, 2)),
  erf: unary((x) => C.erf(x), (g, s) => normal(g, s, 2)),
  softplus: unary((x) => x.softplus(), (g, s) => normal(g, s, 3)),
  softmax: alongAxis((x, a) => x.softmax(a)),
  logSoftmax: alongAxis((x, a) => x.logSoftmax(a)),
  sum: reduction((x, a, k) => x.sum(a, k), (g, s) => normal(g, s)),
  mean: reduction((x, a, k) => x.mean(a, k), (g, s) => normal(g, s)),
  max: reduction((x, a, k) => x.max(a, k)),
  min: reduction((x, a, k) => x.min(a, k)),
  logSumExp: reduction((x, a, k) => x.logSumExp(a, k), (g, s) => normal(g, s, 2)),
  variance: spread((x, a, k, c) => x.variance(a, k, c)),
  std: spread((x, a, k, c) => x.std(a, k, c)),
  matmul: (g) => {
    const [m, k, n] = [int(g, 1, 4), int(g, 1, 4), int(g, 1, 4)];
    const batch = shape(g, 0, 2, 3);
    const pb = partner(g, batch);
    const [ba, bb] = g.nextFloat() < 0.5 ? [batch, pb] : [pb, batch];
    const label = `${S([...ba, m, k])} @ ${S([...bb, k, n])}`;
    return { fn: (a, b) => a.matmul(b), inputs: [normal(g, [...ba, m, k]), normal(g, [...bb, k, n])], label };
  },
  matmulVector: (g) => {
    const [m, k] = [int(g, 1, 4), int(g, 1, 4)];
    return { fn: (a, v) => a.matmul(v).add(v.matmul(a.transpose())), inputs: [normal(g, [m, k]), normal(g, [k])], label: `[${m},${k}] and [${k}]` };
  },
  linear: (g) => {
    const [i, o] = [int(g, 1, 4), int(g, 1, 4)];
    const lead = shape(g, 0, 2, 3);
    const withBias = g.nextFloat() < 0.7;
    const inputs = [normal(g, [...lead, i]), normal(g, [o, i]), ...(withBias ? [normal(g, [o])] : [])];
    return { fn: (x, w, b) => C.linear(x, w, b), inputs, label: `${S([...lead, i])} weight [${o},${i}] bias ${withBias}` };
  },
  linearRelu: linearWith('relu'),
  linearSigmoid: linearWith('sigmoid'),
  linearTanh: linearWith('tanh'),
  softmaxCrossEntropy: (g) => {
    const [n, c] = [int(g, 1, 5), int(g, 1, 6)];
    const t = indices(g, [n], c);
    return { fn: (z) => C.softmaxCrossEntropy(z, t), inputs: [normal(g, [n, c], 3)], label: `[${n},${c}]` };
  },
  crossEntropyFusedReuse: (g) => {
    const [n, c] = [int(g, 1, 5), int(g, 2, 5)];
    const t = indices(g, [n], c);
    const fn = (z: Tensor): Tensor => C.crossEntropy(z.mul(z.sum(1, true)), t, { reduction: 'sum' }).add(z.softmax(1).sum());
    return { fn, inputs: [normal(g, [n, c])], label: `[${n},${c}]` };
  },
  reshape: (g) => {
    const s = shape(g, 1, 3);
    const target = [...s].reverse();
    return { fn: (x) => x.reshape([-1, ...target.slice(1)]).mul(x.reshape(target)), inputs: [normal(g, s)], label: S(s) };
  },
  flatten: (g) => {
    const s = shape(g, 1, 4, 3);
    const a = int(g, 0, s.length - 1);
    const b = int(g, a, s.length - 1);
    return { fn: (x) => x.flatten(a, b).exp(), inputs: [normal(g, s)], label: `${S(s)} ${a}..${b}` };
  },
  transpose: (g) => {
    const s = shape(g, 2, 4, 3);
    const [a, b] = [int(g, 0, s.length - 1), int(g, -s.length, -1)];
    return { fn: (x) => x.transpose(a, b), inputs: [normal(g, s)], label: `${S(s)} ${a} ${b}` };
  },
  permute: (g) => {
    const s = shape(g, 1, 4, 3);
    const p = perm(g, s.length);
    return { fn: (x) => x.permute(p), inputs: [normal(g, s)], label: `${S(s)} ${S(p)}` };
  },
  expand: (g) => {
    const s = shape(g, 1, 3);
    const p = partner(g, s);
    return { fn: (x) => x.expand(s), inputs: [normal(g, p)], label: `${S(p)} -> ${S(s)}` };
  },
  broadcastTo: (g) => {
    const s = shape(g, 1, 3);
    const p = partner(g, s);
    return { fn: (x) => C.broadcastTo(x, s).mul(x.sum()), inputs: [normal(g, p)], label: `${S(p)} -> ${S(s)}` };
  },
  squeeze: (g) => {
    const s = shape(g, 0, 3);
    const a = int(g, 0, s.length);
    const withOne = [...s.slice(0, a), 1, ...s.slice(a)];
    const fn = (x: Tensor): Tensor => x.squeeze(a - withOne.length).add(x.squeeze().sum());
    return { fn, inputs: [normal(g, withOne)], label: `${S(withOne)} axis ${a}` };
  },
  unsqueeze: (g) => {
    const s = shape(g, 0, 3);
    const a = int(g, -s.length - 1, s.length);
    return { fn: (x) => x.unsqueeze(a), inputs: [normal(g, s)], label: `${S(s)} axis ${a}` };
  },
  slice: (g) => {
    const s = shape(g, 1, 3, 5);
    const begin = s.map((d) => int(g, 0, d - 1));
    const end = s.map((d, i) => int(g, begin[i]! + 1, d));
    return { fn: (x) => x.slice(begin, end), inputs: [normal(g, s)], label: `${S(s)} ${S(begin)}..${S(end)}` };
  },
  narrow: (g) => {
    const s = shape(g, 1, 3, 5);
    const a = int(g, 0, s.length - 1);
    const start = int(g, 0, s[a]! - 1);
    const len = int(g, 1, s[a]! - start);
    return { fn: (x) => x.narrow(a, start, len), inputs: [normal(g, s)], label: `${S(s)} axis ${a} ${start}+${len}` };
  },
  concat: (g) => {
    const s = shape(g, 1, 3);
    const a = int(g, 0, s.length - 1);
    const s2 = s.map((d, i) => (i === a ? int(g, 1, 3) : d));
    return { fn: (x, y) => C.concat([x, y, x], a - s.length), inputs: [normal(g, s), normal(g, s2)], label: `${S(s)} ${S(s2)} axis ${a}` };
  },
  stack: (g) => {
    const s = shape(g, 0, 3);
    const a = int(g, 0, s.length);
    return { fn: (x, y) => C.stack([x, y, x.mul(y)], a), inputs: [normal(g, s), normal(g, s)], label: `${S(s)} axis ${a}` };
  },
  split: (g) => {
    const s = shape(g, 1, 3, 6);
    const a = int(g, 0, s.length - 1);
    const k = int(g, 1, s[a]!);
    const fn = (x: Tensor): Tensor => C.concat(x.split(k, a).map((p, i) => p.mul(i + 1)), a);
    return { fn, inputs: [normal(g, s)], label: `${S(s)} size ${k} axis ${a}` };
  },
  pad: (g) => {
    const s = shape(g, 1, 3);
    const pads = s.map(() => [int(g, 0, 2), int(g, 0, 2)] as const);
    return { fn: (x) => x.pad(pads, 0.5).mul(x.sum()), inputs: [normal(g, s)], label: `${S(s)} ${JSON.stringify(pads)}` };
  },
  gather: (g) => {
    const s = shape(g, 1, 3);
    const a = int(g, 0, s.length - 1);
    const is = s.map((d, i) => (i === a ? int(g, 1, 5) : int(g, 1, d)));
    const idx = indices(g, is, s[a]!);
    return { fn: (x) => x.gather(a, idx), inputs: [normal(g, s)], label: `${S(s)} index ${S(is)} axis ${a}` };
  },
  indexSelect: (g) => {
    const s = shape(g, 1, 3);
    const a = int(g, 0, s.length - 1);
    const idx = indices(g, [int(g, 1, 6)], s[a]!);
    return { fn: (x) => x.indexSelect(a, idx), inputs: [normal(g, s)], label: `${S(s)} ${idx.size} indices axis ${a}` };
  },
  // Tensors used several times, and small composites.
  reuseSquarePlus: unary((x) => x.mul(x).add(x)),
  reuseMatmulSelf: (g) => {
    const n = int(g, 1, 4);
    return { fn: (x) => x.matmul(x).add(x.transpose()), inputs: [normal(g, [n, n])], label: `[${n},${n}]` };
  },
  reuseIntermediate: unary((x) => {
    const y = x.mul(2).sigmoid();
    return y.mul(y).add(y.exp()).mul(x);
  }),
  reuseBroadcastSelf: (g) => {
    const s = shape(g, 2, 3);
    return { fn: (x) => x.add(x.sum(0, true)).mul(x.mean(-1, true)), inputs: [normal(g, s)], label: S(s) };
  },
  layerNormLike: (g) => {
    const s = shape(g, 2, 3).map((d) => d + 1);
    const fn = (x: Tensor): Tensor => x.sub(x.mean(-1, true)).div(x.variance(-1, true, 0).add(1e-5).sqrt());
    return { fn, inputs: [normal(g, s)], label: S(s) };
  },
  crossEntropyLike: (g) => {
    const [n, c] = [int(g, 1, 5), int(g, 2, 5)];
    const t = indices(g, [n, 1], c);
    return { fn: (z) => z.logSoftmax(1).gather(1, t).mean().neg(), inputs: [normal(g, [n, c], 2)], label: `[${n},${c}]` };
  },
  whereReuse: unary((x) => C.where(x.gt(0), x.mul(x), x.neg().exp()), (g, s) => away(g, s)),
  mlpLike: (g) => {
    const [b, i, h] = [int(g, 1, 4), int(g, 1, 4), int(g, 1, 4)];
    const fn = (x: Tensor, w: Tensor, bias: Tensor): Tensor => x.matmul(w).add(bias).tanh().matmul(w.transpose()).sum(1);
    return { fn, inputs: [normal(g, [b, i]), normal(g, [i, h]), normal(g, [h])], label: `b${b} i${i} h${h}` };
  },
  // convolution
  ...CONV_GRADCHECK_CASES,
  // pooling and normalisation
  maxPool2d: (g) => {
    const w = pool2dDraw(g, true);
    return { fn: (x) => C.maxPool2d(x, w.k, w.options), inputs: [distinct(g, w.shape)], label: w.label };
  },
  maxPool1d: (g) => {
    const w = poolAxis(g, true);
    const s = [int(g, 1, 2), int(g, 1, 2), w.size];
    const o = { stride: w.s, padding: w.p, dilation: w.d, ceilMode: w.ceil };
    return { fn: (x) => C.maxPool1d(x, w.k, o), inputs: [distinct(g, s)], label: `${S(s)} ${JSON.stringify({ k: w.k, ...o })}` };
  },
  avgPool2d: (g) => {
    const w = pool2dDraw(g, false);
    const o = { ...w.options, countIncludePad: g.nextFloat() < 0.5, divisorOverride: g.nextFloat() < 0.2 ? 3 : undefined };
    return { fn: (x) => C.avgPool2d(x, w.k, o), inputs: [normal(g, w.shape)], label: `${w.label} ${JSON.stringify(o)}` };
  },
  adaptiveAvgPool2d: (g) => {
    const s = [int(g, 1, 2), int(g, 1, 2), int(g, 1, 7), int(g, 1, 7)];
    const o: [number, number] = [int(g, 1, 5), int(g, 1, 5)];
    return { fn: (x) => C.adaptiveAvgPool2d(x, o), inputs: [normal(g, s)], label: `${S(s)} to ${S(o)}` };
  },
  batchNorm2d: (g) => {
    const s = [int(g, 2, 3), int(g, 1, 3), int(g, 1, 3), int(g, 1, 3)];
    const c = s[1]!;
    const fn = (x: Tensor, w: Tensor, b: Tensor): Tensor => C.batchNorm2d(x, { weight: w, bias: b, training: true });
    return { fn, inputs: [normal(g, s, 2), normal(g, [c]), normal(g, [c])], label: S(s) };
  },
  groupNorm: (g) => {
    const groups = int(g, 1, 3);
    const s = [int(g, 1, 2), groups * int(g, 1, 2), int(g, 2, 3), int(g, 1, 3)];
    const c = s[1]!;
    const fn = (x: Tensor, w: Tensor, b: Tensor): Tensor => C.groupNorm(x, groups, w, b);
    return { fn, inputs: [normal(g, s, 2), normal(g, [c]), normal(g, [c])], label: `${S(s)} groups ${groups}` };
  },
  // layer norm: the fused op over the last one or two axes, with weight and bias
  layerNorm: (g) => {
    const k = int(g, 1, 2);
    const norm = Array.from({ length: k }, () => int(g, 2, 4));
    const s = [...shape(g, 0, 2, 3), ...norm];
    const fn = (x: Tensor, w: Tensor, b: Tensor): Tensor => C.layerNorm(x, norm, w, b);
    return { fn, inputs: [normal(g, s, 2), normal(g, norm), normal(g, norm)], label: `${S(s)} over ${S(norm)}` };
  },
  // fused causal attention: scaledDotProductAttention with isCausal alone
  causalAttention: (g) => {
    const lead = shape(g, 1, 2, 2);
    const [t, e, ev] = [int(g, 1, 5), int(g, 1, 5), int(g, 1, 5)];
    const scale = 0.3 + 0.7 * g.nextFloat();
    const fn = (q: Tensor, k: Tensor, v: Tensor): Tensor => C.scaledDotProductAttention(q, k, v, { isCausal: true, scale });
    const inputs = [normal(g, [...lead, t, e]), normal(g, [...lead, t, e]), normal(g, [...lead, t, ev])];
    return { fn, inputs, label: `${S([...lead, t, e])} v ${S([...lead, t, ev])} scale ${scale}` };
  },
};

/** One axis of a pooling window: kernel, stride, padding (≤ k/2), dilation and an input size it fits. */
function poolAxis(g: Generator, dilate: boolean): { k: number; s: number; p: number; d: number; size: number; ceil: boolean } {
  const k = int(g, 1, 3);
  const d = dilate ? int(g, 1, 2) : 1;
  const p = int(g, 0, Math.floor(k / 2));
  const span = d * (k - 1) + 1;
  return { k, s: int(g, 1, 3), p, d, size: int(g, d > 1 ? span : Math.max(span - 2 * p, 1), span + 3), ceil: g.nextFloat() < 0.5 };
}

/** A random 2-D pooling geometry on an `[N, C, H, W]` (or `[C, H, W]`) input. */
function pool2dDraw(g: Generator, dilate: boolean) {
  const [a, b] = [poolAxis(g, dilate), poolAxis(g, dilate)];
  const lead = g.nextFloat() < 0.3 ? [int(g, 1, 2)] : [int(g, 1, 2), int(g, 1, 2)];
  const shape = [...lead, a.size, b.size];
  const k: [number, number] = [a.k, b.k];
  const options = { stride: [a.s, b.s] as [number, number], padding: [a.p, b.p] as [number, number], ceilMode: a.ceil, ...(dilate ? { dilation: [a.d, b.d] as [number, number] } : {}) };
  return { shape, k, options, label: `${S(shape)} k ${S(k)} ${JSON.stringify(options)}` };
}

