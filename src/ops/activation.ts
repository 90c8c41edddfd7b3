import { type OpDef, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { ActivationOp } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { around, normAxis } from '../tensor/shape.js';
import { backend, floats } from './util.js';

/** One definition serves every activation: the backend has a fused gradient kernel for each. */
function activationDef(op: ActivationOp): OpDef {
  return {
    name: op,
    backward: (g, n) => {
      const x = n.inputs[0]!;
      const d = backend().activationGrad(
        op,
        x.data as FloatArray,
        n.output.data as FloatArray,
        g.data as FloatArray,
        n.attrs.a ?? 0,
      );
      return [make(d, x.shape)];
    },
  };
}

const DEFS: Record<ActivationOp, OpDef> = {
  relu: activationDef('relu'),
  sigmoid: activationDef('sigmoid'),
  tanh: activationDef('tanh'),
  softplus: activationDef('softplus'),
  gelu: activationDef('gelu'),
  leakyRelu: activationDef('leakyRelu'),
  elu: activationDef('elu'),
};

function activate(op: 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'gelu', x: Tensor): Tensor {
  const out = make(backend().unary(op, floats(op, x)), x.shape);
  return recording(x) ? record(DEFS[op], [x], out) : out;
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return activate('relu', x);
}
/** 1 / (1 + e^−x), finite for every finite x. */
export function sigmoid(x: Tensor): Tensor {
  return activate('sigmoid', x);
}
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return activate('tanh', x);
}
/** log(1 + eˣ), computed without overflow. */
export function softplus(x: Tensor): Tensor {
  return activate('softplus', x);
}
/** GELU with the exact Gaussian CDF: x · Φ(x). */
export function gelu(x: Tensor): Tensor {
  return activate('gelu', x);
}

function checkFinite(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${v}`);
}

/** x where x > 0, else slope · x. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkFinite('leakyRelu', 'negativeSlope', negativeSlope);
  const out = make(backend().scalar('leakyRelu', floats('leakyRelu', x), negativeSlope, 0), x.shape);
  return recording(x) ? record(DEFS.leakyRelu, [x], out, { a: negativeSlope }) : out;
}

/** x where x > 0, else alpha · (eˣ − 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkFinite('elu', 'alpha', alpha);
  const out = make(backend().scalar('elu', floats('elu', x), alpha, 0), x.shape);
  return recording(x) ? record(DEFS.elu, [x], out, { a: alpha }) : out;
}

function softmaxDef(log: boolean): OpDef {
  return {
    name: log ? 'logSoftmax' : 'softmax',
    backward: (g, n) => {
      const x = n.inputs[0]!;
      const [outer, len, inner] = around(x.shape, n.attrs.axis ?? 0);
      const d = backend().softmaxGrad(n.output.data as FloatArray, g.data as FloatArray, outer, len, inner, log);
      return [make(d, x.shape)];
    },
  };
}
const SOFTMAX = softmaxDef(false);
const LOG_SOFTMAX = softmaxDef(true);

function softmaxLike(x: Tensor, axis: number, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  const ax = normAxis(op, axis, x.ndim);
  const [outer, n, inner] = around(x.shape, ax);
  const out = make(backend().softmax(floats(op, x), outer, n, inner, log), x.shape);
  return recording(x) ? record(log ? LOG_SOFTMAX : SOFTMAX, [x], out, { axis: ax }) : out;
}

/** Softmax along `axis` (default: the last), stable for large inputs. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxLike(x, axis, false);
}

/** log(softmax(x)) along `axis`, computed directly so it stays finite. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxLike(x, axis, true);
}
