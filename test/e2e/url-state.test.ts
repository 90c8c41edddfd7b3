/**
 * The playground's URL state (no browser needed): every setting survives a round trip,
 * and bad or missing values fall back to the defaults.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, type PlaygroundState, stateFromQuery, stateToQuery } from '../../web/src/state.js';

describe('playground URL state', () => {
  it('round-trips every setting', () => {
    const s: PlaygroundState = {
      dataset: 'moons',
      noise: 0.25,
      points: 350,
      trainRatio: 0.7,
      layers: [3, 8, 1],
      activation: 'relu',
      optimizer: 'momentum',
      lr: 0.003,
      batch: 32,
      regulariser: 'dropout',
      regRate: 0.2,
      seed: 12345,
      target: '',
      features: ['x1sq', 'x1x2', 'sinx2'],
      task: 'auto',
    };
    expect(stateFromQuery(stateToQuery(s))).toEqual(s);
    const csv = { ...s, dataset: 'csv' as const, target: 'species', layers: [], features: [], task: 'regression' as const };
    expect(stateFromQuery(stateToQuery(csv))).toEqual(csv);
  });

  it('falls back to the defaults for missing or bad values', () => {
    expect(stateFromQuery('')).toEqual(DEFAULT_STATE);
    const s = stateFromQuery('?data=nope&noise=9&layers=3,999&act=swish&lr=-1&batch=0&seed=1.5x&reg=l3');
    expect(s).toEqual(DEFAULT_STATE);
  });

  it('keeps the regularisation rate only when a regulariser is on', () => {
    expect(stateToQuery({ ...DEFAULT_STATE, regulariser: 'none' })).not.toContain('rate=');
    expect(stateToQuery({ ...DEFAULT_STATE, regulariser: 'l2', regRate: 0.01 })).toContain('rate=0.01');
  });
});
