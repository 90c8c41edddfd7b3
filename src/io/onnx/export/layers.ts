/**
 * The ONNX mapping of each layer class: one visitor per class in a table, so a new layer
 * adds one entry ({@link registerOnnxLayer}). A visitor receives the layer, the name of
 * its input value and the shapes recorded on the sample input, adds nodes and
 * initializers, and returns the name of its output value.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import { ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh } from '../../../nn/activation.js';
import { Sequential } from '../../../nn/container.js';
import { Dropout } from '../../../nn/dropout.js';
import { Embedding, Flatten, Linear } from '../../../nn/linear.js';
import type { AnyModule } from '../../../nn/module.js';
import { BatchNorm1d, LayerNorm } from '../../../nn/norm.js';
import type { AttentionMaskInputs } from './attention-nodes.js';
import { type Dim, floatAttr, type GraphBuilder, intAttr, intsAttr, type ValueType } from './graph.js';

/** What a {@link LayerVisitor} gets. */
export interface LayerContext<M extends AnyModule = AnyModule> {
  /** The graph being built. */
  readonly g: GraphBuilder;
  /** The layer. */
  readonly module: M;
  /** Its dotted path in the model (`''` for the model itself), as in `namedModules()`. */
  readonly path: string;
  /** The name of the input value. */
  readonly input: string;
  /** The input's element type and shape (`batch` and `seq_len` on its dynamic axes). */
  readonly inType: ValueType;
  /** The output's element type and shape, recorded on the sample input (`batch` and `seq_len` on its dynamic axes). */
  readonly outType: ValueType;
  /** The input's shape as recorded on the sample input (all sizes). */
  readonly inShape: readonly number[];
  /**
   * Exports a sub-module (of a container) on `input` and returns its output value. `inType`
   * is needed when `input` was made by this visitor's own nodes (the output of a visit,
   * or the graph input, has its type recorded).
   */
  visit(child: AnyModule, path: string, input: string, inType?: ValueType): string;
  /** Adds a parameter or buffer as a float32 initializer named `<path>.<name>` and returns that name. */
  weight(name: string, t: Tensor): string;
  /** A value name for this layer's nodes (`<path>/<what>`, made unique). */
  name(what: string): string;
  /** The graph's attention mask inputs (the `masks` option of `exportOnnx`), for the attention layers. */
  readonly attentionMasks?: AttentionMaskInputs;
}

/** Maps one layer to ONNX nodes and returns the name of its output value. */
export type LayerVisitor<M extends AnyModule = AnyModule> = (ctx: LayerContext<M>) => string;

interface Entry {
  cls: abstract new (...args: never[]) => AnyModule;
  visit: LayerVisitor;
}

const TABLE = new Map<abstract new (...args: never[]) => AnyModule, Entry>();

/**
 * Registers the ONNX mapping of a layer class, for `exportOnnx`. The visitor applies to
 * instances of `cls` and of subclasses that keep its `forward`.
 *
 * @example
 * ```ts
 * registerOnnxLayer(Swish, (ctx) => {
 *   const s = ctx.g.op('Sigmoid', [ctx.input], { output: ctx.name('sigmoid'), type: ctx.inType });
 *   return ctx.g.op('Mul', [ctx.input, s], { output: ctx.name('mul'), type: ctx.outType });
 * });
 * ```
 */
export function registerOnnxLayer<M extends AnyModule>(
  cls: abstract new (...args: never[]) => M,
  visit: LayerVisitor<M>,
): void {
  const narrow = (m: AnyModule): M => {
    if (!(m instanceof cls)) throw new OnnxError(`ONNX export: the visitor of ${cls.name} got a ${m.constructor.name}`);
    return m;
  };
  TABLE.set(cls, { cls, visit: (ctx) => visit({ ...ctx, module: narrow(ctx.module) }) });
}

/** Where a layer is, for messages: `'net.3' (MyLayer)`, or `the model (MyModel)` for the root. */
export function describeLayer(path: string, m: AnyModule): string {
  return path === '' ? `the model (${m.constructor.name})` : `layer '${path}' (${m.constructor.name})`;
}

/** The location of an {@link OnnxError} about a layer. */
export function layerLocation(path: string, m: AnyModule): { layer: string } {
  return { layer: path === '' ? m.constructor.name : `${path} (${m.constructor.name})` };
}

/**
 * The registered mapping of a layer: of its class, or of the nearest registered base
 * class whose `forward` it keeps.
 * @throws {OnnxError} naming the layer's path and class when there is none.
 */
export function visitorFor(m: AnyModule, path: string): Entry {
  for (let proto: unknown = Object.getPrototypeOf(m); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor = (proto as { constructor: abstract new (...args: never[]) => AnyModule }).constructor;
    const entry = TABLE.get(ctor);
    if (entry === undefined) continue;
    if (m.forward !== entry.cls.prototype.forward) {
      throw new OnnxError(
        `ONNX export: cannot export ${describeLayer(path, m)}: it overrides forward() of ${entry.cls.name}, so the ${entry.cls.name} mapping does not apply; register one with registerOnnxLayer(${m.constructor.name}, ...)`,
        layerLocation(path, m),
      );
    }
    return entry;
  }
  throw new OnnxError(
    `ONNX export: cannot export ${describeLayer(path, m)}: no ONNX mapping; build the model from Sequential and Cortex's layers, or register a mapping with registerOnnxLayer(${m.constructor.name}, ...)`,
    layerLocation(path, m),
  );
}

function unary(op: string, attrs: (m: AnyModule) => ReturnType<typeof floatAttr>[] = () => []): LayerVisitor {
  return (ctx) => ctx.g.op(op, [ctx.input], { output: ctx.name(op), attrs: attrs(ctx.module), type: ctx.outType });
}

/** Layers that are the identity in evaluation mode emit nothing: the output is the input. */
const passThrough: LayerVisitor = (ctx) => ctx.input;

registerOnnxLayer(Sequential, (ctx) => {
  let x = ctx.input;
  let i = 0;
  for (const child of ctx.module) {
    x = ctx.visit(child, ctx.path === '' ? String(i) : `${ctx.path}.${i}`, x);
    i++;
  }
  return x;
});

registerOnnxLayer(Identity, passThrough);
registerOnnxLayer(Dropout, passThrough);
registerOnnxLayer(Sigmoid, unary('Sigmoid'));
registerOnnxLayer(Tanh, unary('Tanh'));
registerOnnxLayer(ReLU, unary('Relu'));
registerOnnxLayer(Softplus, unary('Softplus'));
registerOnnxLayer(LeakyReLU, (ctx) => unary('LeakyRelu', () => [floatAttr('alpha', ctx.module.negativeSlope)])(ctx));
registerOnnxLayer(ELU, (ctx) => unary('Elu', () => [floatAttr('alpha', ctx.module.alpha)])(ctx));
registerOnnxLayer(Softmax, (ctx) => unary('Softmax', () => [intAttr('axis', ctx.module.dim)])(ctx));
registerOnnxLayer(LogSoftmax, (ctx) => unary('LogSoftmax', () => [intAttr('axis', ctx.module.dim)])(ctx));

// GELU with the exact Gaussian CDF, as Cortex computes it: 0.5·x·(1 + erf(x/√2)).
// (The Gelu operator is opset 20; this is its definition in opset-17 ops.)
/** The nodes of exact GELU on `input` of type `type`; `name` makes value names. Returns the output. */
export function geluNodes(g: GraphBuilder, input: string, type: ValueType, name: (what: string) => string): string {
  const scaled = g.op('Mul', [input, g.constFloats(name('inv_sqrt2'), [], [Math.SQRT1_2])], { output: name('scaled'), type });
  const erf = g.op('Erf', [scaled], { output: name('erf'), type });
  const plus = g.op('Add', [erf, g.constFloats(name('one'), [], [1])], { output: name('cdf2'), type });
  const half = g.op('Mul', [input, g.constFloats(name('half'), [], [0.5])], { output: name('half_x'), type });
  return g.op('Mul', [half, plus], { output: name('Gelu'), type });
}

registerOnnxLayer(GELU, (ctx) => geluNodes(ctx.g, ctx.input, ctx.outType, ctx.name));

// Linear: Gemm (transB = 1) on 2-D inputs; MatMul with the transposed weight (+ Add) on
// inputs of higher rank. The weight keeps its [out, in] layout and state-dict name.
registerOnnxLayer(Linear, (ctx) => {
  const { g, module: m } = ctx;
  const w = ctx.weight('weight', m.weight);
  const b = m.bias ? ctx.weight('bias', m.bias) : null;
  if (ctx.inShape.length === 2) {
    return g.op('Gemm', [ctx.input, w, ...(b ? [b] : [])], { output: ctx.name('Gemm'), attrs: [intAttr('transB', 1)], type: ctx.outType });
  }
  const wt = g.op('Transpose', [w], { output: ctx.name('weight_t'), attrs: [intsAttr('perm', [1, 0])], type: { elem: 'float', dims: [m.inFeatures, m.outFeatures] } });
  const y = g.op('MatMul', [ctx.input, wt], { output: ctx.name('MatMul'), type: ctx.outType });
  return b ? g.op('Add', [y, b], { output: ctx.name('Add'), type: ctx.outType }) : y;
});

/**
 * A `Reshape` of the layer's input to `head` (sizes, `0` to copy an input dimension at the
 * same index, `-1` for the rest) followed by the input's dimensions from `tailFrom` on:
 * constants, or read from the input's shape at run time when one of them is symbolic.
 */
export function reshapeWithTail(ctx: LayerContext, head: readonly number[], tailFrom: number): string {
  const { g, inShape } = ctx;
  const rank = head.length + inShape.length - tailFrom;
  let shape: string;
  if (ctx.inType.dims.slice(tailFrom).every((d) => typeof d === 'number')) shape = g.constInts(ctx.name('shape'), [rank], [...head, ...inShape.slice(tailFrom)]);
  else {
    const tail = g.op('Shape', [ctx.input], { output: ctx.name('tail'), attrs: [intAttr('start', tailFrom)], type: { elem: 'int64', dims: [inShape.length - tailFrom] } });
    const lead = g.constInts(ctx.name('head'), [head.length], head);
    shape = g.op('Concat', [lead, tail], { output: ctx.name('shape'), attrs: [intAttr('axis', 0)], type: { elem: 'int64', dims: [rank] } });
  }
  return g.op('Reshape', [ctx.input, shape], { output: ctx.name('Reshape'), type: ctx.outType });
}

// Flatten(1, -1) is ONNX Flatten(axis = 1); any other range is a Reshape that copies the
// leading dimensions (0), merges the range (−1) and keeps the trailing ones.
registerOnnxLayer(Flatten, (ctx) => {
  const { g, module: m, inShape } = ctx;
  const r = inShape.length;
  const start = m.startDim < 0 ? m.startDim + r : m.startDim;
  const end = m.endDim < 0 ? m.endDim + r : m.endDim;
  if (start === 1 && end === r - 1) return g.op('Flatten', [ctx.input], { output: ctx.name('Flatten'), attrs: [intAttr('axis', 1)], type: ctx.outType });
  return reshapeWithTail(ctx, [...inShape.slice(0, start).map(() => 0), -1], end + 1);
});

// Embedding: Gather rows of the table; the indices are an int64 input.
registerOnnxLayer(Embedding, (ctx) => {
  const w = ctx.weight('weight', ctx.module.weight);
  return ctx.g.op('Gather', [w, ctx.input], { output: ctx.name('Gather'), attrs: [intAttr('axis', 0)], type: ctx.outType });
});

registerOnnxLayer(LayerNorm, (ctx) => {
  const { g, module: m } = ctx;
  const k = m.normalizedShape.length;
  const n = m.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = m.weight ? ctx.weight('weight', m.weight) : g.constFloats(ctx.name('ones'), m.normalizedShape, new Float32Array(n).fill(1));
  const inputs = [ctx.input, scale, ...(m.bias ? [ctx.weight('bias', m.bias)] : [])];
  return g.op('LayerNormalization', inputs, {
    output: ctx.name('LayerNormalization'),
    attrs: [intAttr('axis', -k), floatAttr('epsilon', m.eps)],
    type: ctx.outType,
  });
});

// BatchNorm1d in evaluation mode: BatchNormalization with the running statistics, on
// [N, C] or [N, C, L]. Without running statistics Cortex normalises with the batch's own
// statistics, which is written out with ReduceMean.
registerOnnxLayer(BatchNorm1d, (ctx) => {
  const { g, module: m } = ctx;
  const c = m.numFeatures;
  const scale = m.weight ? ctx.weight('weight', m.weight) : g.constFloats(ctx.name('ones'), [c], new Float32Array(c).fill(1));
  const bias = m.bias ? ctx.weight('bias', m.bias) : g.constFloats(ctx.name('zeros'), [c], new Float32Array(c));
  if (m.runningMean && m.runningVar) {
    const mean = ctx.weight('runningMean', m.runningMean);
    const v = ctx.weight('runningVar', m.runningVar);
    return g.op('BatchNormalization', [ctx.input, scale, bias, mean, v], {
      output: ctx.name('BatchNormalization'),
      attrs: [floatAttr('epsilon', m.eps)],
      type: ctx.outType,
    });
  }
  const rank = ctx.inShape.length;
  const axes = rank === 2 ? [0] : [0, 2];
  const statDims: Dim[] = rank === 2 ? [1, c] : [1, c, 1];
  const stat: ValueType = { elem: 'float', dims: statDims };
  const mu = g.op('ReduceMean', [ctx.input], { output: ctx.name('mean'), attrs: [intsAttr('axes', axes), intAttr('keepdims', 1)], type: stat });
  const d = g.op('Sub', [ctx.input, mu], { output: ctx.name('centred'), type: ctx.inType });
  const sq = g.op('Mul', [d, d], { output: ctx.name('squared'), type: ctx.inType });
  const v = g.op('ReduceMean', [sq], { output: ctx.name('var'), attrs: [intsAttr('axes', axes), intAttr('keepdims', 1)], type: stat });
  const ve = g.op('Add', [v, g.constFloats(ctx.name('eps'), [], [m.eps])], { output: ctx.name('var_eps'), type: stat });
  const sd = g.op('Sqrt', [ve], { output: ctx.name('std'), type: stat });
  const z = g.op('Div', [d, sd], { output: ctx.name('normalized'), type: ctx.inType });
  const shape = g.constInts(ctx.name('stat_shape'), [statDims.length], statDims.map((x) => (typeof x === 'number' ? x : 1)));
  const s2 = g.op('Reshape', [scale, shape], { output: ctx.name('scale'), type: stat });
  const b2 = g.op('Reshape', [bias, shape], { output: ctx.name('shift'), type: stat });
  const y = g.op('Mul', [z, s2], { output: ctx.name('scaled'), type: ctx.inType });
  return g.op('Add', [y, b2], { output: ctx.name('BatchNorm'), type: ctx.outType });
});
