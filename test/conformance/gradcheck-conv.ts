/**
 * Gradient-check cases of the convolutions: random small shapes with random
 * stride, padding (numbers, pairs, 'same', 'valid'), dilation, groups
 * (depthwise included) and bias, checked wrt input, weight and bias.
 * @module
 */
import * as C from '../../src/index.js';
import type { ConvPadding, Tensor } from '../../src/index.js';
import type { Generator } from '../../src/tensor/random.js';
import type { Builder } from './gradcheck-cases.js';
import { int, normal } from './random-inputs.js';

/** One of the values, drawn uniformly. */
function pick<T>(g: Generator, values: readonly T[]): T {
  return values[int(g, 0, values.length - 1)]!;
}

/** Channel layout: groups, input and output channels per group (depthwise: one input channel per group). */
function channels(g: Generator): { groups: number; cg: number; og: number } {
  const groups = int(g, 1, 3);
  return { groups, cg: groups > 1 && g.nextFloat() < 0.4 ? 1 : int(g, 1, 2), og: int(g, 1, 2) };
}

/** The inputs (input, weight and maybe bias) and the function that convolves them with `options`. */
function withBias<O>(
  g: Generator,
  conv: (x: Tensor, w: Tensor, b: Tensor | undefined, o: O) => Tensor,
  xs: number[],
  ws: number[],
  out: number,
  options: O,
): { fn: (...t: Tensor[]) => Tensor; inputs: Tensor[] } {
  const inputs = [normal(g, xs), normal(g, ws, 0.5)];
  if (g.nextFloat() < 0.7) inputs.push(normal(g, [out]));
  return { fn: (x, w, b) => conv(x!, w!, b, options), inputs };
}

/** A conv over `nd` spatial axes (1 or 2) with drawn options. */
function convCase(nd: 1 | 2): Builder {
  return (g) => {
    const { groups, cg, og } = channels(g);
    const kernel = Array.from({ length: nd }, () => int(g, 1, 3));
    const dilation = kernel.map(() => int(g, 1, 2));
    const mode = pick(g, ['number', 'list', 'same', 'valid'] as const);
    const stride = mode === 'same' ? 1 : kernel.map(() => int(g, 1, 2));
    let padding: ConvPadding = int(g, 0, 2);
    if (mode === 'list') padding = kernel.map(() => int(g, 0, 1));
    if (mode === 'same' || mode === 'valid') padding = mode;
    const size = kernel.map((k, i) => dilation[i]! * (k - 1) + 1 + int(g, 0, 3));
    const n = int(g, 1, 2);
    const options = { stride, padding, dilation, groups };
    const op = nd === 1 ? C.conv1d : C.conv2d;
    const drawn = withBias(g, op, [n, cg * groups, ...size], [og * groups, cg, ...kernel], og * groups, options);
    return { ...drawn, label: `x [${n},${cg * groups},${size}] k [${kernel}] ${JSON.stringify(options)}` };
  };
}

/** A transposed 2-D conv with drawn options. */
const convTransposeCase: Builder = (g) => {
  const { groups, cg, og } = channels(g);
  const kernel = [int(g, 1, 3), int(g, 1, 3)];
  const stride = [int(g, 1, 3), int(g, 1, 2)];
  const dilation = [int(g, 1, 2), int(g, 1, 2)];
  const size = [int(g, 1, 3), int(g, 1, 3)];
  // Padding may not exceed what the output has: keep every output size ≥ 1.
  const padding = kernel.map((k, i) => Math.min(int(g, 0, 1), Math.floor(((size[i]! - 1) * stride[i]! + dilation[i]! * (k - 1)) / 2)));
  const outputPadding = stride.map((s, i) => int(g, 0, Math.max(s, dilation[i]!) - 1));
  const n = int(g, 1, 2);
  const options = { stride, padding, dilation, groups, outputPadding };
  const drawn = withBias(g, C.convTranspose2d, [n, cg * groups, ...size], [cg * groups, og, ...kernel], og * groups, options);
  return { ...drawn, label: `x [${n},${cg * groups},${size}] k [${kernel}] ${JSON.stringify(options)}` };
};

/** The convolution cases, by op name. */
export const CONV_GRADCHECK_CASES: Readonly<Record<string, Builder>> = {
  conv1d: convCase(1),
  conv2d: convCase(2),
  convTranspose2d: convTransposeCase,
};
