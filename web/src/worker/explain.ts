/**
 * Which inputs drive the prediction at one point: the library's `integratedGradients`
 * (Captum's semantics) on the current model, from an all-zero baseline in 50 steps, over
 * the inputs the network actually sees (the two columns after the preprocessing, and any
 * extra features such as x1² or sin x1).
 * @module
 */
import { integratedGradients, noGrad, softmax, Tensor } from 'cortex-nn';
import type { ExplanationMessage } from '../protocol.js';
import { inputNames } from './features.js';
import type { Session } from './session.js';

/** Points on the path from the baseline to the input (Captum's default). */
export const EXPLAIN_STEPS = 50;

/**
 * Explains the model of `s` at `point` (raw `[x1, x2]`, in the data's units): for
 * classification the logit of the predicted class, for regression the output in the
 * target's units. The attributions sum to `output − baselineOutput` up to `delta`.
 * The model is left in training mode, as the session keeps it.
 */
export function explainPoint(s: Session, point: [number, number], id = 0): ExplanationMessage {
  const values = s.modelInput(Float32Array.from(point));
  const x = new Tensor(values, [1, s.width]);
  const baseline = new Tensor(new Float32Array(s.width), [1, s.width]);
  const { model } = s.net;
  try {
    model.eval();
    const { out, base, probs } = noGrad(() => {
      const y = model.forward(x);
      return {
        out: y.dataSync(),
        base: model.forward(baseline).dataSync(),
        probs: s.classes > 0 ? softmax(y, 1).dataSync() : null,
      };
    });
    let target: number | undefined;
    let predicted: ExplanationMessage['predicted'] = null;
    if (probs) {
      let best = 0;
      for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
      target = best;
      predicted = { index: best, name: s.data.classNames[best] ?? String(best), probability: probs[best]! };
    }
    const k = target ?? 0;
    const ig = integratedGradients(model, x, { baselines: 0, nSteps: EXPLAIN_STEPS, target });
    // Regression outputs are modelled scaled, (y − mean) / scale: differences scale back by `scale`.
    const scaling = s.classes > 0 ? null : s.preprocessing.targetScaling;
    const unit = scaling?.scale ?? 1;
    const shift = scaling?.mean ?? 0;
    return {
      type: 'explanation',
      id,
      point,
      step: s.step,
      features: inputNames(s.data.featureNames, s.state.features),
      values: Array.from(values),
      attributions: Array.from(ig.attributions.dataSync(), (v) => v * unit),
      output: out[k]! * unit + shift,
      baselineOutput: base[k]! * unit + shift,
      delta: ig.delta.dataSync()[0]! * unit,
      predicted,
    };
  } finally {
    model.train();
  }
}
