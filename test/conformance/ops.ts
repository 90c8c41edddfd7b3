/**
 * The op conformance suite: every op against the PyTorch reference fixtures,
 * forward and backward, on a named backend. Written once; each backend's test
 * file calls {@link opConformance} with its name.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, Tensor, getBackend, rand, randint, randn, setBackend, tensor } from '../../src/index.js';
import { FORWARD_TOL, GRAD_TOL, type Tolerance, expectClose, expectShape } from './compare.js';
import { type FixtureCase, type FixtureTensor, decodeData, listOpFixtures, loadOpFixture } from './fixtures.js';
import { OPS } from './op-table.js';
import { type SuiteOptions, suiteTitle } from './suite-options.js';

/** Float precision a pass of the suite runs in, with its tolerances. */
interface Precision {
  dtype: 'float32' | 'float64';
  forward: Tolerance;
  grad: Tolerance;
}

/**
 * float32 is the library's working precision: the bounds (1e-5 forward,
 * 1e-4 gradients). float64 checks the double paths that gradcheck relies on;
 * its bounds only reflect the 9 significant digits stored in the fixtures.
 */
const PRECISIONS: readonly Precision[] = [
  { dtype: 'float32', forward: FORWARD_TOL, grad: GRAD_TOL },
  { dtype: 'float64', forward: { rtol: 1e-8, atol: 1e-12 }, grad: { rtol: 1e-8, atol: 1e-12 } },
];

/** Builds a tensor from a fixture input: floats in `dtype`, indices as int32, conditions as 0/1 floats. */
export function fromFixture(t: FixtureTensor, dtype: 'float32' | 'float64', requiresGrad = false): Tensor {
  const values = decodeData(t);
  if (t.dtype === 'int32') return tensor(Int32Array.from(values), { shape: t.shape, dtype: 'int32' });
  // Fixture floats are float32 values printed with 9 digits: rounding through float32
  // recovers exactly the numbers torch computed with, in either precision.
  const f32 = Float32Array.from(values);
  const data = dtype === 'float32' ? f32 : Float64Array.from(f32);
  return tensor(data, { shape: t.shape, dtype, requiresGrad: requiresGrad && t.dtype === undefined });
}

/**
 * The same values as `t`, as a non-contiguous view: every other element of a
 * larger storage, starting at offset 1, with NaN (or a huge int) in the gaps,
 * so a kernel that ignores strides or offsets reads the gaps and fails.
 */
export function stridedCopy(t: Tensor, requiresGrad = t.requiresGrad): Tensor {
  const src = t.dataSync();
  const ctor = src.constructor as new (n: number) => typeof src;
  const wide = new ctor(2 * t.size + 1);
  wide.fill(t.dtype === 'int32' ? 2 ** 30 : Number.NaN);
  for (let i = 0; i < t.size; i++) wide[1 + 2 * i] = src[i]!;
  const strides: number[] = [];
  let s = 2;
  for (let i = t.ndim - 1; i >= 0; i--) {
    strides.unshift(s);
    s *= t.shape[i]!;
  }
  const out = new Tensor(wide, t.shape, requiresGrad, { strides, offset: 1 });
  return out;
}

/** The op's outputs as a list, whether it returns one tensor or several. */
function asList(out: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(out) ? out : [out as Tensor];
}

/** Runs one fixture case (forward, then backward of Σ out·w) and throws on any mismatch. */
export function checkCase(op: string, c: FixtureCase, p: Precision, strided = false): void {
  const run = OPS[op];
  if (run === undefined) throw new Error(`no entry for '${op}' in the op table`);
  const leaf = (t: FixtureTensor, i: number): Tensor => {
    const x = fromFixture(t, p.dtype, c.grads[i] !== null && c.grads[i] !== undefined);
    return strided ? stridedCopy(x) : x;
  };
  const upstream = (t: FixtureTensor): Tensor => (strided ? stridedCopy(fromFixture(t, p.dtype)) : fromFixture(t, p.dtype));
  const inputs = c.inputs.map(leaf);
  const outs = asList(run(inputs, c.args, p.dtype));
  const wantOuts = c.outputs ?? (c.output === undefined ? [] : [c.output]);
  expect(outs.length, `${op}/${c.name}: number of outputs`).toBe(wantOuts.length);
  outs.forEach((o, i) => {
    const want = wantOuts[i]!;
    expectShape(`${op}/${c.name} output ${i}`, o.shape, want.shape);
    expectClose(`${op}/${c.name} output ${i}`, o.dataSync(), decodeData(want), p.forward);
  });

  const ws = c.ws ?? (c.w === undefined || c.w === null ? null : [c.w]);
  if (ws === null) return;
  const differentiable = outs.filter((o) => o.requiresGrad);
  if (differentiable.length === 0) {
    // An op with no gradient rule (sign) is fine only when the true gradient is zero.
    for (const g of c.grads) if (g !== null) expect(Math.max(...decodeData(g).map(Math.abs))).toBe(0);
    return;
  }
  // Backward of Σ_i (out_i · w_i) is backward(w_i) on each output; the grads accumulate.
  outs.forEach((o, i) => {
    o.backward(upstream(ws[i]!));
  });
  c.grads.forEach((want, i) => {
    if (want === null) return;
    const got = inputs[i]!.grad;
    if (got === null) throw new Error(`${op}/${c.name}: input ${i} got no gradient`);
    expectShape(`${op}/${c.name} grad ${i}`, got.shape, want.shape);
    expectClose(`${op}/${c.name} grad ${i}`, got.dataSync(), decodeData(want), p.grad);
  });
}

/** Counts the elementwise comparisons a case makes (outputs plus gradients). */
export function comparisonsOf(c: FixtureCase): number {
  const outs = c.outputs ?? (c.output === undefined ? [] : [c.output]);
  const withW = c.w !== null && c.w !== undefined ? 1 : (c.ws?.length ?? 0);
  let n = outs.reduce((s, o) => s + o.data.length, 0);
  if (withW > 0) for (const g of c.grads) n += g?.data.length ?? 0;
  return n;
}

/**
 * Registers the conformance suite for `backendName`: every PyTorch fixture of
 * every op, forward and backward, in float32 and float64. The backend is made
 * active before the suite and the previous one restored after.
 */
export function opConformance(backendName: string, options: SuiteOptions = {}): void {
  describe(suiteTitle('op conformance', backendName, options), () => {
    let previous = '';
    beforeAll(async () => {
      await options.setup?.();
      previous = getBackend().name;
      setBackend(backendName);
    });
    afterAll(() => {
      setBackend(previous);
    });

    it('has a table entry for every fixture file, and a fixture for every table entry', () => {
      expect(listOpFixtures()).toEqual(Object.keys(OPS).sort());
    });

    it('random creation is bit-identical to the reference backend', () => {
      const draw = (): Tensor[] => [
        randn([5, 7], { generator: new Generator(3) }),
        rand([9], { generator: new Generator(3) }),
        randint(-5, 5, [11], { generator: new Generator(3) }),
      ];
      const here = draw();
      setBackend('js');
      const reference = draw();
      setBackend(backendName);
      here.forEach((t, i) => {
        expect(t.dataSync()).toEqual(reference[i]!.dataSync());
      });
    });

    for (const op of Object.keys(OPS).sort()) {
      const fixture = loadOpFixture(op);
      describe(op, () => {
        for (const p of PRECISIONS) {
          for (const c of fixture.cases) {
            it(`${c.name} (${p.dtype})`, () => {
              expect(getBackend().name).toBe(backendName);
              checkCase(op, c, p);
            });
            // The same case on non-contiguous views of the inputs and upstream gradients.
            it(`${c.name} (${p.dtype}, strided inputs)`, () => {
              checkCase(op, c, p, true);
            });
          }
        }
      });
    }
  });
}
