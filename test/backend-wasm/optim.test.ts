/**
 * The WASM optimizer updates (`sgdStep`, `adamStep`, `rmspropStep`,
 * `adagradStep`) against the reference backend: every option combination, on
 * lengths that leave every SIMD tail (1, 3, 5, 17, 1023, 40003), over a few chained
 * steps. Each step gives both backends identical copies of the same inputs
 * (the reference's state of the step before), so errors do not accumulate.
 *
 * Tolerance: the kernels compute in float32 and round every intermediate
 * (`g + wd·w`, `β·m`, `√v · (1 / √(1 − β2^t))` where the reference divides, ...);
 * the reference computes each element in float64 and rounds once per stored value. So results differ by a
 * few float32 ulps of the terms that enter the element: we allow 1e-6 of the
 * largest of them (`|old|`, `|new|`, `|d| = |g + wd·w|`, `d²` for the squared
 * averages, and the step and its terms for the parameters), which also covers
 * cancellation such as `β1·m + (1 − β1)·d ≈ 0`. Where `g + wd·w` itself cancels,
 * the kernel's rounded `d` has relative error `ulp·(|g| + wd·|w|) / |d|`, which
 * RMSprop's scale-free `d / (√s + eps)` passes on in full near `eps`: `|new|` is
 * weighted by that condition number. Float64 arrays and mixed types
 * go to the reference and must match it exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions, SgdStepOptions } from '../../src/backend/backend.js';
import { jsBackend as js } from '../../src/backend/js/index.js';
import { setParallelCutoffs } from '../../src/backend/wasm/backend.js';
import { initWasmBackend, setNumThreads, wasmBackend as wasm } from '../../src/backend/wasm/index.js';
import type { Tensor } from '../../src/autograd/tensor.js';
import { getBackend } from '../../src/backend/registry.js';
import { tensor } from '../../src/ops/creation.js';
import { expectClose, expectSame, randomArray, rng } from './helpers.js';

/** Odd lengths for the SIMD tails; 40003 spans three of the wrapper's 16384-float blocks. */
const LENGTHS = [1, 3, 4, 5, 17, 1023, 40003];
const STEPS = 3;

/** The arrays of one update: `w`, `g`, then the state buffers (null when unused). */
type Arrays = (Float32Array | null)[];
type Kernel = (b: typeof js, a: Arrays) => void;

function copy(a: Arrays): Arrays {
  return a.map((x) => (x === null ? null : x.slice()));
}

/**
 * Runs `kernel` on both backends from the same inputs and compares every updated
 * array. `square[k]` marks buffers that accumulate d²; `wd` and `lr` size the
 * terms of the scale. Returns the reference's arrays (the next step's inputs).
 */
function agree(what: string, kernel: Kernel, input: Arrays, wd: number, lr: number, square: boolean[]): Arrays {
  const want = copy(input);
  const got = copy(input);
  // The kernels return nothing: the caller's arrays are what is compared.
  kernel(js, want);
  kernel(wasm, got);
  const w0 = input[0]!;
  const g = input[1]!;
  for (let k = 0; k < input.length; k++) {
    if (k === 1 || input[k] === null) continue;
    const old = input[k]!;
    const ref = want[k]!;
    const scale = new Float64Array(old.length);
    for (let i = 0; i < old.length; i++) {
      const d = Math.abs(g[i]!) + wd * Math.abs(w0[i]!);
      // Where g + wd·w cancels, the kernel's rounded d is off by a float32 ulp of its terms.
      const cond = Math.min(d / Math.abs(g[i]! + wd * w0[i]!), 1e6);
      let term = square[k] ? d * d : d;
      if (k === 0) {
        // The step itself, and the terms it is formed from (d and the old and new state).
        term = Math.abs(ref[i]! - old[i]!) + lr * d;
        for (let j = 2; j < want.length; j++) term += lr * (Math.abs(want[j]?.[i] ?? 0) + Math.abs(input[j]?.[i] ?? 0));
      }
      scale[i] = Math.max(Math.abs(old[i]!), Math.abs(ref[i]!) * Math.max(cond, 1), term);
    }
    expectClose(got[k]!, ref, 0, 1e-6, `${what}: array ${k}`, scale);
  }
  return want;
}

/** Runs `STEPS` chained updates of a kernel on random data of each length. */
function sweep(
  name: string,
  seed: number,
  buffers: (n: number, next: () => number) => Arrays,
  kernel: (step: number) => Kernel,
  wd: number,
  lr: number,
  square: boolean[],
): void {
  const next = rng(seed);
  for (const n of LENGTHS) {
    let a: Arrays = [randomArray(next, n), randomArray(next, n), ...buffers(n, next)];
    for (let step = 1; step <= STEPS; step++) {
      a[1] = randomArray(next, n);
      a = agree(`${name} n=${n} step ${step}`, kernel(step), a, wd, lr, square);
    }
  }
}

const bools = [false, true];

describe.each([1, 2])('wasm optimizer updates on %i thread(s)', (threads) => {
  beforeAll(async () => {
    expect(await initWasmBackend()).not.toBeNull();
    await setNumThreads(threads);
    // On two threads a split job runs first, so the updates must leave the shared memory.
    if (threads > 1) setParallelCutoffs(0, 0);
  });
  afterAll(async () => {
    setParallelCutoffs();
    await setNumThreads(1);
  });

  it('sgdStep matches the reference for every option combination', () => {
    let seed = 10 * threads;
    for (const momentum of [0, 0.9])
      for (const dampening of [0, 0.3])
        for (const nesterov of bools)
          for (const weightDecay of [0, 0.01]) {
            if (nesterov && (momentum === 0 || dampening !== 0)) continue;
            const lr = 0.1;
            wasm.unary('exp', new Float32Array(5000));
            sweep(
              `sgd ${JSON.stringify({ momentum, dampening, nesterov, weightDecay })}`,
              seed++,
              (n, next) => (momentum === 0 ? [null] : [randomArray(next, n)]),
              (step) => (b, [w, g, buf]) => {
                const o: SgdStepOptions = { lr, momentum, dampening, nesterov, weightDecay, fresh: step === 1 };
                b.sgdStep(w!, g!, buf!, o);
              },
              weightDecay,
              lr,
              [false, false, false],
            );
          }
  });

  it('adamStep matches the reference for Adam, AdamW and AMSGrad', () => {
    let seed = 100 * threads;
    for (const decoupled of bools)
      for (const amsgrad of bools)
        for (const weightDecay of [0, 0.05]) {
          const lr = 0.01;
          wasm.unary('exp', new Float32Array(5000));
          sweep(
            `adam ${JSON.stringify({ decoupled, amsgrad, weightDecay })}`,
            seed++,
            (n) => [new Float32Array(n), new Float32Array(n), amsgrad ? new Float32Array(n) : null],
            (step) => (b, [w, g, m, v, vmax]) => {
              const o: AdamStepOptions = { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, step };
              b.adamStep(w!, g!, m!, v!, vmax!, o);
            },
            weightDecay,
            lr,
            [false, false, false, true, true],
          );
        }
  });

  it('rmspropStep matches the reference, centered and with momentum', () => {
    let seed = 200 * threads;
    for (const centered of bools)
      for (const momentum of [0, 0.9])
        for (const weightDecay of [0, 0.1]) {
          const lr = 0.01;
          sweep(
            `rmsprop ${JSON.stringify({ centered, momentum, weightDecay })}`,
            seed++,
            (n) => [new Float32Array(n), centered ? new Float32Array(n) : null, momentum > 0 ? new Float32Array(n) : null],
            () => (b, [w, g, sq, ga, buf]) => {
              const o: RmspropStepOptions = { lr, alpha: 0.99, eps: 1e-8, weightDecay, momentum };
              b.rmspropStep(w!, g!, sq!, ga!, buf!, o);
            },
            weightDecay,
            lr,
            [false, false, true, false, false],
          );
        }
  });

  it('adagradStep matches the reference with learning-rate decay and weight decay', () => {
    let seed = 300 * threads;
    for (const lrDecay of [0, 0.1])
      for (const weightDecay of [0, 0.1]) {
        const lr = 0.05;
        sweep(
          `adagrad ${JSON.stringify({ lrDecay, weightDecay })}`,
          seed++,
          (n, next) => [randomArray(next, n, 0, 0.5)],
          (step) => (b, [w, g, sum]) => {
            const o: AdagradStepOptions = { lr, lrDecay, weightDecay, eps: 1e-10, step };
            b.adagradStep(w!, g!, sum!, o);
          },
          weightDecay,
          lr,
          [false, false, true],
        );
      }
  });

  it('AMSGrad keeps the running maximum when the second moment is NaN, like the reference', () => {
    const w = Float32Array.of(1, 2, 3, 4, 5);
    const g = Float32Array.of(0.5, Number.NaN, -1, Number.POSITIVE_INFINITY, 2);
    const vmax = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5);
    const arrays = (): Float32Array[] => [w.slice(), g.slice(), new Float32Array(5), new Float32Array(5), vmax.slice()];
    const a = arrays();
    const b = arrays();
    const o: AdamStepOptions = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 };
    js.adamStep(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, o);
    wasm.adamStep(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, o);
    expect(Number.isNaN(b[0]![1]!) && Number.isNaN(b[0]![3]!)).toBe(true);
    expectSame(b[4]!, a[4]!, 'vmax');
    expectClose(b[0]!, a[0]!, 1e-6, 0, 'w');
  });

  it('accumulate adds in place, bit for bit with the reference, infinities and NaN included', () => {
    const next = rng(31);
    for (const n of LENGTHS) {
      const acc = randomArray(next, n);
      const x = randomArray(next, n);
      if (n > 3) {
        acc[0] = Number.POSITIVE_INFINITY;
        x[1] = Number.NEGATIVE_INFINITY;
        x[2] = Number.NaN;
      }
      const want = acc.slice();
      js.accumulate(want, x);
      const got = acc.slice();
      wasm.accumulate(got, x);
      expectSame(got, want, `accumulate n=${n}`);
    }
    const e = new Float32Array(0);
    wasm.accumulate(e, e);
    expect(e.length).toBe(0);
  });

  it('a second backward pass accumulates into .grad through the wasm kernel', () => {
    expect(getBackend().name).toBe('wasm');
    const next = rng(32);
    const x = tensor(randomArray(next, 64 * 30), { shape: [64, 30] });
    const w = tensor(randomArray(next, 30 * 20), { shape: [30, 20], requiresGrad: true });
    const b = tensor(randomArray(next, 20), { shape: [20], requiresGrad: true });
    const loss = (): Tensor => x.matmul(w).add(b).tanh().sum();
    loss().backward();
    const once = [Array.from(w.grad!.dataSync()), Array.from(b.grad!.dataSync())];
    const kept = w.grad;
    loss().backward();
    // Accumulated in place: the same tensor, holding twice the single-pass gradient.
    expect(w.grad).toBe(kept);
    expectSame(w.grad!.dataSync(), once[0]!.map((v) => Math.fround(v + v)), 'w.grad');
    expectSame(b.grad!.dataSync(), once[1]!.map((v) => Math.fround(v + v)), 'b.grad');
  });

  it('an empty update is a no-op', () => {
    const e = new Float32Array(0);
    wasm.sgdStep(e, e, e, { lr: 1, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0, fresh: true });
    wasm.adamStep(e, e, e, e, null, { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, decoupled: true, step: 1 });
    expect(e.length).toBe(0);
  });
});

describe('wasm optimizer updates on float64', () => {
  beforeAll(async () => {
    expect(await initWasmBackend()).not.toBeNull();
  });

  it('go to the reference and match it exactly', () => {
    const next = rng(7);
    const f64 = (n: number) => Float64Array.from(randomArray(next, n));
    const n = 33;
    const src = [f64(n), f64(n), f64(n).map(Math.abs), f64(n).map(Math.abs), f64(n).map(Math.abs)];
    const a = src.map((x) => x.slice());
    const b = src.map((x) => x.slice());
    const o: AdamStepOptions = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: true, step: 4 };
    js.adamStep(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, o);
    wasm.adamStep(b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, o);
    for (let k = 0; k < a.length; k++) expectSame(b[k]!, a[k]!, `adam float64 array ${k}`);
    const s: SgdStepOptions = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01, fresh: false };
    js.sgdStep(a[0]!, a[1]!, a[2]!, s);
    wasm.sgdStep(b[0]!, b[1]!, b[2]!, s);
    for (let k = 0; k < a.length; k++) expectSame(b[k]!, a[k]!, `sgd float64 array ${k}`);
  });
});
