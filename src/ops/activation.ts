import { type OpDef, make, ownedGradient, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import type { ActivationOp } from '../backend/backend.js';
import { ArgumentError } from '../errors.js';
import type { FloatArray } from '../tensor/dtype.js';
import { around, normAxis } from '../tensor/shape.js';
import { where } from './elementwise.js';
import { backend, floats } from './util.js';
import { valuesOf } from '../autograd/values.js';

/**
 * g ⊙ f′(x) for activation `op`, as an op of its own so that it is
 * differentiable too (for `createGraph`): the values come from the backend's
 * fused gradient kernel, and its rule gives u ⊙ f′(x) for g (this op again)
 * and u ⊙ g ⊙ f″(x) for x (from differentiable ops). `y` is f(x), which the
 * kernel reads for some activations; it is a value, not an input.
 */
function activationGrad(op: ActivationOp, x: Tensor, y: Tensor, g: Tensor, a: number): Tensor {
  const d = backend().activationGrad(op, valuesOf(x) as FloatArray, valuesOf(y) as FloatArray, valuesOf(g) as FloatArray, a);
  const out = make(d, x.shape);
  return recording(x, g) ? record(GRAD_DEFS[op], [x, g, y.detach()], out, { a }) : out;
}

/** f″(x) of each activation from differentiable ops; null where it is zero almost everywhere. */
function secondDerivative(op: ActivationOp, x: Tensor, a: number): Tensor | null {
  switch (op) {
    case 'relu':
    case 'leakyRelu':
      return null;
    case 'sigmoid': {
      const s = sigmoid(x);
      return s.mul(s.neg().add(1)).mul(s.mul(-2).add(1));
    }
    case 'tanh': {
      const t = tanh(x);
      return t.mul(t).neg().add(1).mul(t).mul(-2);
    }
    case 'softplus': {
      const s = sigmoid(x);
      return s.mul(s.neg().add(1));
    }
    case 'gelu':
      // φ(x)(2 − x²), φ the standard normal density.
      return x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI)).mul(x.mul(x).neg().add(2));
    case 'elu':
      return where(x.gt(0), 0, x.exp().mul(a));
  }
}

function gradDef(op: ActivationOp): OpDef {
  return {
    name: `${op}Grad`,
    backward: (u, n) => {
      const [x, g, y] = n.inputs as [Tensor, Tensor, Tensor];
      const a = n.attrs.a ?? 0;
      const f2 = x.requiresGrad ? secondDerivative(op, x, a) : null;
      return [f2 === null ? null : u.mul(g).mul(f2), g.requiresGrad ? activationGrad(op, x, y, u, a) : null, null];
    },
  };
}

const GRAD_DEFS: Record<ActivationOp, OpDef> = {
  relu: gradDef('relu'),
  sigmoid: gradDef('sigmoid'),
  tanh: gradDef('tanh'),
  softplus: gradDef('softplus'),
  gelu: gradDef('gelu'),
  leakyRelu: gradDef('leakyRelu'),
  elu: gradDef('elu'),
};

/** One definition serves every activation: its gradient is {@link activationGrad}. */
function activationDef(op: ActivationOp): OpDef {
  return {
    name: op,
    // A new kernel output: the backward pass may give its array back once consumed.
    backward: (g, n) => [ownedGradient(activationGrad(op, n.inputs[0]!, n.output, g, n.attrs.a ?? 0))],
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

/**
 * The gradient of softmax (dx = y ⊙ (g − Σ g⊙y)) or log-softmax
 * (dx = g − e^y Σ g) from the output `y`, as an op of its own: the values come
 * from the backend's fused kernel, and its rule (from differentiable ops, and
 * this op again) makes it differentiable for `createGraph`.
 */
function softmaxGrad(y: Tensor, g: Tensor, axis: number, log: boolean): Tensor {
  const [outer, len, inner] = around(y.shape, axis);
  const out = make(backend().softmaxGrad(valuesOf(y) as FloatArray, valuesOf(g) as FloatArray, outer, len, inner, log), y.shape);
  return recording(y, g) ? record(log ? LOG_SOFTMAX_GRAD : SOFTMAX_GRAD, [y, g], out, { axis }) : out;
}

function softmaxGradDef(log: boolean): OpDef {
  return {
    name: log ? 'logSoftmaxGrad' : 'softmaxGrad',
    backward: (u, n) => {
      const [y, g] = n.inputs as [Tensor, Tensor];
      const axis = n.attrs.axis ?? 0;
      if (log) {
        // out = g − e^y Σg: d/dy = −u e^y Σg, d/dg = u − Σ(u e^y).
        const ey = y.exp();
        return [
          y.requiresGrad ? u.mul(ey).mul(g.sum(axis, true)).neg() : null,
          g.requiresGrad ? u.sub(u.mul(ey).sum(axis, true)) : null,
        ];
      }
      // out = y ⊙ (g − Σ g⊙y): d/dy = u ⊙ (g − Σ g⊙y) − g Σ u⊙y; d/dg is this op on u (self-adjoint).
      return [
        y.requiresGrad ? u.mul(g.sub(g.mul(y).sum(axis, true))).sub(g.mul(u.mul(y).sum(axis, true))) : null,
        g.requiresGrad ? softmaxGrad(y, u, axis, false) : null,
      ];
    },
  };
}
const SOFTMAX_GRAD = softmaxGradDef(false);
const LOG_SOFTMAX_GRAD = softmaxGradDef(true);

function softmaxDef(log: boolean): OpDef {
  return {
    name: log ? 'logSoftmax' : 'softmax',
    backward: (g, n) => [softmaxGrad(n.output, g, n.attrs.axis ?? 0, log)],
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
