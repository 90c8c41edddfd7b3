import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  Generator,
  cast,
  ShapeError,
  conv1d,
  conv2d,
  convTranspose2d,
  enableGrad,
  grad,
  gradcheck,
  ones,
  randn,
  tensor,
  type Tensor,
  zeros,
} from '../../src/index.js';
import { fromFixture } from '../conformance/ops.js';
import { OPS } from '../conformance/op-table.js';
import { decodeData, loadOpFixture } from '../conformance/fixtures.js';
import { CONV_GRADCHECK_CASES } from '../conformance/gradcheck-conv.js';

const g = (seed: number): Generator => new Generator(seed);

describe('conv ops', () => {
  it('match the PyTorch fixtures within 1e-5 (forward) and 1e-4 (gradients) in float32', () => {
    const fixture = loadOpFixture('conv');
    expect(fixture.cases.length).toBeGreaterThanOrEqual(12);
    let fwd = 0;
    let grad = 0;
    for (const c of fixture.cases) {
      const inputs = c.inputs.map((t) => fromFixture(t, 'float32', true));
      const y = OPS.conv!(inputs, c.args, 'float32') as ReturnType<typeof conv2d>;
      const want = decodeData(c.output!);
      expect(y.shape, c.name).toEqual(c.output!.shape);
      const got = y.dataSync();
      for (let i = 0; i < want.length; i++) fwd = Math.max(fwd, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
      y.backward(fromFixture(c.w!, 'float32'));
      c.grads.forEach((gw, k) => {
        const gt = inputs[k]!.grad!.dataSync();
        const wv = decodeData(gw!);
        for (let i = 0; i < wv.length; i++) grad = Math.max(grad, Math.abs(gt[i]! - wv[i]!) / Math.max(1, Math.abs(wv[i]!)));
      });
    }
    expect(fwd).toBeLessThan(1e-5);
    expect(grad).toBeLessThan(1e-4);
  });

  for (const [name, build] of Object.entries(CONV_GRADCHECK_CASES)) {
    it(`${name}: gradcheck wrt input, weight and bias on 30 random geometries`, () => {
      for (let seed = 100; seed < 130; seed++) {
        const { fn, inputs, label } = build(g(seed));
        const report = gradcheck(fn, inputs, { raise: false, seed });
        expect(report.ok, `${name} ${label}: ${report.worst}`).toBe(true);
      }
    });
  }

  it('conv2d: second-order gradcheck through createGraph (the fused primitives\' rules), groups, stride, dilation', () => {
    const cases = [
      { x: [2, 4, 6, 5], w: [6, 2, 3, 2], opts: { groups: 2, stride: [2, 1] as [number, number], padding: 1 } },
      { x: [3, 2, 5, 7], w: [3, 2, 2, 3], opts: { dilation: [2, 1] as [number, number], padding: [1, 0] as [number, number] } },
    ];
    for (const [i, c] of cases.entries()) {
      // The finite differences evaluate fn under noGrad on plain tensors: the inner grad needs leaves.
      const leaf = (t: Tensor): Tensor => {
        if (t.requiresGrad) return t;
        const l = t.detach();
        l.requiresGrad = true;
        return l;
      };
      const fn = (x0: Tensor, w0: Tensor, b0: Tensor): Tensor =>
        enableGrad(() => {
          const [x, w, b] = [leaf(x0), leaf(w0), leaf(b0)];
          const y = conv2d(x, w, b, c.opts);
          const [dx, dw, db] = grad(y.mul(y).sum(), [x, w, b], { createGraph: true });
          return dx!.mul(dx!).sum().add(dw!.mul(dw!).sum()).add(db!.mul(db!).sum());
        });
      const inputs = [randn(c.x, { generator: g(40 + i) }), randn(c.w, { generator: g(50 + i) }), randn([c.w[0]!], { generator: g(60 + i) })];
      const report = gradcheck(fn, inputs, { raise: false, seed: i });
      expect(report.ok, report.worst).toBe(true);
    }
  });

  it("'same' keeps the size, padding one more zero after for even kernels as PyTorch does", () => {
    const x = randn([1, 1, 5, 6], { generator: g(1) });
    const w = zeros([1, 1, 2, 4]);
    // A kernel that picks its tap (0, 0): with padding before = (0, 1), output (i, j) reads x(i, j − 1).
    w.dataSync()[0] = 1;
    const y = conv2d(x, w, undefined, { padding: 'same' });
    expect(y.shape).toEqual([1, 1, 5, 6]);
    const xv = x.dataSync();
    const yv = y.dataSync();
    expect(yv[0]).toBe(0);
    expect(yv[2]).toBe(xv[1]);
  });

  it('take unbatched inputs and float64, and promote mixed float dtypes', () => {
    const x = randn([3, 5, 5], { generator: g(2) });
    const w = randn([4, 3, 3, 3], { generator: g(3) });
    const batched = conv2d(x.unsqueeze(0), w).squeeze(0);
    const y = conv2d(x, w);
    expect(y.shape).toEqual([4, 3, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(batched.dataSync()));
    expect(conv2d(cast(x, 'float64'), w).dtype).toBe('float64');
    expect(conv1d(randn([2, 7]), randn([3, 2, 2])).shape).toEqual([3, 6]);
    expect(convTranspose2d(randn([2, 3, 3]), randn([2, 4, 2, 2])).shape).toEqual([4, 4, 4]);
  });

  it('take an empty batch, and padding wider than the kernel', () => {
    const w = randn([4, 3, 3, 3], { requiresGrad: true });
    const y = conv2d(zeros([0, 3, 5, 5]), w);
    expect(y.shape).toEqual([0, 4, 3, 3]);
    y.sum().backward();
    expect(Array.from(w.grad!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(convTranspose2d(zeros([0, 4, 5, 5]), randn([4, 2, 3, 3])).shape).toEqual([0, 2, 7, 7]);
    expect(conv2d(randn([1, 1, 3, 3]), randn([1, 1, 3, 3]), undefined, { padding: 5 }).shape).toEqual([1, 1, 11, 11]);
  });

  it('a depthwise conv applies each channel its own filter', () => {
    const x = ones([1, 3, 4, 4]);
    const w = tensor([1, 2, 3], { shape: [3, 1, 1, 1] });
    const y = conv2d(x, w, undefined, { groups: 3 });
    expect(Array.from(y.sum([0, 2, 3]).dataSync())).toEqual([16, 32, 48]);
  });

  it('convTranspose2d is the adjoint of conv2d: <conv(x), y> = <x, convT(y)>', () => {
    const opts = { stride: 2, padding: 1, dilation: 2, groups: 2 };
    const x = randn([2, 4, 9, 8], { generator: g(4), dtype: 'float64' });
    const w = randn([6, 2, 3, 3], { generator: g(5), dtype: 'float64' });
    const y = conv2d(x, w, undefined, opts);
    const v = randn(y.shape, { generator: g(6), dtype: 'float64' });
    const back = convTranspose2d(v, w, undefined, { ...opts, outputPadding: [0, 1] });
    expect(back.shape).toEqual(x.shape);
    expect(y.mul(v).sum().item()).toBeCloseTo(x.mul(back).sum().item(), 9);
  });

  it('name the op and the shapes in a ShapeError', () => {
    const w = randn([8, 4, 3, 3]);
    expect(() => conv2d(randn([2, 3, 8, 8]), w)).toThrow(
      new ShapeError('conv2d: input has 3 channels but the weight expects 4 (weight [8, 4, 3, 3], groups 1)'),
    );
    expect(() => conv2d(randn([3, 8, 8, 1, 1]), w)).toThrow(/conv2d: the input must be 4-d \[N, C, H, W\].*\[3, 8, 8, 1, 1\]/);
    expect(() => conv2d(randn([1, 4, 8, 8]), randn([8, 4, 3]))).toThrow(ShapeError);
    expect(() => conv2d(randn([1, 4, 2, 8]), w)).toThrow(/smaller than the dilated kernel/);
    expect(() => conv2d(randn([1, 4, 8, 8]), w, randn([7]))).toThrow(/bias \[7\] must be \[8\]/);
    expect(() => conv1d(randn([1, 2, 8]), randn([3, 3, 2]))).toThrow(/conv1d: input has 2 channels but the weight expects 3/);
    expect(() => convTranspose2d(randn([1, 3, 4, 4]), randn([4, 2, 3, 3]))).toThrow(/convTranspose2d: input has 3 channels/);
  });

  it('reject bad options with an ArgumentError', () => {
    const x = randn([1, 4, 8, 8]);
    const w = randn([8, 4, 3, 3]);
    expect(() => conv2d(x, w, undefined, { stride: 0 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, undefined, { stride: [1, 2, 3] })).toThrow(/stride must be an integer or 2 integers/);
    expect(() => conv2d(x, w, undefined, { padding: -1 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, undefined, { padding: 'same', stride: 2 })).toThrow(/'same' needs stride 1/);
    expect(() => conv2d(x, w, undefined, { groups: 3 })).toThrow(/groups 3 must divide/);
    expect(() => conv2d(x, w, undefined, { dilation: 1.5 })).toThrow(ArgumentError);
    expect(() => convTranspose2d(x, randn([4, 2, 3, 3]), undefined, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding/);
    expect(() => conv2d(cast(x, 'int32'), w)).toThrow(DTypeError);
  });
});
