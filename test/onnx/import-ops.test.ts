import { describe, expect, it } from 'vitest';
import { gradcheck, importOnnx, manualSeed, randn, type Tensor, tensor } from '../../src/index.js';
import type { TensorProto } from '../../src/io/onnx/proto.js';
import { attr, buildModel, errors, floatTensorProto, int64TensorProto, type NodeSpec, ortRun } from './helpers.js';

/** A hand-built graph run by Cortex and by onnxruntime on the same random float inputs. */
interface Case {
  name: string;
  opset?: number;
  nodes: NodeSpec[];
  inputs: { name: string; shape: number[] }[];
  /** Float initializers (random, of these shapes) and int64 ones (these values). */
  weights?: Record<string, number[]>;
  ints?: Record<string, number[]>;
  /** Float initializers with fixed values (1-d). */
  constants?: Record<string, number[]>;
  /** Output names; `:int` marks an int64 output, `:bool` a bool one. */
  outputs: string[];
}

const n = (op: string, inputs: string[], outputs: string[], attrs: NodeSpec['attrs'] = []): NodeSpec => ({ op, inputs, outputs, attrs });
const one = (op: string, attrs: NodeSpec['attrs'] = [], inputs = ['x']): NodeSpec => n(op, inputs, ['y'], attrs);

const CASES: Case[] = [
  {
    name: 'Conv: asymmetric pads, strides, dilations, bias',
    inputs: [{ name: 'x', shape: [2, 3, 7, 6] }],
    weights: { w: [4, 3, 3, 2], b: [4] },
    nodes: [one('Conv', [attr.ints('pads', [1, 0, 0, 2]), attr.ints('strides', [2, 1]), attr.ints('dilations', [2, 1])], ['x', 'w', 'b'])],
    outputs: ['y'],
  },
  {
    name: 'Conv: 1-d with auto_pad SAME_UPPER and stride 2',
    inputs: [{ name: 'x', shape: [2, 2, 9] }],
    weights: { w: [3, 2, 4] },
    nodes: [one('Conv', [attr.string('auto_pad', 'SAME_UPPER'), attr.ints('strides', [2]), attr.ints('kernel_shape', [4])], ['x', 'w'])],
    outputs: ['y'],
  },
  {
    name: 'Conv: depthwise (group = channels)',
    inputs: [{ name: 'x', shape: [1, 3, 5, 5] }],
    weights: { w: [6, 1, 3, 3] },
    nodes: [one('Conv', [attr.int('group', 3), attr.ints('pads', [1, 1, 1, 1])], ['x', 'w'])],
    outputs: ['y'],
  },
  {
    name: 'ConvTranspose: grouped, strided, dilated, with pads and output_padding; 1-d with output_shape',
    inputs: [
      { name: 'x', shape: [2, 4, 3, 5] },
      { name: 'v', shape: [1, 2, 4] },
    ],
    weights: { w: [4, 3, 3, 2], b: [6], w1: [2, 3, 3] },
    nodes: [
      n('ConvTranspose', ['x', 'w', 'b'], ['y0'], [
        attr.int('group', 2),
        attr.ints('strides', [2, 3]),
        attr.ints('dilations', [2, 1]),
        attr.ints('pads', [1, 0, 2, 1]),
        attr.ints('output_padding', [1, 2]),
      ]),
      n('ConvTranspose', ['v', 'w1'], ['y1'], [attr.ints('strides', [2]), attr.ints('output_shape', [9])]),
    ],
    outputs: ['y0', 'y1'],
  },
  {
    name: 'Resize: nearest and linear, by scales and by sizes, in four coordinate modes',
    opset: 13,
    inputs: [{ name: 'x', shape: [1, 2, 4, 5] }],
    constants: { up: [1, 1, 2, 1.5], down: [1, 1, 0.6, 0.5], none: [] },
    ints: { size: [1, 2, 7, 3] },
    nodes: [
      n('Resize', ['x', '', 'up'], ['y0'], [attr.string('mode', 'nearest')]),
      n('Resize', ['x', '', '', 'size'], ['y1'], [attr.string('mode', 'nearest'), attr.string('coordinate_transformation_mode', 'asymmetric'), attr.string('nearest_mode', 'ceil')]),
      n('Resize', ['x', '', 'up'], ['y2'], [attr.string('mode', 'linear')]),
      n('Resize', ['x', '', 'down'], ['y3'], [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', 'align_corners')]),
      n('Resize', ['x', '', '', 'size'], ['y4'], [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', 'pytorch_half_pixel')]),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3', 'y4'],
  },
  {
    name: 'Upsample (opset 9)',
    opset: 9,
    inputs: [{ name: 'x', shape: [1, 1, 3, 2] }],
    constants: { sc: [1, 1, 2, 3] },
    nodes: [n('Upsample', ['x', 'sc'], ['y0']), n('Upsample', ['x', 'sc'], ['y1'], [attr.string('mode', 'linear')])],
    outputs: ['y0', 'y1'],
  },
  {
    name: 'AveragePool: pads, ceil_mode, without and with count_include_pad',
    inputs: [{ name: 'x', shape: [1, 2, 6, 7] }],
    nodes: [
      n('AveragePool', ['x'], ['y0'], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1]), attr.int('ceil_mode', 1)]),
      n('AveragePool', ['x'], ['y1'], [attr.ints('kernel_shape', [3, 2]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 0, 1, 1]), attr.int('count_include_pad', 1)]),
    ],
    outputs: ['y0', 'y1'],
  },
  {
    name: 'MaxPool: ceil_mode and pads; global pools',
    inputs: [{ name: 'x', shape: [2, 3, 5, 5] }],
    nodes: [
      n('MaxPool', ['x'], ['y0'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2]), attr.ints('pads', [0, 0, 1, 1]), attr.int('ceil_mode', 1)]),
      n('MaxPool', ['x'], ['y1'], [attr.ints('kernel_shape', [3, 3]), attr.ints('dilations', [2, 1])]),
      n('GlobalAveragePool', ['x'], ['y2']),
      n('GlobalMaxPool', ['x'], ['y3']),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3'],
  },
  {
    name: 'LSTM: bidirectional with biases and initial states; Y, Y_h, Y_c',
    inputs: [
      { name: 'x', shape: [4, 2, 3] },
      { name: 'h0', shape: [2, 2, 5] },
      { name: 'c0', shape: [2, 2, 5] },
    ],
    weights: { W: [2, 20, 3], R: [2, 20, 5], B: [2, 40] },
    nodes: [n('LSTM', ['x', 'W', 'R', 'B', '', 'h0', 'c0'], ['Y', 'Yh', 'Yc'], [attr.int('hidden_size', 5), attr.string('direction', 'bidirectional')])],
    outputs: ['Y', 'Yh', 'Yc'],
  },
  {
    name: 'LSTM: reverse, no bias',
    opset: 14,
    inputs: [{ name: 'x', shape: [3, 2, 4] }],
    weights: { W: [1, 12, 4], R: [1, 12, 3] },
    nodes: [n('LSTM', ['x', 'W', 'R'], ['Y', 'Yh'], [attr.int('hidden_size', 3), attr.string('direction', 'reverse')])],
    outputs: ['Y', 'Yh'],
  },
  {
    name: 'GRU: bidirectional, and linear_before_reset',
    inputs: [{ name: 'x', shape: [3, 2, 4] }],
    weights: { W: [2, 9, 4], R: [2, 9, 3], B: [2, 18], W1: [1, 9, 4], R1: [1, 9, 3], B1: [1, 18] },
    nodes: [
      n('GRU', ['x', 'W', 'R', 'B'], ['Y0', 'Yh0'], [attr.int('hidden_size', 3), attr.string('direction', 'bidirectional')]),
      n('GRU', ['x', 'W1', 'R1', 'B1'], ['Y1'], [attr.int('hidden_size', 3), attr.int('linear_before_reset', 1)]),
    ],
    outputs: ['Y0', 'Yh0', 'Y1'],
  },
  {
    name: 'Slice with negative steps and axes; Gather with 2-d and negative indices',
    inputs: [{ name: 'x', shape: [4, 5, 6] }],
    ints: { starts: [-1, 0], ends: [-10, 6], axes: [0, 2], steps: [-2, 3], idx: [0, 2, 1, -1] },
    nodes: [
      n('Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['y0']),
      n('Reshape', ['idx', 'shape22'], ['idx2']),
      n('Gather', ['x', 'idx2'], ['y1'], [attr.int('axis', 1)]),
    ],
    outputs: ['y0', 'y1'],
  },
  {
    name: 'Split (sizes as input), Concat, Transpose, Flatten, Reshape with 0 and -1',
    inputs: [{ name: 'x', shape: [2, 4, 3] }],
    ints: { sizes: [1, 3], shape: [0, -1, 2] },
    nodes: [
      n('Split', ['x', 'sizes'], ['a', 'b'], [attr.int('axis', 1)]),
      n('Concat', ['b', 'a'], ['c'], [attr.int('axis', 1)]),
      n('Transpose', ['c'], ['y0'], [attr.ints('perm', [2, 0, 1])]),
      n('Flatten', ['c'], ['y1'], [attr.int('axis', 2)]),
      n('Reshape', ['c', 'shape'], ['y2']),
    ],
    outputs: ['y0', 'y1', 'y2'],
  },
  {
    name: 'opset 11: Softmax flattens at axis, Split and Unsqueeze/Squeeze axes as attributes',
    opset: 11,
    inputs: [{ name: 'x', shape: [2, 3, 4] }],
    nodes: [
      n('Softmax', ['x'], ['y0'], [attr.int('axis', 1)]),
      n('LogSoftmax', ['x'], ['y1']),
      n('Split', ['x'], ['s0', 's1'], [attr.int('axis', 2), attr.ints('split', [3, 1])]),
      n('Unsqueeze', ['s1'], ['u'], [attr.ints('axes', [0, 4])]),
      n('Squeeze', ['u'], ['y2'], [attr.ints('axes', [0, -1])]),
      n('ReduceMean', ['s0'], ['y3'], [attr.ints('axes', [1]), attr.int('keepdims', 0)]),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3'],
  },
  {
    name: 'elementwise math and activations',
    inputs: [{ name: 'x', shape: [3, 4] }],
    weights: { w: [4] },
    constants: { four: [4], halves: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] },
    nodes: [
      n('Abs', ['x'], ['ax']),
      n('Sqrt', ['ax'], ['y0']),
      n('Pow', ['ax', 'w'], ['y1']),
      n('Exp', ['x'], ['y2']),
      n('Log', ['ax'], ['y3']),
      n('Erf', ['x'], ['y4']),
      n('Elu', ['x'], ['y5'], [attr.float('alpha', 0.7)]),
      n('LeakyRelu', ['x'], ['y6'], [attr.float('alpha', 0.2)]),
      n('Softplus', ['x'], ['y7']),
      n('HardSigmoid', ['x'], ['y8']),
      n('Reciprocal', ['x'], ['y9']),
      n('Div', ['x', 'w'], ['y10']),
      n('Sub', ['w', 'x'], ['y11']),
      n('Neg', ['x'], ['y12']),
      n('Sigmoid', ['x'], ['y13']),
      n('Tanh', ['x'], ['y14']),
      n('Max', ['x', 'w'], ['y15']),
      n('Mean', ['x', 'w', 'ax'], ['y16']),
      n('Selu', ['x'], ['y17']),
      n('Celu', ['x'], ['y30'], [attr.float('alpha', 0.8)]),
      n('Softsign', ['x'], ['y18']),
      n('PRelu', ['x', 'w'], ['y19']),
      n('HardSwish', ['x'], ['y20']),
      n('Mul', ['x', 'four'], ['x4']),
      n('Floor', ['x4'], ['y21']),
      n('Ceil', ['x4'], ['y22']),
      n('Round', ['x4'], ['y23']),
      n('ReduceL2', ['x'], ['y24'], [attr.ints('axes', [1])]),
      n('ReduceSumSquare', ['x'], ['y25'], [attr.ints('axes', [0]), attr.int('keepdims', 0)]),
      n('ReduceLogSumExp', ['x'], ['y26'], [attr.ints('axes', [1])]),
      n('ArgMax', ['x'], ['y27'], [attr.int('axis', 1)]),
      n('ArgMin', ['x'], ['y28'], [attr.int('axis', 0), attr.int('keepdims', 0)]),
      n('Round', ['halves'], ['y29']),
    ],
    outputs: [...Array.from({ length: 27 }, (_, i) => `y${i}`), 'y27:int', 'y28:int', 'y29', 'y30'],
  },
  {
    name: 'Clip, Where, comparisons, Cast, ReduceSum with axes input',
    opset: 13,
    inputs: [{ name: 'x', shape: [3, 4] }],
    weights: { lo: [], hi: [] },
    ints: { axes: [0] },
    nodes: [
      n('Clip', ['x', 'lo', 'hi'], ['y0']),
      n('Greater', ['x', 'lo'], ['g']),
      n('Where', ['g', 'x', 'hi'], ['y1']),
      n('Cast', ['g'], ['y2'], [attr.int('to', 1)]),
      n('ReduceSum', ['x', 'axes'], ['y3']),
      n('Cast', ['x'], ['xi'], [attr.int('to', 7)]),
      n('Cast', ['xi'], ['y4'], [attr.int('to', 1)]),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3', 'y4'],
  },
  {
    name: 'comparisons and logic (bool outputs), Sign, Size, Min, Sum, ReduceMax/Min, Identity, Dropout with mask',
    inputs: [
      { name: 'x', shape: [3, 4] },
      { name: 'z', shape: [4] },
    ],
    constants: { half: [0.5] },
    nodes: [
      n('Less', ['x', 'z'], ['lt']),
      n('GreaterOrEqual', ['x', 'half'], ['ge']),
      n('LessOrEqual', ['z', 'half'], ['le']),
      n('Round', ['x'], ['rx']),
      n('Round', ['z'], ['rz']),
      n('Equal', ['rx', 'rz'], ['y0']),
      n('And', ['lt', 'ge'], ['y1']),
      n('Or', ['lt', 'le'], ['y2']),
      n('Xor', ['lt', 'ge'], ['y3']),
      n('Not', ['lt'], ['y4']),
      n('Sign', ['x'], ['y5']),
      n('Size', ['x'], ['y6']),
      n('Min', ['x', 'z'], ['y7']),
      n('Sum', ['x', 'z', 'half'], ['y8']),
      n('ReduceMax', ['x'], ['y9'], [attr.ints('axes', [1])]),
      n('ReduceMin', ['x'], ['y10'], [attr.int('keepdims', 0)]),
      n('Identity', ['x'], ['y11']),
      n('Dropout', ['x'], ['y12', 'y13']),
      n('Relu', ['x'], ['y14']),
    ],
    outputs: ['y0:bool', 'y1:bool', 'y2:bool', 'y3:bool', 'y4:bool', 'y5', 'y6:int', 'y7', 'y8', 'y9', 'y10', 'y11', 'y12', 'y13:bool', 'y14'],
  },
  {
    name: 'less common ops: Mod, GatherElements, Trilu, Hardmax, EyeLike, IsInf, IsNaN, CastLike, ReduceL1/LogSum, ArgMax last index, integer Pow',
    inputs: [{ name: 'x', shape: [3, 4] }],
    constants: { three: [3], special: [1, Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY] },
    ints: { gidx: [0, 3, -1, 2, 1, 1], seven: [7, -7, 9, -9], two: [2], k1: [] },
    nodes: [
      n('Mod', ['x', 'three'], ['y0'], [attr.int('fmod', 1)]),
      n('Mod', ['seven', 'two'], ['m1']),
      n('Cast', ['m1'], ['y1'], [attr.int('to', 1)]),
      n('Reshape', ['gidx', 'shape32'], ['gi']),
      n('GatherElements', ['x', 'gi'], ['y2'], [attr.int('axis', 1)]),
      n('Trilu', ['x', 'k1'], ['y3']),
      n('Trilu', ['x'], ['y4'], [attr.int('upper', 0)]),
      n('Hardmax', ['x'], ['y5']),
      n('EyeLike', ['x'], ['y6'], [attr.int('k', 1)]),
      n('IsInf', ['special'], ['y7'], [attr.int('detect_negative', 0)]),
      n('IsNaN', ['special'], ['y8']),
      n('CastLike', ['seven', 'x'], ['y9']),
      n('ReduceL1', ['x'], ['y10'], [attr.ints('axes', [0])]),
      n('Abs', ['x'], ['ax']),
      n('ReduceLogSum', ['ax'], ['y11'], [attr.ints('axes', [1]), attr.int('keepdims', 0)]),
      n('Round', ['x'], ['rx']),
      n('ArgMax', ['rx'], ['y12'], [attr.int('axis', 1), attr.int('select_last_index', 1)]),
      n('Pow', ['seven', 'two'], ['p']),
      n('Cast', ['p'], ['y13'], [attr.int('to', 1)]),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7:bool', 'y8:bool', 'y9', 'y10', 'y11', 'y12:int', 'y13'],
  },
  {
    name: 'CumSum (exclusive, reverse), TopK (largest and smallest), OneHot, ReduceProd',
    inputs: [{ name: 'x', shape: [3, 5] }],
    ints: { ax1: [], kk: [], labels: [0, 3, -1, 2], depth: [] },
    constants: { onoff: [-1, 2] },
    nodes: [
      n('CumSum', ['x', 'ax1'], ['y0']),
      n('CumSum', ['x', 'ax1'], ['y1'], [attr.int('exclusive', 1), attr.int('reverse', 1)]),
      n('TopK', ['x', 'kk'], ['y2', 'y3']),
      n('TopK', ['x', 'kk'], ['y4', 'y5'], [attr.int('axis', 0), attr.int('largest', 0)]),
      n('OneHot', ['labels', 'depth', 'onoff'], ['y6'], [attr.int('axis', 0)]),
      n('ReduceProd', ['x'], ['y7'], [attr.ints('axes', [1])]),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3:int', 'y4', 'y5:int', 'y6', 'y7'],
  },
  {
    name: 'RNN bidirectional; Pad in edge and reflect modes and with negative pads',
    inputs: [
      { name: 'x', shape: [4, 2, 3] },
      { name: 'h0', shape: [2, 2, 5] },
    ],
    weights: { W: [2, 5, 3], R: [2, 5, 5], B: [2, 10] },
    ints: { pads: [0, 1, 2, 0, 1, 1], crop: [0, -1, 1, -1, 0, 2] },
    nodes: [
      n('RNN', ['x', 'W', 'R', 'B', '', 'h0'], ['Y', 'Yh'], [attr.int('hidden_size', 5), attr.string('direction', 'bidirectional')]),
      n('Pad', ['x', 'pads'], ['pe'], [attr.string('mode', 'edge')]),
      n('Pad', ['x', 'pads'], ['pr'], [attr.string('mode', 'reflect')]),
      n('Pad', ['x', 'crop'], ['pc']),
    ],
    outputs: ['Y', 'Yh', 'pe', 'pr', 'pc'],
  },
  {
    name: 'Gemm with transA, alpha, beta and a broadcast C; MatMul batched',
    inputs: [
      { name: 'a', shape: [4, 3] },
      { name: 'm', shape: [2, 3, 4] },
    ],
    weights: { b: [4, 5], c: [1, 5], k: [4, 2] },
    nodes: [
      n('Gemm', ['a', 'b', 'c'], ['y0'], [attr.int('transA', 1), attr.float('alpha', 0.5), attr.float('beta', 2)]),
      n('MatMul', ['m', 'k'], ['y1']),
    ],
    outputs: ['y0', 'y1'],
  },
  {
    name: 'LayerNormalization over two axes, InstanceNormalization, BatchNormalization on 2-d input',
    inputs: [{ name: 'x', shape: [2, 3, 4] }],
    weights: { s: [3, 4], bb: [3, 4], cs: [3], cb: [3], mean: [3] },
    nodes: [
      n('LayerNormalization', ['x', 's', 'bb'], ['y0'], [attr.int('axis', 1), attr.float('epsilon', 1e-3)]),
      n('InstanceNormalization', ['x', 'cs', 'cb'], ['y1']),
      n('Abs', ['mean'], ['var']),
      n('ReduceMean', ['x'], ['x2'], [attr.ints('axes', [2]), attr.int('keepdims', 0)]),
      n('BatchNormalization', ['x2', 'cs', 'cb', 'mean', 'var'], ['y2']),
    ],
    outputs: ['y0', 'y1', 'y2'],
  },
  {
    name: 'shape arithmetic: Shape, Gather, ConstantOfShape, Expand, Range, Tile, Pad, Constant',
    inputs: [{ name: 'x', shape: [2, 3] }],
    ints: { zero: [0], reps: [2, 1], pads: [0, 1, 1, 0], start: [], limit: [], delta: [] },
    nodes: [
      n('Shape', ['x'], ['shp']),
      n('ConstantOfShape', ['shp'], ['ones'], [attr.tensor('value', floatTensorProto('v', [1], [1.5]))]),
      n('Add', ['x', 'ones'], ['y0']),
      n('Gather', ['shp', 'zero'], ['b']),
      n('Concat', ['b', 'shp'], ['eshape'], [attr.int('axis', 0)]),
      n('Expand', ['x', 'eshape'], ['y1']),
      n('Tile', ['x', 'reps'], ['y2']),
      n('Pad', ['x', 'pads'], ['y3']),
      n('Range', ['start', 'limit', 'delta'], ['r']),
      n('Cast', ['r'], ['y4'], [attr.int('to', 1)]),
      n('Constant', [], ['k'], [attr.tensor('value', floatTensorProto('k', [3], [1, -2, 3]))]),
      n('Mul', ['x', 'k'], ['y5']),
    ],
    outputs: ['y0', 'y1', 'y2', 'y3', 'y4', 'y5', 'shp:int'],
  },
];

/** Extra int64 initializers that a case uses by fixed value. */
const SCALARS: Record<string, { dims: number[]; values: number[] }> = {
  start: { dims: [], values: [1] },
  limit: { dims: [], values: [10] },
  delta: { dims: [], values: [3] },
  shape22: { dims: [2], values: [2, 2] },
  shape32: { dims: [2], values: [3, 2] },
  k1: { dims: [], values: [1] },
  ax1: { dims: [], values: [1] },
  kk: { dims: [1], values: [2] },
  depth: { dims: [], values: [5] },
};

function initializers(c: Case): TensorProto[] {
  const out: TensorProto[] = [];
  for (const [name, shape] of Object.entries(c.weights ?? {})) out.push(floatTensorProto(name, shape, randn(shape).dataSync()));
  for (const [name, values] of Object.entries(c.constants ?? {})) out.push(floatTensorProto(name, [values.length], values));
  for (const [name, values] of Object.entries(c.ints ?? {})) {
    const s = SCALARS[name];
    out.push(int64TensorProto(name, s ? s.dims : [values.length], s ? s.values : values));
  }
  for (const [name, s] of Object.entries(SCALARS)) {
    if (c.nodes.some((nd) => nd.inputs.includes(name)) && !(name in (c.ints ?? {}))) out.push(int64TensorProto(name, s.dims, s.values));
  }
  return out;
}

describe('ONNX ops against onnxruntime (hand-built graphs)', () => {
  it.each(CASES)('$name', async (c) => {
    manualSeed(7);
    const bytes = buildModel({
      opset: c.opset ?? 17,
      nodes: c.nodes,
      inputs: c.inputs.map((i) => ({ name: i.name, dims: i.shape })),
      outputs: c.outputs.map((o) => {
        const [name, kind] = o.split(':') as [string, string | undefined];
        return { name, type: kind === 'int' ? 7 : kind === 'bool' ? 9 : 1 };
      }),
      initializers: initializers(c),
    });
    const feeds: Record<string, Tensor> = Object.fromEntries(c.inputs.map((i) => [i.name, randn(i.shape)]));
    const ref = await ortRun(bytes, feeds);
    const model = importOnnx(bytes);
    const got = model.run(feeds);
    expect(got.length).toBe(ref.length);
    got.forEach((t, i) => {
      const r = ref[i]!;
      expect(t.shape, model.outputNames[i]).toEqual(r.dims);
      const e = errors(t.dataSync(), r.data);
      expect(e.rel, `${model.outputNames[i]}: max error ${e.abs}`).toBeLessThan(1e-5);
    });
  });
});

describe('LSTM layout 1 (batch first; onnxruntime has no kernel for it)', () => {
  it('equals layout 0 on the transposed input, with outputs transposed back', () => {
    manualSeed(3);
    const inits = [floatTensorProto('W', [1, 12, 4], randn([1, 12, 4]).dataSync()), floatTensorProto('R', [1, 12, 3], randn([1, 12, 3]).dataSync())];
    const build = (layout: number): Uint8Array =>
      buildModel({
        opset: 14,
        inputs: [{ name: 'x' }],
        outputs: [{ name: 'Y' }, { name: 'Yh' }],
        initializers: inits,
        nodes: [n('LSTM', ['x', 'W', 'R'], ['Y', 'Yh'], [attr.int('hidden_size', 3), attr.int('layout', layout)])],
      });
    const x = randn([2, 5, 4]);
    const [y1, h1] = importOnnx(build(1)).run([x]) as [Tensor, Tensor];
    const [y0, h0] = importOnnx(build(0)).run([x.transpose(0, 1)]) as [Tensor, Tensor];
    expect(y1.shape).toEqual([2, 5, 1, 3]);
    expect(errors(y1.dataSync(), y0.permute([2, 0, 1, 3]).contiguous().dataSync()).abs).toBe(0);
    expect(errors(h1.dataSync(), h0.transpose(0, 1).contiguous().dataSync()).abs).toBe(0);
  });
});

describe('gradients through imported ops (float64 central differences)', () => {
  const weights = (shapes: Record<string, number[]>): TensorProto[] =>
    Object.entries(shapes).map(([name, s]) => floatTensorProto(name, s, randn(s).dataSync()));
  const cases: { name: string; nodes: NodeSpec[]; weights: Record<string, number[]>; x: number[] }[] = [
    {
      name: 'Conv (strided, padded, grouped) → MaxPool → AveragePool',
      x: [1, 2, 6, 6],
      weights: { w: [4, 1, 3, 3], b: [4] },
      nodes: [
        n('Conv', ['x', 'w', 'b'], ['c'], [attr.int('group', 2), attr.ints('pads', [1, 1, 1, 1]), attr.ints('strides', [1, 2])]),
        n('MaxPool', ['c'], ['m'], [attr.ints('kernel_shape', [2, 2]), attr.int('ceil_mode', 1)]),
        n('AveragePool', ['m'], ['y'], [attr.ints('kernel_shape', [2, 2]), attr.ints('pads', [1, 1, 0, 0])]),
      ],
    },
    {
      name: 'ConvTranspose (strided, padded, grouped)',
      x: [1, 2, 3, 3],
      weights: { w: [2, 2, 3, 3], b: [4] },
      nodes: [n('ConvTranspose', ['x', 'w', 'b'], ['y'], [attr.int('group', 2), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 0, 0, 1])])],
    },
    {
      name: 'Resize (linear, half_pixel) after a convolution',
      x: [1, 1, 3, 4],
      weights: { w: [2, 1, 2, 2] },
      nodes: [n('Conv', ['x', 'w'], ['c']), n('Resize', ['c', '', '', 'rsize'], ['y'], [attr.string('mode', 'linear')])],
    },
    {
      name: 'LSTM (bidirectional) and GRU',
      x: [3, 2, 2],
      weights: { W: [2, 8, 2], R: [2, 8, 2], B: [2, 16], W2: [1, 6, 4], R2: [1, 6, 2] },
      nodes: [
        n('LSTM', ['x', 'W', 'R', 'B'], ['h'], [attr.int('hidden_size', 2), attr.string('direction', 'bidirectional')]),
        n('Reshape', ['h', 'shape'], ['h2']),
        n('GRU', ['h2', 'W2', 'R2'], ['y'], [attr.int('hidden_size', 2)]),
      ],
    },
    {
      name: 'Gemm, MatMul, and float32 weights on the left of float64 inputs',
      x: [3, 4],
      weights: { w: [5, 4], b: [5], k: [5, 2], c: [2] },
      nodes: [
        n('Gemm', ['x', 'w', 'b'], ['g'], [attr.int('transB', 1)]),
        n('Tanh', ['g'], ['t']),
        n('MatMul', ['t', 'k'], ['m']),
        n('Sub', ['c', 'm'], ['s']),
        n('Where', ['cond', 'c', 's'], ['y']),
        n('Greater', ['s', 'c'], ['cond']),
      ],
    },
    {
      name: 'LayerNormalization, Softmax, Erf, BatchNormalization',
      x: [2, 3, 4],
      weights: { s: [4], bb: [4], cs: [3], cb: [3], mean: [3] },
      nodes: [
        n('LayerNormalization', ['x', 's', 'bb'], ['l']),
        n('Softmax', ['l'], ['sm']),
        n('Erf', ['l'], ['e']),
        n('Add', ['sm', 'e'], ['a']),
        n('Abs', ['mean'], ['var']),
        n('BatchNormalization', ['a', 'cs', 'cb', 'mean', 'var'], ['y']),
      ],
    },
  ];
  it.each(cases)('$name', (c) => {
    manualSeed(11);
    const bytes = buildModel({
      nodes: c.nodes,
      inputs: [{ name: 'x', dims: c.x }],
      outputs: [{ name: 'y' }],
      initializers: [...weights(c.weights), int64TensorProto('shape', [3], [3, 2, 4]), int64TensorProto('rsize', [4], [1, 2, 5, 4])],
    });
    const model = importOnnx(bytes);
    const x = randn(c.x, { dtype: 'float64' });
    expect(model.forward(x).dtype).toBe('float64');
    expect(gradcheck((t: Tensor) => model.forward(t), [x]).ok).toBe(true);
  });
});

describe('integer graph inputs', () => {
  it('an embedding (Gather from a weight by int64 ids) matches onnxruntime and trains only the rows it used', async () => {
    manualSeed(5);
    const bytes = buildModel({
      inputs: [{ name: 'ids', type: 7, dims: ['n', 3] }],
      outputs: [{ name: 'y' }],
      initializers: [floatTensorProto('emb.weight', [6, 4], randn([6, 4]).dataSync())],
      nodes: [n('Gather', ['emb.weight', 'ids'], ['e']), n('ReduceMean', ['e'], ['y'], [attr.ints('axes', [1]), attr.int('keepdims', 0)])],
    });
    const ids = tensor([[0, 2, 2], [5, -1, 1]], { dtype: 'int32' });
    const [ref] = await ortRun(bytes, { ids });
    const model = importOnnx(bytes);
    const y = model.forward(ids);
    expect(y.shape).toEqual(ref!.dims);
    expect(errors(y.dataSync(), ref!.data).rel).toBeLessThan(1e-6);
    y.sum().backward();
    const g = model.namedParameters()[0]![1].grad!.sum(1).dataSync();
    // Row 2 is used twice and row 5 twice (as 5 and −1); rows 3 and 4 not at all.
    expect(Array.from(g).map((v) => Math.round(v * 3))).toEqual([4, 4, 8, 0, 0, 8]);
  });
});
