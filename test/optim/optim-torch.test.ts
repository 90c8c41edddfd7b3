import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import {
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  LinearWarmup,
  type OptimizableParam,
  type Optimizer,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  type Scheduler,
  StepLR,
} from '../../src/optim/index.js';

interface OptimCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  trajectory: number[][][];
}
interface OptimFixture {
  shapes: number[][];
  start: number[][];
  grads: number[][][];
  cases: OptimCase[];
}
interface SchedCase {
  name: string;
  options: Record<string, unknown>;
  baseLr: number;
  lrs: number[];
  metrics?: number[];
}

const dir = new URL('../fixtures/torch/', import.meta.url);
const optimFx = JSON.parse(readFileSync(new URL('optim.json', dir), 'utf8')) as OptimFixture;
const schedFx = JSON.parse(readFileSync(new URL('optim-schedulers.json', dir), 'utf8')) as { cases: SchedCase[] };

/** Relative comparison: |a − e| ≤ tol · max(|e|, 1e-3). Returns the number of values compared. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): number {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-3);
    if (!(err <= tol)) throw new Error(`${what}[${i}]: got ${a}, PyTorch ${e} (relative error ${err.toExponential(2)})`);
  }
  return expected.length;
}

function makeParam(values: readonly number[], shape: number[]): OptimizableParam {
  return new Tensor(Float32Array.from(values), shape);
}

// biome-ignore lint/suspicious/noExplicitAny: constructor table over differently typed option bags
type AnyCtor = new (params: any, options: any) => Optimizer<any>;
const ctors: Record<string, AnyCtor> = { SGD, Adam, AdamW, RMSprop, Adagrad };

describe('optimizers match PyTorch over 5 steps', () => {
  for (const c of optimFx.cases) {
    it(c.name, () => {
      const params = optimFx.start.map((v, i) => makeParam(v, optimFx.shapes[i]!));
      const Ctor = ctors[c.optimizer]!;
      const input = c.groups ? c.groups.map((g, i) => ({ params: [params[i]!], ...g })) : params;
      const opt = new Ctor(input, c.options);
      c.trajectory.forEach((expected, step) => {
        opt.zeroGrad();
        params.forEach((p, i) => {
          p.grad = new Tensor(Float32Array.from(optimFx.grads[step]![i]!), [...p.shape]);
        });
        opt.step();
        params.forEach((p, i) => {
          expectClose(p.dataSync(), expected[i]!, 1e-5, `${c.name} step ${step + 1} param ${i}`);
        });
      });
    });
  }

  it('resumes identically after stateDict/loadStateDict mid-run', () => {
    for (const c of optimFx.cases) {
      const Ctor = ctors[c.optimizer]!;
      const run = (resumeAt: number): Float32Array[] => {
        let params = optimFx.start.map((v, i) => makeParam(v, optimFx.shapes[i]!));
        const mk = (ps: OptimizableParam[]) => new Ctor(c.groups ? c.groups.map((g, i) => ({ params: [ps[i]!], ...g })) : ps, c.options);
        let opt = mk(params);
        for (let step = 0; step < 5; step++) {
          if (step === resumeAt) {
            const sd = JSON.parse(JSON.stringify(opt.stateDict()));
            params = params.map((p) => makeParam(Array.from(p.dataSync()), [...p.shape]));
            opt = mk(params);
            opt.loadStateDict(sd);
          }
          params.forEach((p, i) => {
            p.grad = new Tensor(Float32Array.from(optimFx.grads[step]![i]!), [...p.shape]);
          });
          opt.step();
        }
        return params.map((p) => p.dataSync() as Float32Array);
      };
      expect(run(3), c.name).toEqual(run(-1));
    }
  });
});

function makeScheduler(c: SchedCase, opt: SGD): Scheduler {
  const o = c.options as never;
  const name = c.name.split('-')[0];
  switch (name) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'LinearWarmup': {
      const { after, ...rest } = c.options as { after: { tMax: number; etaMin: number }; warmupSteps: number };
      return new LinearWarmup(opt, { ...rest, after: (q) => new CosineAnnealingLR(q, after) });
    }
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o);
    default:
      throw new Error(`unknown scheduler ${c.name}`);
  }
}

describe('schedulers match PyTorch', () => {
  for (const c of schedFx.cases) {
    it(c.name, () => {
      const p = makeParam([0], [1]);
      const opt = new SGD([p], { lr: c.baseLr });
      const sched = makeScheduler(c, opt);
      const lrs: number[] = [];
      for (let i = 0; i < c.lrs.length; i++) {
        p.grad = new Tensor(new Float32Array(1), [1]);
        opt.step();
        sched.step(c.metrics?.[i]);
        lrs.push(opt.paramGroups[0]!.lr);
      }
      expectClose(lrs, c.lrs, 1e-9, c.name);
    });
  }
});
