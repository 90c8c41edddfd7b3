/**
 * The 2-D convolution as three primitives over the backend's fused kernels
 * (`conv2d`, `conv2dGradInput`, `conv2dGradWeight`), which never materialise
 * the column matrix as a tensor. The three are linear in each argument and
 * each other's adjoints, so their gradient rules are built from one another
 * and every order of derivative stays available: under `createGraph` the
 * backward records them like forward code.
 * @module
 */
import { type OpDef, isGradEnabled, make, record, recording } from '../autograd/engine.js';
import type { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import type { Conv2dSpec, Pool2dSpec } from '../backend/backend.js';
import type { FloatArray } from '../tensor/dtype.js';
import { maxPoolGrad } from './pool.js';
import { backend } from './util.js';

function values(t: Tensor): FloatArray {
  return valuesOf(t) as FloatArray;
}

/** Per spec: the rules of the forward op (with and without bias) and of its two gradients. */
interface Defs {
  conv: OpDef;
  gradInput: OpDef;
  gradWeight: OpDef;
}

function defsOf(spec: Conv2dSpec, weightShape: readonly number[]): Defs {
  const defs: Defs = {
    conv: {
      name: 'conv2d',
      backward: (g, node) => {
        const [x, w, b] = node.inputs as [Tensor, Tensor, Tensor | undefined];
        const dx = x.requiresGrad ? gradInputOf(g, w, spec, defs) : null;
        const wantW = w.requiresGrad;
        const wantB = b?.requiresGrad ?? false;
        if (!wantW && !wantB) return [dx, null, null];
        if (isGradEnabled()) {
          // createGraph: differentiable pieces.
          const dw = wantW ? gradWeightOf(x, g, spec, weightShape, defs) : null;
          const db = wantB ? g.sum([0, 2, 3]) : null;
          return [dx, dw, db];
        }
        const r = backend().conv2dGradWeight(values(x), values(g), spec);
        return [dx, wantW ? make(r.weight, weightShape) : null, wantB ? make(r.bias, [spec.outC]) : null];
      },
    },
    gradInput: {
      name: 'conv2dGradInput',
      backward: (u, node) => {
        const [g, w] = node.inputs as [Tensor, Tensor];
        return [
          g.requiresGrad ? convOf(u, w, undefined, spec, defs) : null,
          w.requiresGrad ? gradWeightOf(u, g, spec, weightShape, defs) : null,
        ];
      },
    },
    gradWeight: {
      name: 'conv2dGradWeight',
      backward: (u, node) => {
        const [x, g] = node.inputs as [Tensor, Tensor];
        return [x.requiresGrad ? gradInputOf(g, u, spec, defs) : null, g.requiresGrad ? convOf(x, u, undefined, spec, defs) : null];
      },
    },
  };
  return defs;
}

function convOf(x: Tensor, w: Tensor, b: Tensor | undefined, spec: Conv2dSpec, defs: Defs): Tensor {
  const y = backend().conv2d(values(x), values(w), b === undefined ? null : values(b), spec);
  const out = make(y, [spec.n, spec.outC, spec.outH, spec.outW]);
  if (!recording(x, w, b)) return out;
  return record(defs.conv, b === undefined ? [x, w] : [x, w, b], out);
}

function gradInputOf(g: Tensor, w: Tensor, spec: Conv2dSpec, defs: Defs): Tensor {
  const out = make(backend().conv2dGradInput(values(g), values(w), spec), [spec.n, spec.c, spec.h, spec.w]);
  return recording(g, w) ? record(defs.gradInput, [g, w], out) : out;
}

function gradWeightOf(x: Tensor, g: Tensor, spec: Conv2dSpec, weightShape: readonly number[], defs: Defs): Tensor {
  const out = make(backend().conv2dGradWeight(values(x), values(g), spec).weight, weightShape);
  return recording(x, g) ? record(defs.gradWeight, [x, g], out) : out;
}

/**
 * `conv2d` of a batched NCHW `x` with `weight` [outC, c/groups, kh, kw] and
 * optional `bias`, all of one float dtype and checked by the caller, as one
 * primitive: output [n, outC, outH, outW].
 */
export function conv2dFused(x: Tensor, weight: Tensor, bias: Tensor | undefined, spec: Conv2dSpec): Tensor {
  return convOf(x, weight, bias, spec, defsOf(spec, weight.shape));
}

/**
 * `maxPool2d(conv2d(x, weight, bias))` with `pool` describing the pooling of the
 * convolution's output, as one primitive over the backend's `conv2dMaxPool2d`: the
 * convolution's output is never made. Its gradient is the convolution's for `g`
 * scattered to the argmax (the adjoint of max pooling): the backend's
 * `conv2dMaxPoolGradInput` and `conv2dMaxPoolGradWeight`, which scatter image by image
 * and never make the unpooled gradient either (under `createGraph`, the differentiable
 * pooling adjoint and convolution rules instead).
 */
export function conv2dMaxPoolFused(x: Tensor, weight: Tensor, bias: Tensor | undefined, spec: Conv2dSpec, pool: Pool2dSpec): Tensor {
  const r = backend().conv2dMaxPool2d(values(x), values(weight), bias === undefined ? null : values(bias), spec, pool);
  const out = make(r.values, [spec.n, spec.outC, pool.outH, pool.outW]);
  if (!recording(x, weight, bias)) return out;
  const defs = defsOf(spec, weight.shape);
  const convShape = [spec.n, spec.outC, spec.outH, spec.outW];
  const def: OpDef = {
    name: 'conv2d+maxPool2d',
    backward: (g, node) => {
      // createGraph: the pooling's adjoint as an op, then the convolution's differentiable rules.
      if (isGradEnabled()) return defs.conv.backward!(maxPoolGrad(g, r.indices, pool, convShape), node);
      const [xi, wi, bi] = node.inputs as [Tensor, Tensor, Tensor | undefined];
      const gv = values(g);
      const k = backend();
      const dx = xi.requiresGrad ? make(k.conv2dMaxPoolGradInput(gv, r.indices, values(wi), spec, pool), xi.shape) : null;
      const wantW = wi.requiresGrad;
      const wantB = bi?.requiresGrad ?? false;
      if (!wantW && !wantB) return [dx, null, null];
      const d = k.conv2dMaxPoolGradWeight(values(xi), gv, r.indices, spec, pool);
      return [dx, wantW ? make(d.weight, wi.shape) : null, wantB ? make(d.bias, [spec.outC]) : null];
    },
  };
  return record(def, bias === undefined ? [x, weight] : [x, weight, bias], out);
}
