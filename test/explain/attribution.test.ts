import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/autograd/tensor.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import {
  featureAblation,
  gradientShap,
  INTEGRATION_METHODS,
  inputXGradient,
  integratedGradients,
  noiseTunnel,
  occlusion,
  pathPoints,
  permutationImportance,
  saliency,
  smoothGrad,
} from '../../src/explain/index.js';
import { Linear, Sequential, Tanh, ReLU } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { mseLoss } from '../../src/nn/index.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { spearman } from '../support/stats.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
};

// F(x) = x · w + 0.5 on [N, 4]: every method has an exact answer.
const w = [0.5, -2, 1.5, 0.25];
const linear = (x: Tensor): Tensor => x.matmul(new Tensor(Float32Array.from(w), [4, 1])).add(0.5);
const x = new Tensor(Float32Array.from([1, 2, 3, 4, -1, 0.5, 2, -3]), [2, 4]);
const times = (f: (j: number, e: number) => number): number[] => [0, 1].flatMap((e) => w.map((_, j) => f(j, e)));
const xv = (e: number, j: number): number => x.dataSync()[e * 4 + j]!;

describe('gradient attributions on a linear model (exact answers)', () => {
  it('saliency is |w|, signed with abs: false; input × gradient is x · w', () => {
    close(saliency(linear, x).dataSync(), times((j) => Math.abs(w[j]!)), 1e-6);
    close(saliency(linear, x, { abs: false }).dataSync(), times((j) => w[j]!), 1e-6);
    close(inputXGradient(linear, x).dataSync(), times((j, e) => xv(e, j) * w[j]!), 1e-6);
  });

  it('integrated gradients is (x − baseline) · w for every integration method, with delta 0', () => {
    for (const method of INTEGRATION_METHODS) {
      const r = integratedGradients(linear, x, { method, nSteps: 7, baselines: new Tensor(Float32Array.from([1, 1, 1, 1]), [4]) });
      close(r.attributions.dataSync(), times((j, e) => (xv(e, j) - 1) * w[j]!), 1e-5);
      for (const d of r.delta.dataSync()) expect(Math.abs(d)).toBeLessThan(1e-5);
    }
  });

  it('GradientSHAP with one baseline and no noise is (x − b) · w; occlusion and ablation of single features too', () => {
    close(gradientShap(linear, x, { baselines: new Tensor(new Float32Array(4), [1, 4]), nSamples: 3 }).dataSync(), times((j, e) => xv(e, j) * w[j]!), 1e-5);
    close(occlusion(linear, x, { slidingWindowShapes: [1] }).dataSync(), times((j, e) => xv(e, j) * w[j]!), 1e-5);
    close(featureAblation(linear, x).dataSync(), times((j, e) => xv(e, j) * w[j]!), 1e-5);
    // A window of 2 with stride 2 splits the features into two blocks; each block's drop is shared.
    const blocks = occlusion(linear, x, { slidingWindowShapes: [2], strides: 2 }).dataSync();
    close(blocks, times((j, e) => (j < 2 ? xv(e, 0) * w[0]! + xv(e, 1) * w[1]! : xv(e, 2) * w[2]! + xv(e, 3) * w[3]!)), 1e-5);
    const grouped = featureAblation(linear, x, { featureMask: [0, 0, 1, 1] }).dataSync();
    close(grouped, blocks, 1e-6);
  });

  it('a noise tunnel with no noise is the method itself; vargrad is then 0', () => {
    const g = new Generator(1);
    close(noiseTunnel(linear, x, (m, xn) => inputXGradient(m, xn), { stdevs: 0, generator: g }).dataSync(), inputXGradient(linear, x).dataSync(), 1e-6);
    for (const v of noiseTunnel(linear, x, (m, xn) => inputXGradient(m, xn), { stdevs: 0, ntType: 'vargrad', generator: g }).dataSync()) {
      expect(Math.abs(v)).toBeLessThan(1e-6);
    }
    // SmoothGrad of a linear model is |w| whatever the noise; seeded, so repeatable.
    close(smoothGrad(linear, x, { generator: new Generator(2) }).dataSync(), times((j) => Math.abs(w[j]!)), 1e-6);
  });
});

describe('integration points', () => {
  it('Gauss–Legendre integrates polynomials of degree < 2n exactly on [0, 1]', () => {
    for (const n of [1, 2, 5, 50]) {
      const { alphas, weights } = pathPoints('gausslegendre', n);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (let k = 0; k < Math.min(2 * n, 12); k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += weights[i]! * alphas[i]! ** k;
        expect(s).toBeCloseTo(1 / (k + 1), 12);
      }
      for (let i = 1; i < n; i++) expect(alphas[i]!).toBeGreaterThan(alphas[i - 1]!);
    }
    const two = pathPoints('gausslegendre', 2);
    close(two.alphas, [(1 - 1 / Math.sqrt(3)) / 2, (1 + 1 / Math.sqrt(3)) / 2], 1e-14);
  });

  it('Riemann points as Captum places them', () => {
    close(pathPoints('riemann_left', 4).alphas, [0, 0.25, 0.5, 0.75], 0);
    close(pathPoints('riemann_right', 4).alphas, [0.25, 0.5, 0.75, 1], 0);
    close(pathPoints('riemann_middle', 4).alphas, [0.125, 0.375, 0.625, 0.875], 0);
    close(pathPoints('riemann_trapezoid', 3).weights, [0.25, 0.5, 0.25], 0);
  });
});

describe('sanity checks', () => {
  it('completeness: integrated gradients on an MLP sum to F(x) − F(baseline), |delta| < 1e-3 at 50 steps', () => {
    const deltas = (Act: typeof Tanh | typeof ReLU, nSteps: number): number => {
      manualSeed(3);
      const mlp = new Sequential(new Linear(6, 16), new Act(), new Linear(16, 16), new Act(), new Linear(16, 3));
      const g = new Generator(4);
      const xs = new Tensor(Float32Array.from({ length: 8 * 6 }, () => g.nextNormal()), [8, 6]);
      const r = integratedGradients(mlp, xs, { target: [0, 1, 2, 0, 1, 2, 0, 1], nSteps });
      return Math.max(...Array.from(r.delta.dataSync(), Math.abs));
    };
    // A smooth network: Gauss–Legendre converges to float32 precision (measured 2e-8).
    expect(deltas(Tanh, 50)).toBeLessThan(1e-3);
    // ReLU's kinks make the integrand piecewise smooth: the error falls with more steps.
    expect(deltas(ReLU, 50)).toBeLessThan(5e-3);
    expect(deltas(ReLU, 300)).toBeLessThan(1e-3);
  });

  it('randomization test (Adebayo et al., 2018): a trained model looks at the features that matter; random weights do not', () => {
    // y = 2·x0 − 3·x1; features 2–5 are noise.
    const g = new Generator(5);
    const n = 256;
    const xs = Float32Array.from({ length: n * 6 }, () => g.nextNormal());
    const ys = Float32Array.from({ length: n }, (_, i) => 2 * xs[i * 6]! - 3 * xs[i * 6 + 1]!);
    const X = new Tensor(xs, [n, 6]);
    const Y = new Tensor(ys, [n, 1]);
    manualSeed(6);
    const model = new Sequential(new Linear(6, 16), new Tanh(), new Linear(16, 1));
    const opt = new SGD(model.parameters(), { lr: 0.05 });
    for (let s = 0; s < 400; s++) {
      opt.zeroGrad();
      mseLoss(model.forward(X), Y).backward();
      opt.step();
    }
    const trained = saliency(model, X).dataSync();
    const meanAbs = (v: ArrayLike<number>, j: number): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i * 6 + j]!;
      return s / n;
    };
    const noise = Math.max(...[2, 3, 4, 5].map((j) => meanAbs(trained, j)));
    expect(meanAbs(trained, 0)).toBeGreaterThan(3 * noise);
    expect(meanAbs(trained, 1)).toBeGreaterThan(3 * noise);
    manualSeed(7);
    const random = new Sequential(new Linear(6, 16), new Tanh(), new Linear(16, 1));
    expect(spearman(trained, saliency(random, X).dataSync())).toBeLessThan(0.5);
  });

  it('permutation importance finds the column the target depends on', () => {
    const g = new Generator(8);
    const n = 200;
    const xs = Float32Array.from({ length: n * 3 }, () => g.nextNormal());
    const X = new Tensor(xs, [n, 3]);
    // The "model" is the truth y = x1; the score is minus the mean squared error against it.
    const y = Float64Array.from({ length: n }, (_, i) => xs[i * 3 + 1]!);
    const score = (t: Tensor): number => {
      const v = t.dataSync();
      let s = 0;
      for (let i = 0; i < n; i++) s += (v[i * 3 + 1]! - y[i]!) ** 2;
      return -s / n;
    };
    const r = permutationImportance(X, score, { generator: new Generator(9) });
    expect(r.baseline).toBeCloseTo(0, 12);
    expect(r.importances[1]!).toBeGreaterThan(1.5); // about 2 for unit-variance columns
    expect(r.importances[0]).toBeCloseTo(0, 12);
    expect(r.importances[2]).toBeCloseTo(0, 12);
  });
});

describe('bad options are typed errors', () => {
  const mlp = new Sequential(new Linear(4, 3));
  it('names the problem', () => {
    expect(() => saliency(mlp, x)).toThrow(ArgumentError); // three outputs, no target
    expect(() => saliency(mlp, x)).toThrow(/pass a target/);
    expect(() => saliency(mlp, x, { target: 3 })).toThrow(/target 3 is not an output index from 0 to 2/);
    expect(() => saliency(mlp, x, { target: [0] })).toThrow(/1 entries for 2 examples/);
    expect(() => integratedGradients(linear, x, { baselines: new Tensor(Float32Array.from([1, 2, 3]), [3]) })).toThrow(ShapeError);
    expect(() => integratedGradients(linear, x, { nSteps: 0 })).toThrow(/nSteps must be a positive integer/);
    expect(() => occlusion(linear, x, { slidingWindowShapes: [5] })).toThrow(ShapeError);
    expect(() => featureAblation(linear, x, { featureMask: [0, 1] })).toThrow(/one integer group id per feature/);
    expect(() => saliency(linear, new Tensor(Float32Array.from([1, 2, 3, 4]), [4]))).toThrow(/must be a batch/);
    expect(() => saliency(linear, new Tensor(Float32Array.from([1, Number.NaN, 3, 4]), [1, 4]))).toThrow(/finite inputs/);
  });
});
