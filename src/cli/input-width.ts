/**
 * The flat input width of a saved model, for the commands that must feed it a sample
 * (`cortex info` for the summary's shapes, `cortex export` for the ONNX sample input).
 * @module
 */
import type { Module } from '../nn/module.js';
import { Unflatten } from '../nn/unflatten.js';

/**
 * The width of a `[batch, width]` input, from the first layer that fixes it: a layer with
 * `inFeatures` (Linear) or `inputSize` (the recurrent layers), or an `Unflatten` of dimension 1 into known sizes (the usual
 * front of an image model fed flat rows); null when no layer tells or the model starts with
 * a convolution.
 */
export function inputWidth(model: Module): number | null {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Unflatten) {
      return (m.dim === 1 || m.dim === -1) && !m.sizes.includes(-1) ? m.sizes.reduce((a, b) => a * b, 1) : null;
    }
    if ('inFeatures' in m && typeof m.inFeatures === 'number') return m.inFeatures;
    // A recurrent layer or cell: a [1, inputSize] sample is one step (a batch of one for a
    // cell, an unbatched sequence of one step for RNN, LSTM and GRU).
    if ('inputSize' in m && typeof m.inputSize === 'number') return m.inputSize;
    // A model that starts with a convolution takes images, not rows of features.
    if ('inChannels' in m) return null;
  }
  return null;
}
