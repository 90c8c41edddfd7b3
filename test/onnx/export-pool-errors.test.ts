/** What the ONNX export of the pooling layers refuses, with an OnnxError naming the layer. */
import { describe, expect, it } from 'vitest';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, OnnxError, Sequential, Unflatten, exportOnnx, zeros } from '../../src/index.js';

describe('ONNX export of pooling layers: refusals', () => {
  it('adaptive pooling whose input does not divide into the output', () => {
    const net = new Sequential(new AdaptiveAvgPool2d([3, 3]));
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 2, 7, 7]) })).toThrow(OnnxError);
    expect(() => exportOnnx(net, { sampleInput: zeros([1, 2, 7, 7]) })).toThrow(/layer '0' \(AdaptiveAvgPool2d\).*7x7.*3x3/);
  });

  it('a divisor override, an unbatched input, and unflattening the batch', () => {
    const avg = new Sequential(new AvgPool2d(2, { divisorOverride: 3 }));
    expect(() => exportOnnx(avg, { sampleInput: zeros([1, 1, 4, 4]) })).toThrow(/AvgPool2d.*divisor/);
    const max = new Sequential(new MaxPool2d(2));
    expect(() => exportOnnx(max, { sampleInput: zeros([1, 4, 4]) })).toThrow(/MaxPool2d.*batched 4-D/);
    const un = new Sequential(new Unflatten(0, [1, -1]));
    expect(() => exportOnnx(un, { sampleInput: zeros([4, 3]) })).toThrow(/Unflatten.*batch dimension/);
  });
});
