/**
 * ONNX mapping of `RecurrentOutput` (an `RNN`, `LSTM` or `GRU` read as one tensor): one
 * ONNX `RNN`/`LSTM`/`GRU` node per layer, time-major (`layout` 0, which every runtime
 * supports), with a `Transpose` + `Reshape` between stacked layers turning the node's
 * `[seq, directions, batch, hidden]` output into the next layer's `[seq, batch,
 * directions·hidden]` input, then the last step (`Gather` of index −1 on the time axis, so
 * any sequence length runs) or every step.
 *
 * The gate blocks are reordered from PyTorch's to ONNX's (LSTM i,f,g,o → i,o,f,c; GRU
 * r,z,n → z,r,h), the two biases concatenated (`Wb` then `Rb`), and the GRU written with
 * `linear_before_reset = 1`, which is PyTorch's formula. These reordered weights are
 * constants of the graph, named after the layer. An LSTM with `projSize` has no ONNX form.
 * Registered by importing this module.
 * @module
 */
import type { Tensor } from '../../../autograd/tensor.js';
import { OnnxError } from '../../../errors.js';
import { GRU, LSTM } from '../../../nn/recurrent.js';
import { RecurrentOutput } from '../../../nn/recurrent-output.js';
import { type AttributeProto, OnnxAttributeType } from '../proto.js';
import { intAttr, intsAttr, stringsAttr } from './graph.js';
import { describeLayer, type LayerContext, layerLocation, registerOnnxLayer } from './layers.js';

/** A string attribute (UTF-8). */
const stringAttr = (name: string, value: string): AttributeProto => ({ name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) });

/** The PyTorch gate block that goes at each ONNX position. */
function gateOrder(m: RecurrentOutput['layer']): number[] {
  if (m instanceof LSTM) return [0, 3, 1, 2];
  if (m instanceof GRU) return [1, 0, 2];
  return [0];
}

/** The rows of a `[gates·H, ...]` (or `[gates·H]`) tensor with its gate blocks reordered. */
function reorder(t: Tensor, order: readonly number[]): Float32Array {
  const data = t.dataSync();
  const block = data.length / order.length;
  const out = new Float32Array(data.length);
  for (const [dst, src] of order.entries()) out.set(data.subarray(src * block, (src + 1) * block), dst * block);
  return out;
}

function recurrentOutput(ctx: LayerContext<RecurrentOutput>): string {
  const { g, module: m } = ctx;
  const layer = m.layer;
  const kind = layer.constructor.name;
  if (layer instanceof LSTM && layer.projSize > 0) {
    throw new OnnxError(`ONNX export: cannot export ${describeLayer(ctx.path, m)}: ONNX's LSTM has no projection (projSize ${layer.projSize}); export an LSTM without projSize`, layerLocation(ctx.path, m));
  }
  const params = new Map(layer.namedParameters());
  const D = layer.bidirectional ? 2 : 1;
  const H = layer.hiddenSize;
  const order = gateOrder(layer);
  const G = order.length;
  const prefix = ctx.path === '' ? '0' : `${ctx.path}.0`;
  const unbatched = ctx.inShape.length === 2;
  // Time-major [T, B, I].
  let x = ctx.input;
  if (unbatched) x = g.op('Unsqueeze', [x, g.constInts(ctx.name('batch_axis'), [1], [1])], { output: ctx.name('unsqueeze') });
  else if (layer.batchFirst) x = g.op('Transpose', [x], { output: ctx.name('time_major'), attrs: [intsAttr('perm', [1, 0, 2])] });
  const attrs = [intAttr('hidden_size', H)];
  if (D === 2) attrs.push(stringAttr('direction', 'bidirectional'));
  if (layer instanceof GRU) attrs.push(intAttr('linear_before_reset', 1));
  if ('nonlinearity' in layer && layer.nonlinearity === 'relu') attrs.push(stringsAttr('activations', D === 2 ? ['Relu', 'Relu'] : ['Relu']));
  const flat = g.constInts(ctx.name('merge_directions'), [3], [0, 0, D * H]);
  for (let l = 0; l < layer.numLayers; l++) {
    const w: Float32Array[] = [];
    const r: Float32Array[] = [];
    const b: Float32Array[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      w.push(reorder(params.get(`weight_ih${sfx}`)!, order));
      r.push(reorder(params.get(`weight_hh${sfx}`)!, order));
      if (layer.bias) b.push(reorder(params.get(`bias_ih${sfx}`)!, order), reorder(params.get(`bias_hh${sfx}`)!, order));
    }
    const cat = (parts: Float32Array[]): Float32Array => {
      const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    const inSize = w[0]!.length / (G * H);
    const inputs = [
      x,
      g.constFloats(`${prefix}.W_l${l}`, [D, G * H, inSize], cat(w)),
      g.constFloats(`${prefix}.R_l${l}`, [D, G * H, H], cat(r)),
      ...(layer.bias ? [g.constFloats(`${prefix}.B_l${l}`, [D, 2 * G * H], cat(b))] : []),
    ];
    const y = g.op(kind, inputs, { output: ctx.name(`${kind}_l${l}`), attrs });
    // [T, D, B, H] → [T, B, D·H].
    const tb = g.op('Transpose', [y], { output: ctx.name(`steps_l${l}`), attrs: [intsAttr('perm', [0, 2, 1, 3])] });
    x = g.op('Reshape', [tb, flat], { output: ctx.name(`output_l${l}`) });
  }
  if (m.select === 'last') {
    const index = g.constInts(ctx.name('last_step'), [], [-1]);
    const gather = { attrs: [intAttr('axis', 0)] };
    if (!unbatched) return g.op('Gather', [x, index], { ...gather, output: ctx.name('output'), type: ctx.outType });
    const last = g.op('Gather', [x, index], { ...gather, output: ctx.name('last') });
    return g.op('Squeeze', [last, g.constInts(ctx.name('batch_axis'), [1], [0])], { output: ctx.name('output'), type: ctx.outType });
  }
  if (unbatched) return g.op('Squeeze', [x, g.constInts(ctx.name('batch_axis'), [1], [1])], { output: ctx.name('output'), type: ctx.outType });
  if (layer.batchFirst) return g.op('Transpose', [x], { output: ctx.name('output'), attrs: [intsAttr('perm', [1, 0, 2])], type: ctx.outType });
  g.describe(x, ctx.outType);
  return x;
}

registerOnnxLayer(RecurrentOutput, recurrentOutput);
