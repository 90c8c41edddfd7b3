/**
 * The ONNX mapping of the pooling, 2-D normalisation and shape layers (opset 17):
 * `MaxPool`, `AveragePool`, `GlobalAveragePool`, `BatchNormalization`, GroupNorm written
 * out in elementary ops (opset 17 has no GroupNormalization), `Reshape` for `Unflatten`,
 * and nothing for `Dropout2d`. Registered with the other layers by `export.ts`.
 * @module
 */
import { OnnxError } from '../../../errors.js';
import { Dropout2d } from '../../../nn/dropout2d.js';
import { BatchNorm2d, GroupNorm } from '../../../nn/norm2d.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../../nn/pool.js';
import { Unflatten } from '../../../nn/unflatten.js';
import type { Size2 } from '../../../ops/pool.js';
import { type Dim, floatAttr, intAttr, intsAttr, type ValueType } from './graph.js';
import { type LayerContext, describeLayer, layerLocation, registerOnnxLayer, reshapeWithTail } from './layers.js';

const pairOf = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** ONNX pooling works on batched inputs: `[N, C, L]` or `[N, C, H, W]`. */
function needRank(ctx: LayerContext, rank: number): void {
  if (ctx.inShape.length !== rank) {
    throw new OnnxError(
      `ONNX export: cannot export ${describeLayer(ctx.path, ctx.module)}: ONNX pooling needs a batched ${rank}-D input, the sample input gives it [${ctx.inShape.join(', ')}]`,
      layerLocation(ctx.path, ctx.module),
    );
  }
}

function refuse(ctx: LayerContext, why: string): never {
  throw new OnnxError(`ONNX export: cannot export ${describeLayer(ctx.path, ctx.module)}: ${why}`, layerLocation(ctx.path, ctx.module));
}

registerOnnxLayer(MaxPool2d, (ctx) => {
  needRank(ctx, 4);
  const m = ctx.module;
  const [ph, pw] = pairOf(m.padding);
  return ctx.g.op('MaxPool', [ctx.input], {
    output: ctx.name('MaxPool'),
    attrs: [
      intsAttr('kernel_shape', pairOf(m.kernelSize)),
      intsAttr('strides', pairOf(m.stride)),
      intsAttr('pads', [ph, pw, ph, pw]),
      intsAttr('dilations', pairOf(m.dilation)),
      intAttr('ceil_mode', m.ceilMode ? 1 : 0),
    ],
    type: ctx.outType,
  });
});

registerOnnxLayer(MaxPool1d, (ctx) => {
  needRank(ctx, 3);
  const m = ctx.module;
  return ctx.g.op('MaxPool', [ctx.input], {
    output: ctx.name('MaxPool'),
    attrs: [
      intsAttr('kernel_shape', [m.kernelSize]),
      intsAttr('strides', [m.stride]),
      intsAttr('pads', [m.padding, m.padding]),
      intsAttr('dilations', [m.dilation]),
      intAttr('ceil_mode', m.ceilMode ? 1 : 0),
    ],
    type: ctx.outType,
  });
});

registerOnnxLayer(AvgPool2d, (ctx) => {
  needRank(ctx, 4);
  const m = ctx.module;
  if (m.divisorOverride !== null) refuse(ctx, 'ONNX AveragePool has no divisor override (divisorOverride is set)');
  const [ph, pw] = pairOf(m.padding);
  return ctx.g.op('AveragePool', [ctx.input], {
    output: ctx.name('AveragePool'),
    attrs: [
      intsAttr('kernel_shape', pairOf(m.kernelSize)),
      intsAttr('strides', pairOf(m.stride)),
      intsAttr('pads', [ph, pw, ph, pw]),
      intAttr('ceil_mode', m.ceilMode ? 1 : 0),
      intAttr('count_include_pad', m.countIncludePad ? 1 : 0),
    ],
    type: ctx.outType,
  });
});

// Adaptive pooling: GlobalAveragePool for a 1×1 output; AveragePool with kernel = stride =
// input / output when the input divides evenly (then the adaptive windows are exactly those).
registerOnnxLayer(AdaptiveAvgPool2d, (ctx) => {
  needRank(ctx, 4);
  const [h, w] = [ctx.inShape[2]!, ctx.inShape[3]!];
  const o = ctx.module.outputSize;
  const [oh, ow] = typeof o === 'number' ? [o, o] : [o[0] ?? h, o[1] ?? w];
  if (oh === 1 && ow === 1) return ctx.g.op('GlobalAveragePool', [ctx.input], { output: ctx.name('GlobalAveragePool'), type: ctx.outType });
  if (h % oh !== 0 || w % ow !== 0) {
    refuse(ctx, `ONNX has no adaptive pooling, and the input ${h}x${w} does not divide evenly into the output ${oh}x${ow}`);
  }
  const k = [h / oh, w / ow];
  return ctx.g.op('AveragePool', [ctx.input], {
    output: ctx.name('AveragePool'),
    attrs: [intsAttr('kernel_shape', k), intsAttr('strides', k)],
    type: ctx.outType,
  });
});

registerOnnxLayer(Dropout2d, (ctx) => ctx.input);

/**
 * `(x − mean) / √(var + eps)` over `axes` (kept), in elementary ops; `stat` is the type of
 * the statistics.
 */
function normalize(ctx: LayerContext, x: string, xType: ValueType, axes: number[], stat: ValueType, eps: number): string {
  const { g } = ctx;
  const reduce = [intsAttr('axes', axes), intAttr('keepdims', 1)];
  const mu = g.op('ReduceMean', [x], { output: ctx.name('mean'), attrs: reduce, type: stat });
  const d = g.op('Sub', [x, mu], { output: ctx.name('centred'), type: xType });
  const sq = g.op('Mul', [d, d], { output: ctx.name('squared'), type: xType });
  const v = g.op('ReduceMean', [sq], { output: ctx.name('var'), attrs: reduce, type: stat });
  const ve = g.op('Add', [v, g.constFloats(ctx.name('eps'), [], [eps])], { output: ctx.name('var_eps'), type: stat });
  const sd = g.op('Sqrt', [ve], { output: ctx.name('std'), type: stat });
  return g.op('Div', [d, sd], { output: ctx.name('normalized'), type: xType });
}

/** `y · weight + bias` with per-channel `[C]` tensors (or none) reshaped to `[C, 1, ...]`. */
function affine(ctx: LayerContext<BatchNorm2d | GroupNorm>, y: string, c: number): string {
  const { g, module: m } = ctx;
  if (!m.weight && !m.bias) return y;
  const trailing = ctx.inShape.length - 2;
  const dims = [c, ...Array.from({ length: trailing }, () => 1)];
  const shape = g.constInts(ctx.name('channel_shape'), [dims.length], dims);
  const stat: ValueType = { elem: 'float', dims };
  let out = y;
  if (m.weight) {
    const w = g.op('Reshape', [ctx.weight('weight', m.weight), shape], { output: ctx.name('scale'), type: stat });
    out = g.op('Mul', [out, w], { output: ctx.name('scaled'), type: ctx.inType });
  }
  if (m.bias) {
    const b = g.op('Reshape', [ctx.weight('bias', m.bias), shape], { output: ctx.name('shift'), type: stat });
    out = g.op('Add', [out, b], { output: ctx.name('shifted'), type: ctx.outType });
  }
  return out;
}

// BatchNorm2d in evaluation mode: BatchNormalization with the running statistics. Without
// running statistics Cortex normalises with the batch's own statistics (ReduceMean).
registerOnnxLayer(BatchNorm2d, (ctx) => {
  needRank(ctx, 4);
  const { g, module: m } = ctx;
  const c = m.numFeatures;
  if (m.runningMean && m.runningVar) {
    const scale = m.weight ? ctx.weight('weight', m.weight) : g.constFloats(ctx.name('ones'), [c], new Float32Array(c).fill(1));
    const bias = m.bias ? ctx.weight('bias', m.bias) : g.constFloats(ctx.name('zeros'), [c], new Float32Array(c));
    const inputs = [ctx.input, scale, bias, ctx.weight('runningMean', m.runningMean), ctx.weight('runningVar', m.runningVar)];
    return g.op('BatchNormalization', inputs, { output: ctx.name('BatchNormalization'), attrs: [floatAttr('epsilon', m.eps)], type: ctx.outType });
  }
  const stat: ValueType = { elem: 'float', dims: [1, c, 1, 1] };
  return affine(ctx, normalize(ctx, ctx.input, ctx.inType, [0, 2, 3], stat, m.eps), c);
});

// GroupNorm: Reshape to [N, G, rest], normalise over axis 2, Reshape back to the input's
// shape, then the per-channel scale and shift.
registerOnnxLayer(GroupNorm, (ctx) => {
  const { g, module: m } = ctx;
  const batch: Dim = ctx.inType.dims[0] ?? null;
  const rest = ctx.inShape.slice(1).reduce((a, b) => a * b, 1) / m.numGroups;
  const grouped: ValueType = { elem: 'float', dims: [batch, m.numGroups, rest] };
  const gs = g.constInts(ctx.name('group_shape'), [3], [0, m.numGroups, rest]);
  const x = g.op('Reshape', [ctx.input, gs], { output: ctx.name('grouped'), type: grouped });
  const stat: ValueType = { elem: 'float', dims: [batch, m.numGroups, 1] };
  const z = normalize(ctx, x, grouped, [2], stat, m.eps);
  const back = g.constInts(ctx.name('input_shape'), [ctx.inShape.length], [0, ...ctx.inShape.slice(1)]);
  const y = g.op('Reshape', [z, back], { output: ctx.name('ungrouped'), type: ctx.inType });
  return affine(ctx, y, m.numChannels);
});

// Unflatten: a Reshape that copies the dimensions before the split one (0, so a batch
// there stays symbolic), spells out the split, and keeps the trailing ones.
registerOnnxLayer(Unflatten, (ctx) => {
  const m = ctx.module;
  const r = ctx.inShape.length;
  const d = m.dim < 0 ? m.dim + r : m.dim;
  if (d === 0) refuse(ctx, 'unflattening the batch dimension (dim 0) is not exported');
  return reshapeWithTail(ctx, [...ctx.inShape.slice(0, d).map(() => 0), ...m.sizes], d + 1);
});

