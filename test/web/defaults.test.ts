/**
 * The playground's default run generalises: on the default spiral, with the default network
 * and hyperparameters, the test loss settles instead of climbing back up or spiking as the
 * training goes on. Counted in steps, with the same Session the page's worker runs.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE } from '../../web/src/state.js';
import { buildData } from '../../web/src/worker/dataset.js';
import { Session } from '../../web/src/worker/session.js';

describe('playground defaults', () => {
  it('do not overfit the spiral: the test loss stays near its minimum so far for 2,000 epochs', () => {
    const state = { ...DEFAULT_STATE, layers: [...DEFAULT_STATE.layers] };
    const s = new Session(state, buildData(state, null));
    let best = Number.POSITIVE_INFINITY;
    let worst = 0;
    let last = Number.NaN;
    while (s.epoch < 2000) {
      if (!s.trainStep().epochEnded) continue;
      const { testLoss } = s.evaluate();
      best = Math.min(best, testLoss);
      last = testLoss;
      // Once it has learnt (epoch 300), no epoch is much above the best one before it.
      if (s.epoch >= 300) worst = Math.max(worst, testLoss / best);
    }
    expect(s.step).toBe(2000 * Math.ceil((state.points * state.trainRatio) / state.batch));
    expect(best).toBeLessThan(0.1);
    expect(worst).toBeLessThan(1.3);
    expect(last).toBeLessThan(best * 1.15);
  });
});
