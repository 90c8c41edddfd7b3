import { GradientError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { fmt } from '../tensor/shape.js';
import { concat } from '../ops/movement.js';
import { enableGrad, noGrad } from './engine.js';
import { grad } from './grad.js';
import { Tensor, valuesOf } from './tensor.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw a GradientError on mismatch (default true); otherwise just report. */
  raise?: boolean;
  /** Seed of the random projection that reduces a non-scalar output to a scalar. */
  seed?: number;
}

/** What {@link gradcheck} found. */
export interface GradcheckReport {
  ok: boolean;
  /** Largest |analytic − numeric| over all input elements. */
  maxAbsError: number;
  /** Number of input elements checked. */
  checked: number;
  /** Description of the worst mismatch, if any. */
  worst: string;
}

/**
 * Checks the analytic gradients of `fn` against float64 central finite differences.
 *
 * Float inputs are converted to float64 leaves; the output `y` is reduced to
 * the scalar `L = Σ w ⊙ y` with fixed random weights `w`, so every output
 * element matters. For each input element, `(L(x + ε) − L(x − ε)) / 2ε` must
 * match the back-propagated gradient within `atol + rtol · |numeric|`.
 *
 * @example
 * ```ts
 * gradcheck((a, b) => a.mul(b).sigmoid(), [randn([3, 4]), randn([4])]);
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raise = true, seed = 0 } = opts;
  const xs = inputs.map((t) =>
    t.dtype === 'int32' ? t : new Tensor(Float64Array.from(t.dataSync()), t.shape, true),
  );
  const y0 = fn(...xs);
  const gen = new Generator(seed);
  const w = new Tensor(
    Float64Array.from({ length: y0.size }, () => gen.nextNormal()),
    y0.shape,
  );
  const objective = (): number => {
    const y = fn(...xs).dataSync();
    const wv = w.dataSync();
    let s = 0;
    for (let i = 0; i < y.length; i++) s += wv[i]! * y[i]!;
    return s;
  };
  if (y0.requiresGrad) y0.mul(w).sum().backward();
  let maxAbsError = 0;
  let worst = '';
  let checked = 0;
  let ok = true;
  noGrad(() => {
    xs.forEach((x, k) => {
      if (x.dtype === 'int32') return;
      // x is a fresh float64 leaf in host memory, so its values are its storage: perturb in place.
      const d = valuesOf(x);
      const analyticGrad = x.grad?.dataSync() ?? new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) {
        const orig = d[i]!;
        d[i] = orig + eps;
        const up = objective();
        d[i] = orig - eps;
        const down = objective();
        d[i] = orig;
        const numeric = (up - down) / (2 * eps);
        const analytic = analyticGrad[i] ?? 0;
        const err = Math.abs(analytic - numeric);
        checked++;
        const bad = !(err <= atol + rtol * Math.abs(numeric));
        if (bad || err > maxAbsError) {
          if (err > maxAbsError || Number.isNaN(err)) maxAbsError = Number.isNaN(err) ? Number.NaN : err;
          if (bad && ok) {
            ok = false;
            worst = `input ${k} (shape ${fmt(x.shape)}) element ${i}: analytic ${analytic}, numeric ${numeric}`;
          }
        }
      }
    });
  });
  if (!ok && raise) throw new GradientError(`gradcheck failed: ${worst}`);
  return { ok, maxAbsError, checked, worst };
}

/**
 * Checks second derivatives: {@link gradcheck} applied to the first-derivative
 * function of `fn`. That function maps the inputs and an upstream gradient `v`
 * (fixed random values of the output's shape, checked as an input too) to the
 * flattened gradients `grad(fn(...inputs), inputs, { gradOutputs: v, createGraph: true })`,
 * so its analytic gradient is a backward pass through a backward pass, compared
 * with float64 central differences of the first derivatives.
 *
 * @example
 * ```ts
 * gradgradcheck((x) => x.tanh().mul(x), [randn([3, 4])]);
 * ```
 */
export function gradgradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const n = inputs.length;
  // The output's shape, from leaves like gradcheck's (fn may itself take gradients).
  const probe = enableGrad(() => fn(...inputs.map((t) => (t.dtype === 'int32' ? t : new Tensor(Float64Array.from(t.dataSync()), t.shape, true)))));
  const gen = new Generator((opts.seed ?? 0) + 7919);
  const v = new Tensor(
    Float64Array.from({ length: probe.size }, () => gen.nextNormal()),
    probe.shape,
  );
  const first = (...args: Tensor[]): Tensor =>
    enableGrad(() => {
      const xs = args.slice(0, n);
      const y = fn(...xs);
      const wrt = xs.filter((x) => x.requiresGrad);
      const zeros = (x: Tensor): Tensor => new Tensor(new Float64Array(x.size), [x.size]);
      if (wrt.length === 0) return new Tensor(new Float64Array(0), [0]);
      if (!y.requiresGrad) return concat(wrt.map(zeros));
      const gs = grad(y, wrt, { gradOutputs: args[n]!, createGraph: true, allowUnused: true });
      return concat(gs.map((g, i) => (g === null ? zeros(wrt[i]!) : g.reshape([g.size]))));
    });
  return gradcheck(first, [...inputs, v], opts);
}
