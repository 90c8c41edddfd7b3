/**
 * The playground's training run (the worker's Session), without a browser: L1 shrinks the
 * weights, the learning rate changes in place, and a single weight can be set.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, type PlaygroundState } from '../../web/src/state.js';
import { buildData } from '../../web/src/worker/dataset.js';
import { Session } from '../../web/src/worker/session.js';

function session(edit: Partial<PlaygroundState>): Session {
  const state: PlaygroundState = { ...DEFAULT_STATE, layers: [...DEFAULT_STATE.layers], ...edit };
  return new Session(state, buildData(state, null));
}

function l1(s: Session): number {
  let total = 0;
  for (const l of s.net.linears) for (const v of l.weight.dataSync()) total += Math.abs(v);
  return total;
}

describe('playground session', () => {
  it('L1 regularisation shrinks the weights, and the loss shown is the data loss', () => {
    const plain = session({ regulariser: 'none', lr: 0.01 });
    const sparse = session({ regulariser: 'l1', regRate: 0.01, lr: 0.01 });
    // Same seed, same first batch: the L1 term is not part of the reported loss.
    expect(sparse.trainStep().loss).toBeCloseTo(plain.trainStep().loss, 6);
    while (plain.epoch < 60) plain.trainStep();
    while (sparse.epoch < 60) sparse.trainStep();
    expect(l1(sparse)).toBeLessThan(0.7 * l1(plain));
  });

  it('changes the learning rate in place and sets one weight', () => {
    const s = session({});
    for (let i = 0; i < 5; i++) s.trainStep();
    s.setLearningRate(0.1);
    expect(s.optimizer.paramGroups.every((g) => g.lr === 0.1)).toBe(true);
    expect(s.state.lr).toBe(0.1);
    expect(s.step).toBe(5);
    s.setWeight(1, 2, 3, 2.5);
    const w = s.net.linears[1]!;
    expect(w.weight.dataSync()[2 * w.inFeatures + 3]).toBe(2.5);
    s.trainStep();
    expect(s.step).toBe(6);
  });

  it('takes extra inputs: x1², x2², x1·x2, sin x1 and sin x2 after the two columns', () => {
    const s = session({ features: ['x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'], dataset: 'circles' });
    expect(s.width).toBe(7);
    expect(s.net.linears[0]!.inFeatures).toBe(7);
    const first = s.evaluate().testLoss;
    while (s.epoch < 40) s.trainStep();
    expect(s.evaluate().testLoss).toBeLessThan(first);
    const { maps, sizes } = s.neuronMaps();
    expect(sizes[0]).toBe(7);
    // The x1² map is the square of the x1 map, cell by cell.
    const cells = maps[0]!.length / 7;
    for (const k of [0, 100, 500]) expect(maps[0]![2 * cells + k]).toBeCloseTo(maps[0]![k]! ** 2, 5);
  });
});

