/**
 * The playground's explain panel, worker side: integrated gradients at one point over the
 * inputs the network sees, complete (the attributions sum to F(x) − F(baseline)), for the
 * predicted class or the regression output in the target's units.
 */
import { describe, expect, it } from 'vitest';
import { noGrad, softmax, Tensor } from '../../src/index.js';
import { DEFAULT_STATE, type PlaygroundState } from '../../web/src/state.js';
import { buildData } from '../../web/src/worker/dataset.js';
import { explainPoint } from '../../web/src/worker/explain.js';
import { Session } from '../../web/src/worker/session.js';

function session(edit: Partial<PlaygroundState>, csv: { name: string; text: string } | null = null): Session {
  const state: PlaygroundState = { ...DEFAULT_STATE, layers: [...DEFAULT_STATE.layers], ...edit };
  return new Session(state, buildData(state, csv));
}

/** The model's raw outputs at raw `[x1, x2]` (evaluation mode; back to training after). */
function outputs(s: Session, point: [number, number]): Float32Array {
  const x = new Tensor(s.modelInput(Float32Array.from(point)), [1, s.width]);
  s.net.model.eval();
  const y = noGrad(() => s.net.model.forward(x));
  s.net.model.train();
  return Float32Array.from(y.dataSync());
}

const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);

describe('playground explain', () => {
  it('attributes the predicted class over every input the network sees, completely', () => {
    const s = session({ dataset: 'spiral', features: ['x1sq', 'sinx1'], lr: 0.03 });
    while (s.epoch < 20) s.trainStep();
    const point: [number, number] = [s.data.trainX[0]!, s.data.trainX[1]!];
    const e = explainPoint(s, point, 7);

    expect(e.id).toBe(7);
    expect(e.step).toBe(s.step);
    expect(e.features).toEqual(['x1', 'x2', 'x1²', 'sin x1']);
    const [a, b] = point;
    expect(e.values[0]).toBeCloseTo(a, 5);
    expect(e.values[1]).toBeCloseTo(b, 5);
    expect(e.values[2]).toBeCloseTo(a * a, 5);
    expect(e.values[3]).toBeCloseTo(Math.sin(a), 5);
    expect(e.attributions).toHaveLength(4);
    expect(e.attributions.every(Number.isFinite)).toBe(true);

    // The predicted class is the model's most likely one, with its probability.
    const logits = outputs(s, point);
    const probs = softmax(new Tensor(logits, [1, logits.length]), 1).dataSync();
    const best = probs.indexOf(Math.max(...probs));
    expect(e.predicted?.index).toBe(best);
    expect(e.predicted?.name).toBe(s.data.classNames[best]);
    expect(e.predicted?.probability).toBeCloseTo(probs[best]!, 5);

    // Completeness: the attributions sum to F(x) − F(0) for that class's logit.
    expect(e.output).toBeCloseTo(logits[best]!, 5);
    // Generated data are not scaled, so the all-zero baseline is the plane's origin.
    expect(e.baselineOutput).toBeCloseTo(outputs(s, [0, 0])[best]!, 5);
    expect(Math.abs(e.delta)).toBeLessThan(1e-3);
    expect(Math.abs(sum(e.attributions) - (e.output - e.baselineOutput))).toBeLessThan(1e-3);
    // The session keeps training afterwards.
    expect(s.net.model.training).toBe(true);
  });

  it('attributes a regression output in the target units of a scaled CSV target', () => {
    const rows = ['a,b,y'];
    for (let i = 0; i < 80; i++) {
      const a = (i % 10) / 3;
      const b = Math.floor(i / 10) / 2;
      rows.push(`${a},${b},${(40 + 12 * a - 5 * b).toFixed(3)}`);
    }
    const s = session({ dataset: 'csv', layers: [6], lr: 0.03 }, { name: 'lin.csv', text: rows.join('\n') });
    expect(s.data.task).toBe('regression');
    const scaling = s.preprocessing.targetScaling;
    expect(scaling).not.toBeNull();
    while (s.epoch < 30) s.trainStep();
    const point: [number, number] = [2, 1.5];
    const e = explainPoint(s, point);

    expect(e.predicted).toBeNull();
    expect(e.features).toEqual(['a', 'b']);
    // The network sees standardised inputs; the output is in the target's own units.
    expect(e.values[0]).not.toBeCloseTo(2, 2);
    expect(e.output).toBeCloseTo(outputs(s, point)[0]! * scaling!.scale + scaling!.mean, 3);
    expect(Math.abs(e.delta)).toBeLessThan(1e-3 * scaling!.scale);
    expect(Math.abs(sum(e.attributions) - (e.output - e.baselineOutput))).toBeLessThan(1e-3 * scaling!.scale);
  });
});
