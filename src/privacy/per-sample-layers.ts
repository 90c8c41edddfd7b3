/**
 * Vectorised per-sample gradients of the layers with parameters, each computed from
 * the layer's input (recorded by a forward hook) and the gradient of its output
 * (seen by a gradient hook), with one batched matmul or reduction instead of a loop
 * over the samples. Every function returns, for each trainable parameter of the
 * layer, a tensor `[N, ...parameter shape]` whose slice `n` is the gradient the loss
 * of sample `n` alone would give.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { valuesOf } from '../autograd/values.js';
import type { Im2colSpec } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { Embedding, Linear } from '../nn/linear.js';
import type { AnyModule, Parameter } from '../nn/module.js';
import { LayerNorm } from '../nn/norm.js';
import { GroupNorm, groupNorm } from '../nn/norm2d.js';
import { specOf } from '../ops/conv.js';
import { type ConvGeometry, convGeometry } from '../ops/conv-geometry.js';
import { add, div, matmul, mean, mul, sqrt, sub, sum, variance } from '../ops/index.js';
import { backend } from '../ops/util.js';
import type { FloatArray } from '../tensor/dtype.js';
import { fmt } from '../tensor/shape.js';
import { DenseSampleGrad, OuterSampleGrad, type SampleGrad } from './sample-grad.js';

/** Per-sample gradients of one layer call, one {@link SampleGrad} per trainable parameter. */
export type SampleGrads = Map<Parameter, SampleGrad>;

/** Computes a layer's per-sample gradients from its first input and the gradient of its output. */
export type SampleGradFn<M extends AnyModule = AnyModule> = (layer: M, input: Tensor, gradOutput: Tensor) => SampleGrads;

/** Adds `grad` (a tensor `[N, ...shape]` or a lazy form) for `p` when `p` is trainable. */
function put(out: SampleGrads, p: Parameter | null, grad: () => Tensor | SampleGrad): void {
  if (p === null || !p.requiresGrad) return;
  const g = grad();
  out.set(p, g instanceof Tensor ? new DenseSampleGrad(g) : g);
}

/** Axes 1..ndim-1-keep of a tensor of rank `ndim`: the ones summed away per sample. */
function middleAxes(ndim: number, keep: number): number[] {
  return Array.from({ length: Math.max(0, ndim - 1 - keep) }, (_, i) => i + 1);
}

/** `t` summed over `axes` (unchanged when there are none). */
function sumOver(t: Tensor, axes: number[]): Tensor {
  return axes.length === 0 ? t : sum(t, axes);
}

/** Linear over `[N, ..., in]`: dW_n = Σ_t g_{n,t}ᵀ x_{n,t}, db_n = Σ_t g_{n,t}. */
export const linearSampleGrads: SampleGradFn<Linear> = (layer, x, g) => {
  const n = x.shape[0]!;
  const x3 = x.reshape([n, -1, layer.inFeatures]);
  const g3 = g.reshape([n, -1, layer.outFeatures]);
  const out: SampleGrads = new Map();
  if (x3.shape[1] === 1) {
    // One row per sample: the weight gradients are outer products, kept unbuilt.
    const g2 = g3.reshape([n, layer.outFeatures]);
    put(out, layer.weight, () => new OuterSampleGrad(g2, x3.reshape([n, layer.inFeatures])));
    put(out, layer.bias, () => g2);
    return out;
  }
  put(out, layer.weight, () => matmul(g3.transpose(1, 2), x3));
  put(out, layer.bias, () => sum(g3, 1));
  return out;
};

/** The unfolded patches of `x` [N, C, H, W], grouped per sample: [N, groups, C/groups·kh·kw, positions]. */
function patches(x: Tensor, spec: Im2colSpec, groups: number): Tensor {
  const cols = backend().im2col(valuesOf(x.contiguous()) as FloatArray, spec);
  const k = (spec.c / groups) * spec.kh * spec.kw;
  const positions = spec.outH * spec.outW;
  // Whole rows of positions move, so the copy is a run of contiguous blocks.
  return new Tensor(cols, [groups, k, spec.n, positions]).permute([2, 0, 1, 3]);
}

/**
 * Conv1d and Conv2d: the input unfolded into its patches (im2col), then per sample
 * and group dW_n = g_n · patches_n (one batched matmul); db_n = g_n summed over positions.
 */
export const convSampleGrads: SampleGradFn<Conv1d | Conv2d> = (layer, x, g) => {
  const nd = layer instanceof Conv1d ? 1 : 2;
  if (x.ndim !== nd + 2) {
    throw new ShapeError(`${layer.layer}: per-sample gradients need a batched input [N, C, ${nd === 1 ? 'L' : 'H, W'}], got ${fmt(x.shape)}`);
  }
  const n = x.shape[0]!;
  const o = layer.outChannels;
  const groups = layer.groups;
  const geo = convGeometry(layer.layer, x.shape.slice(2), layer.kernelSize, layer.options());
  const lift = (a: number[], pad: number): number[] => (nd === 1 ? [pad, ...a] : a);
  const g2: ConvGeometry = {
    stride: lift(geo.stride, 1),
    dilation: lift(geo.dilation, 1),
    padBefore: lift(geo.padBefore, 0),
    padAfter: lift(geo.padAfter, 0),
    output: lift(geo.output, 1),
  };
  const image = nd === 1 ? [n, x.shape[1]!, 1, x.shape[2]!] : x.shape;
  const kernel = nd === 1 ? [1, layer.kernelSize[0]!] : layer.kernelSize;
  const spec = specOf(image, kernel, g2, g2.output);
  const positions = spec.outH * spec.outW;
  const gg = g.reshape([n, groups, o / groups, positions]);
  const out: SampleGrads = new Map();
  // [N, G, k, positions] · [N, G, positions, O/G] → [N, G, k, O/G], then O/G before k.
  put(out, layer.weight, () =>
    matmul(patches(x, spec, groups), gg.transpose(2, 3)).transpose(2, 3).reshape([n, ...layer.weight.shape]),
  );
  put(out, layer.bias, () => sum(g.reshape([n, o, positions]), 2));
  return out;
};

/** LayerNorm: dγ_n = Σ g ⊙ x̂ and dβ_n = Σ g over the axes between the batch and the normalised ones. */
export const layerNormSampleGrads: SampleGradFn<LayerNorm> = (layer, x, g) => {
  const k = layer.normalizedShape.length;
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const xhat = div(sub(x, mean(x, axes, true)), sqrt(add(variance(x, axes, true, 0), layer.eps)));
  const middle = middleAxes(x.ndim, k);
  const out: SampleGrads = new Map();
  put(out, layer.weight, () => sumOver(mul(g, xhat), middle));
  put(out, layer.bias, () => sumOver(g, middle));
  return out;
};

/** GroupNorm: dγ_n = Σ g ⊙ x̂ and dβ_n = Σ g over the positions, per channel. */
export const groupNormSampleGrads: SampleGradFn<GroupNorm> = (layer, x, g) => {
  const xhat = groupNorm(x, layer.numGroups, null, null, { eps: layer.eps });
  const spatialAxes = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
  const out: SampleGrads = new Map();
  put(out, layer.weight, () => sumOver(mul(g, xhat), spatialAxes));
  put(out, layer.bias, () => sumOver(g, spatialAxes));
  return out;
};

/** Embedding: each sample's output gradients added into the rows of the ids it looked up. */
export const embeddingSampleGrads: SampleGradFn<Embedding> = (layer, ids, g) => {
  const n = ids.shape[0]!;
  const d = layer.embeddingDim;
  const rows = layer.numEmbeddings;
  const perSample = ids.size / n;
  const idv = ids.dataSync();
  const gv = g.contiguous().dataSync();
  const res = new Float32Array(n * rows * d);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < perSample; t++) {
      const j = s * perSample + t;
      const base = (s * rows + idv[j]!) * d;
      for (let c = 0; c < d; c++) res[base + c]! += gv[j * d + c]!;
    }
  }
  const out: SampleGrads = new Map();
  put(out, layer.weight, () => new Tensor(res, [n, rows, d]));
  return out;
};

/** The vectorised rule for a layer, or undefined when it has none (then the loop fallback runs). */
export function sampleGradFnFor(layer: AnyModule): SampleGradFn | undefined {
  // Only the library's own forward: a subclass that overrides it computes something else.
  const own = (cls: { prototype: { forward: unknown } }): boolean => Object.getPrototypeOf(layer).forward === cls.prototype.forward;
  if (layer instanceof Linear && own(Linear)) return linearSampleGrads as SampleGradFn;
  if ((layer instanceof Conv2d && own(Conv2d)) || (layer instanceof Conv1d && own(Conv1d))) return convSampleGrads as SampleGradFn;
  if (layer instanceof LayerNorm && own(LayerNorm)) return layerNormSampleGrads as SampleGradFn;
  if (layer instanceof GroupNorm && own(GroupNorm)) return groupNormSampleGrads as SampleGradFn;
  if (layer instanceof Embedding && own(Embedding)) return embeddingSampleGrads as SampleGradFn;
  return undefined;
}
