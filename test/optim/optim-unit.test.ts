import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { ArgumentError, DTypeError } from '../../src/errors.js';
import {
  Adagrad,
  Adam,
  AdamW,
  clipGradNorm,
  clipGradValue,
  CosineAnnealingLR,
  LinearLR,
  LinearWarmup,
  type OptimizableParam,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  StepLR,
} from '../../src/optim/index.js';

function param(values: number[], grad?: number[]): OptimizableParam {
  const p = new Tensor(Float32Array.from(values), [values.length]);
  if (grad) p.grad = new Tensor(Float32Array.from(grad), [grad.length]);
  return p;
}

describe('hyperparameter validation', () => {
  it('throws ArgumentError naming the bad hyperparameter', () => {
    const ps = () => [param([1])];
    expect(() => new SGD(ps(), { lr: -1 })).toThrow(/SGD: lr must be .*got -1/);
    expect(() => new SGD(ps(), { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => new SGD(ps(), { momentum: Number.NaN })).toThrow(ArgumentError);
    expect(() => new Adam(ps(), { betas: [0.9, 1] })).toThrow(/betas must each be below 1/);
    expect(() => new Adam(ps(), { eps: -1e-8 })).toThrow(/Adam: eps/);
    expect(() => new AdamW(ps(), { weightDecay: -0.1 })).toThrow(/AdamW: weightDecay/);
    expect(() => new RMSprop(ps(), { alpha: 1.5 })).toThrow(/RMSprop: alpha must be .* \[0, 1\]/);
    expect(() => new Adagrad(ps(), { lrDecay: -1 })).toThrow(/Adagrad: lrDecay/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    expect(() => new StepLR(new SGD(ps()), { stepSize: 0 })).toThrow(/stepSize must be a positive integer/);
  });

  it('rejects a parameter listed in two groups', () => {
    const p = param([1]);
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow(/params\[0\] of parameter group 1 appears in more than one group/);
  });

  it('every rejection is an ArgumentError whose message names the optimizer, the option and the value', () => {
    const ps = () => [param([1])];
    const sgd = () => new SGD(ps());
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new SGD(ps(), { lr: -1 }), /^SGD: lr .*got -1$/],
      [() => new SGD(ps(), { nesterov: 'yes' as never }), /^SGD: nesterov must be a boolean, got yes$/],
      [() => new SGD(ps(), { lr: 0.1, nesterov: true }), /^SGD: Nesterov .*got momentum 0 and dampening 0$/],
      [() => new Adam(ps(), { betas: [0.9] as never }), /^Adam: betas must be a pair .*got \[0.9\]$/],
      [() => new Adam(ps(), { betas: [0.9, 1] }), /^Adam: betas must each be below 1, got \[0.9, 1\]$/],
      [() => new AdamW(ps(), { amsgrad: 1 as never }), /^AdamW: amsgrad must be a boolean, got 1$/],
      [() => new RMSprop(ps(), { centered: null as never }), /^RMSprop: centered must be a boolean, got null$/],
      [() => new SGD([], { lr: 0.1 }), /^SGD: params must hold at least one parameter/],
      [() => new StepLR(sgd(), { stepSize: 1.5 }), /^StepLR: stepSize .*got 1.5$/],
      [() => new CosineAnnealingLR(sgd(), { tMax: 0 }), /^CosineAnnealingLR: tMax .*got 0$/],
      [() => new LinearLR(sgd(), { totalIters: -2 }), /^LinearLR: totalIters .*got -2$/],
      [() => new LinearWarmup(sgd(), { warmupSteps: 0 }), /^LinearWarmup: warmupSteps .*got 0$/],
      [() => new ReduceLROnPlateau(sgd(), { mode: 'up' as never }), /^ReduceLROnPlateau: mode .*got up$/],
      [() => new ReduceLROnPlateau(sgd(), { thresholdMode: 'x' as never }), /^ReduceLROnPlateau: thresholdMode .*got x$/],
      [() => new ReduceLROnPlateau(sgd(), { factor: 1 }), /^ReduceLROnPlateau: factor .*got 1$/],
      [() => new ReduceLROnPlateau(sgd()).step(Number.NaN), /^ReduceLROnPlateau.step: .*got NaN$/],
      [() => clipGradNorm(ps(), 0), /^clipGradNorm: maxNorm must be positive, got 0$/],
      [() => clipGradNorm(ps(), 1, -1), /^clipGradNorm: normType .*got -1$/],
      [() => clipGradValue(ps(), -1), /^clipGradValue: clipValue .*got -1$/],
    ];
    for (const [f, message] of cases) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught, String(message)).toBeInstanceOf(ArgumentError);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('loadStateDict and step reject mismatched state and gradients with ArgumentError', () => {
    const a = new SGD([param([1, 2])], { momentum: 0.9 });
    expect(() => a.loadStateDict({ state: {}, paramGroups: [] })).toThrow(ArgumentError);
    expect(() => a.loadStateDict({ state: {}, paramGroups: [{ params: [0, 1] }] })).toThrow(/group 0 has 2 parameters/);
    expect(() => a.loadStateDict({ state: { 3: {} }, paramGroups: [{ params: [0] }] })).toThrow(/unknown parameter index 3/);
    expect(() => a.loadStateDict({ state: { 0: { momentumBuffer: [1, 2, 3] } }, paramGroups: [{ params: [0] }] })).toThrow(
      /'momentumBuffer' of parameter 0 has 3 values, the parameter has 2/,
    );
    const bad = new SGD([param([1, 2], [1, 2, 3])]);
    expect(() => bad.step()).toThrow(ArgumentError);
    expect(() => bad.step()).toThrow(/SGD: a gradient has 3 values but its parameter has 2/);
  });

  it('rejects int32 parameters with a DTypeError', () => {
    const p: OptimizableParam = new Tensor(Int32Array.from([1]), [1]);
    expect(() => new Adam([p])).toThrow(DTypeError);
    expect(() => new Adam([p])).toThrow(/Adam: a parameter is an int32 tensor/);
  });
});

describe('optimizer basics', () => {
  it('skips parameters without a gradient and zeroGrad clears gradients', () => {
    const a = param([1, 2], [1, 1]);
    const b = param([3]);
    const opt = new SGD([a, b], { lr: 0.5 });
    opt.step();
    expect(Array.from(a.dataSync())).toEqual([0.5, 1.5]);
    expect(Array.from(b.dataSync())).toEqual([3]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('minimises a quadratic with every optimizer', () => {
    const make = [
      (p: OptimizableParam[]) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
      (p: OptimizableParam[]) => new Adam(p, { lr: 0.1 }),
      (p: OptimizableParam[]) => new AdamW(p, { lr: 0.1, weightDecay: 0 }),
      (p: OptimizableParam[]) => new RMSprop(p, { lr: 0.05 }),
      (p: OptimizableParam[]) => new Adagrad(p, { lr: 0.5 }),
    ];
    for (const mk of make) {
      const p = param([3, -2]);
      const opt = mk([p]);
      for (let i = 0; i < 300; i++) {
        const d = p.dataSync() as Float32Array;
        p.grad = new Tensor(Float32Array.from([2 * (d[0]! - 1), 2 * (d[1]! + 1)]), [2]);
        opt.step();
      }
      expect(p.dataSync()[0]).toBeCloseTo(1, 1);
      expect(p.dataSync()[1]).toBeCloseTo(-1, 1);
    }
  });

  it('keeps float64 state for float64 parameters', () => {
    const p: OptimizableParam = new Tensor(Float64Array.from([1]), [1]);
    p.grad = new Tensor(Float64Array.from([0.5]), [1]);
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    const sd = opt.stateDict();
    expect(sd.state['0']!.step).toBe(1);
    expect(sd.paramGroups[0]!.lr).toBe(0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.9, 8);
  });

  it('LinearWarmup without a follow-up holds the base rate', () => {
    const opt = new SGD([param([0])], { lr: 1 });
    const s = new LinearWarmup(opt, { warmupSteps: 4 });
    const lrs = [opt.paramGroups[0]!.lr];
    for (let i = 0; i < 6; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
    }
    expect(lrs).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 1]);
  });
});

describe('gradient clipping', () => {
  it('clipGradNorm scales the global norm and returns the norm before clipping', () => {
    const a = param([0, 0], [3, 0]);
    const b = param([0], [4]);
    const norm = clipGradNorm([a, b], 1);
    expect(norm).toBeCloseTo(5, 6);
    const ga = a.grad!.dataSync();
    const gb = b.grad!.dataSync();
    expect(Math.hypot(ga[0]!, ga[1]!, gb[0]!)).toBeCloseTo(1, 5);
    expect(ga[0]! / gb[0]!).toBeCloseTo(0.75, 6);
    // Below the limit nothing changes.
    const c = param([0], [0.5]);
    expect(clipGradNorm([c], 1)).toBeCloseTo(0.5, 6);
    expect(c.grad!.dataSync()[0]).toBe(0.5);
  });

  it('clipGradNorm supports the infinity norm and reports non-finite norms', () => {
    const a = param([0, 0], [-3, 2]);
    expect(clipGradNorm([a], 1.5, Number.POSITIVE_INFINITY)).toBe(3);
    expect(a.grad!.dataSync()[0]).toBeCloseTo(-1.5, 5);
    const n = param([0], [Number.NaN]);
    expect(clipGradNorm([n], 1)).toBeNaN();
  });

  it('clipGradValue clamps each element', () => {
    const a = param([0, 0, 0], [-3, 0.2, 9]);
    clipGradValue([a], 1);
    expect(Array.from(a.grad!.dataSync())).toEqual([-1, Math.fround(0.2), 1]);
  });
});

describe('scheduler state', () => {
  it('a restored scheduler continues the same schedule', async () => {
    const { CosineAnnealingLR, ReduceLROnPlateau } = await import('../../src/optim/index.js');
    const a = new SGD([param([0])], { lr: 1 });
    const sa = new CosineAnnealingLR(a, { tMax: 10 });
    for (let i = 0; i < 4; i++) sa.step();
    const b = new SGD([param([0])], { lr: 1 });
    const sb = new CosineAnnealingLR(b, { tMax: 10 });
    sb.loadStateDict(JSON.parse(JSON.stringify(sa.stateDict())));
    expect(sb.getLastLr()).toEqual(sa.getLastLr());
    sa.step();
    sb.step();
    expect(sb.getLastLr()).toEqual(sa.getLastLr());

    const c = new SGD([param([0])], { lr: 1 });
    const pc = new ReduceLROnPlateau(c, { patience: 0, factor: 0.5 });
    pc.step(1);
    pc.step(2);
    expect(pc.getLastLr()).toEqual([0.5]);
    const d = new SGD([param([0])], { lr: 1 });
    const pd = new ReduceLROnPlateau(d, { patience: 0, factor: 0.5 });
    pd.loadStateDict(pc.stateDict());
    expect(pd.getLastLr()).toEqual([0.5]);
    expect(pd.best).toBe(1);
    expect(() => pd.step()).toThrow(/needs a finite metric/);
  });
});
