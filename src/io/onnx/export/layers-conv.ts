/**
 * ONNX mappings of the convolution layers: `Conv1d`/`Conv2d` to `Conv` and
 * `ConvTranspose2d` to `ConvTranspose`, with explicit pads (a `'same'` padding is
 * written as the pads Cortex computes, one more after than before for even kernels),
 * strides, dilations and group. The weights keep their PyTorch layouts, which are
 * ONNX's, and their state-dict names. Registered by importing this module.
 * @module
 */
import { Conv1d, Conv2d, ConvTranspose2d } from '../../../nn/conv.js';
import { convGeometry } from '../../../ops/conv-geometry.js';
import { intAttr, intsAttr } from './graph.js';
import { type LayerContext, registerOnnxLayer } from './layers.js';

/** `Conv` for a Conv1d or Conv2d, its padding resolved on the recorded input's spatial size. */
function conv(ctx: LayerContext<Conv1d | Conv2d>): string {
  const { g, module: m } = ctx;
  const nd = m.kernelSize.length;
  // An unbatched input has one axis fewer; its spatial axes are still the last nd.
  const geometry = convGeometry(m.constructor.name, ctx.inShape.slice(-nd), m.kernelSize, m.options());
  const inputs = [ctx.input, ctx.weight('weight', m.weight), ...(m.bias ? [ctx.weight('bias', m.bias)] : [])];
  return g.op('Conv', inputs, {
    output: ctx.name('Conv'),
    attrs: [
      intsAttr('kernel_shape', m.kernelSize),
      intsAttr('strides', geometry.stride),
      intsAttr('pads', [...geometry.padBefore, ...geometry.padAfter]),
      intsAttr('dilations', geometry.dilation),
      intAttr('group', m.groups),
    ],
    type: ctx.outType,
  });
}

registerOnnxLayer(Conv1d, conv);
registerOnnxLayer(Conv2d, conv);

registerOnnxLayer(ConvTranspose2d, (ctx) => {
  const { g, module: m } = ctx;
  const inputs = [ctx.input, ctx.weight('weight', m.weight), ...(m.bias ? [ctx.weight('bias', m.bias)] : [])];
  return g.op('ConvTranspose', inputs, {
    output: ctx.name('ConvTranspose'),
    attrs: [
      intsAttr('kernel_shape', m.kernelSize),
      intsAttr('strides', m.stride),
      intsAttr('pads', [...m.padding, ...m.padding]),
      intsAttr('output_padding', m.outputPadding),
      intsAttr('dilations', m.dilation),
      intAttr('group', m.groups),
    ],
    type: ctx.outType,
  });
});
