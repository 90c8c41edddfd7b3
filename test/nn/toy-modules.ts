// Small modules with typed multi-input and tuple-output forwards, shared by the nn and
// train tests.
import type { Tensor } from '../../src/autograd/tensor.js';
import { Linear, Module, Parameter } from '../../src/nn/index.js';
import { narrow, zeros } from '../../src/ops/index.js';
import { Generator } from '../../src/tensor/random.js';
import type { FloatDType } from '../../src/tensor/dtype.js';

function randomParam(shape: readonly number[], scale: number, g: Generator, dtype: FloatDType): Parameter {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = g.nextNormal() * scale;
  return new Parameter(data, shape);
}

/** Two inputs, one output: `a·Wa + b·Wb`. */
export class Mix extends Module<[a: Tensor, b: Tensor], Tensor> {
  readonly fa: Linear;
  readonly fb: Linear;
  constructor(inA: number, inB: number, out: number, g = new Generator(0)) {
    super();
    this.fa = this.module('fa', new Linear(inA, out, { generator: g }));
    this.fb = this.module('fb', new Linear(inB, out, { generator: g, bias: false }));
  }
  forward(a: Tensor, b: Tensor): Tensor {
    return this.fa.forward(a).add(this.fb.forward(b));
  }
}

/**
 * An Elman cell: `h' = tanh(x·Wih + h·Whh + b)`, returning `[output, state]` (both `h'`,
 * as PyTorch's RNN returns its output and last hidden state).
 */
export class ElmanCell extends Module<[x: Tensor, h: Tensor], [output: Tensor, state: Tensor]> {
  readonly wih: Parameter;
  readonly whh: Parameter;
  readonly bias: Parameter;
  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: { generator?: Generator; dtype?: FloatDType } = {},
  ) {
    super();
    const g = options.generator ?? new Generator(0);
    const dtype = options.dtype ?? 'float32';
    this.wih = this.param('wih', randomParam([inputSize, hiddenSize], 1 / Math.sqrt(inputSize), g, dtype));
    this.whh = this.param('whh', randomParam([hiddenSize, hiddenSize], 1 / Math.sqrt(hiddenSize), g, dtype));
    this.bias = this.param('bias', randomParam([hiddenSize], 0.1, g, dtype));
  }
  forward(x: Tensor, h: Tensor): [Tensor, Tensor] {
    const next = x.matmul(this.wih).add(h.matmul(this.whh)).add(this.bias).tanh();
    return [next, next];
  }
}

/**
 * A single-tensor model around the cell: reads `x` of shape `[batch, steps]` one column
 * per step, carrying the state, and maps the last state to one number per row.
 */
export class Recurrent extends Module {
  readonly cell: ElmanCell;
  readonly readout: Linear;
  constructor(hidden: number, g = new Generator(0)) {
    super();
    this.cell = this.module('cell', new ElmanCell(1, hidden, { generator: g }));
    this.readout = this.module('readout', new Linear(hidden, 1, { generator: g }));
  }
  forward(x: Tensor): Tensor {
    const batch = x.shape[0]!;
    const steps = x.shape[1]!;
    let h = zeros([batch, this.cell.hiddenSize]);
    for (let t = 0; t < steps; t++) [, h] = this.cell.forward(narrow(x, 1, t, 1), h);
    return this.readout.forward(h).reshape([batch]);
  }
}
