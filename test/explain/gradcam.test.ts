/**
 * Grad-CAM: a case worked by hand, the PyTorch reference of scripts/torch-gradcam-reference.py
 * (Captum's LayerGradCam computed with torch autograd), the randomization sanity check of
 * Adebayo et al. (2018), and the typed errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/autograd/engine.js';
import { Tensor } from '../../src/autograd/tensor.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { gradCam, guidedBackprop, guidedGradCam, interpolateAttribution, saliency } from '../../src/explain/index.js';
import { AdaptiveAvgPool2d, Conv1d, Conv2d, crossEntropy, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { spearman } from '../support/stats.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
};
const t = (v: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(v), shape);

describe('gradCam by hand', () => {
  // A = conv1x1(x) with channel weights [1, −3]; y = Σ v·A. So G = v, the channel weights
  // are the means of v per channel, 1 and 0.5, and cam = (1·1 + 0.5·(−3))·x = −0.5·x.
  const conv = new Conv2d(1, 2, 1, { bias: false });
  const fc = new Linear(8, 1);
  noGrad(() => {
    conv.weight.copy_(t([1, -3], [2, 1, 1, 1]));
    fc.weight.copy_(t([1, 1, 1, 1, 0.5, 0.5, -0.5, 1.5], [1, 8]));
    fc.bias!.fill_(0.25);
  });
  const model = new Sequential(conv, new Flatten(), fc);
  const x = t([1, -2, 3, 4], [1, 1, 2, 2]);

  it('weights the activations by the spatial mean of their gradient, summed over channels', () => {
    const cam = gradCam(model, x, { layer: conv });
    expect(cam.shape).toEqual([1, 1, 2, 2]);
    close(cam.dataSync(), [-0.5, 1, -1.5, -2], 1e-6);
    close(gradCam(model, x, { layer: conv, relu: true }).dataSync(), [0, 1, 0, 0], 1e-6);
  });

  it('upsamples to the input size: bilinear with half-pixel centres, or nearest', () => {
    // [[a, b], [c, d]] → first row a, ¾a + ¼b, ¼a + ¾b, b (PyTorch, align_corners=False).
    const m = interpolateAttribution(t([1, 2, 3, 4], [1, 1, 2, 2]), [4, 4]).dataSync();
    close(Array.from(m.slice(0, 4)), [1, 1.25, 1.75, 2], 1e-6);
    close(Array.from(m.slice(4, 8)), [1.5, 1.75, 2.25, 2.5], 1e-6);
    const near = interpolateAttribution(t([1, 2, 3, 4], [1, 1, 2, 2]), [4, 4], 'nearest').dataSync();
    close(Array.from(near.slice(0, 8)), [1, 1, 2, 2, 1, 1, 2, 2], 0);
    const same = gradCam(model, x, { layer: conv, upsample: true });
    close(same.dataSync(), [-0.5, 1, -1.5, -2], 1e-6); // already the input's size
  });
});

interface CamRef {
  activationShape: number[];
  cam: number[];
  camShape: number[];
  camRelu: number[];
  bilinear: number[];
  nearest: number[];
  guidedGradCam?: number[];
}
interface CaseRef {
  name: string;
  input: number[];
  inputShape: number[];
  target: number[];
  params: Record<string, { shape: number[]; data: number[] }>;
  conv: CamRef;
  relu?: CamRef;
  guidedBackprop?: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/gradcam.json', import.meta.url), 'utf8')) as { cases: CaseRef[] };

function load(model: Sequential, c: CaseRef): void {
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.params)) sd[k] = t(v.data, v.shape);
  model.loadStateDict(sd);
}

describe('gradCam against PyTorch (scripts/torch-gradcam-reference.py)', () => {
  const check = (got: Tensor, ref: number[], shape: number[], what: string): void => {
    expect(got.shape, what).toEqual(shape);
    const g = got.dataSync();
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(g[i]! - ref[i]!) / (1 + Math.abs(ref[i]!)));
    expect(worst, what).toBeLessThan(1e-6); // measured ≤ 1.3e-7
  };

  it('matches on a 2-D CNN at a Conv2d and at its ReLU, with relu and both upsamplings', () => {
    const c = fixture.cases.find((k) => k.name === 'cnn2d')!;
    const model = new Sequential(new Conv2d(2, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Conv2d(3, 4, 3), new ReLU(), new Flatten(), new Linear(16, 3));
    load(model, c);
    const x = t(c.input, c.inputShape);
    const spatial = c.inputShape.slice(2);
    for (const [key, layer] of [['conv', model.at(3)], ['relu', model.at(4)]] as const) {
      const ref = c[key]!;
      const opts = { layer, target: c.target };
      check(gradCam(model, x, opts), ref.cam, ref.camShape, `${key} cam`);
      check(gradCam(model, x, { ...opts, relu: true }), ref.camRelu, ref.camShape, `${key} relu`);
      check(gradCam(model, x, { ...opts, upsample: true }), ref.bilinear, [c.inputShape[0]!, 1, ...spatial], `${key} bilinear`);
      check(gradCam(model, x, { ...opts, upsample: true, interpolateMode: 'nearest' }), ref.nearest, [c.inputShape[0]!, 1, ...spatial], `${key} nearest`);
      check(guidedGradCam(model, x, opts), ref.guidedGradCam!, c.inputShape, `${key} guidedGradCam`);
    }
    check(guidedBackprop(model, x, { target: c.target }), c.guidedBackprop!, c.inputShape, 'guidedBackprop');
  });

  it('guided backprop is the plain gradient where there is no ReLU module, and needs a Module', () => {
    const lin = new Sequential(new Conv2d(1, 2, 3), new Flatten(), new Linear(8, 2));
    const x = new Tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);
    check(guidedBackprop(lin, x, { target: 1 }), Array.from(saliency(lin, x, { target: 1, abs: false }).dataSync()), [2, 1, 4, 4], 'no relu');
    expect(() => guidedBackprop((v: Tensor) => lin.forward(v), x, { target: 1 })).toThrow(/must be a Module/);
  });

  it('matches on a Conv1d model ([N, C, L] layer, linear upsampling)', () => {
    const c = fixture.cases.find((k) => k.name === 'cnn1d')!;
    const model = new Sequential(new Conv1d(2, 3, 3), new ReLU(), new Flatten(), new Linear(15, 2));
    load(model, c);
    const x = t(c.input, c.inputShape);
    const opts = { layer: model.at(0), target: c.target };
    check(gradCam(model, x, opts), c.conv.cam, c.conv.camShape, 'conv1d cam');
    check(gradCam(model, x, { ...opts, relu: true }), c.conv.camRelu, c.conv.camShape, 'conv1d relu');
    check(gradCam(model, x, { ...opts, upsample: true }), c.conv.bilinear, [2, 1, 7], 'conv1d linear');
    check(gradCam(model, x, { ...opts, upsample: true, interpolateMode: 'nearest' }), c.conv.nearest, [2, 1, 7], 'conv1d nearest');
  });
});

describe('gradCam sanity (Adebayo et al., 2018)', () => {
  it('a trained CNN points at the evidence; re-initialised weights give an unrelated map', () => {
    // 6×6 images with a 2×2 blob on a noisy background, bright (class 1) or dark (class 0),
    // anywhere; a CNN with global average pooling, the setting Grad-CAM was made for.
    const g = new Generator(11);
    const n = 64;
    const xs = new Float32Array(n * 36);
    const ys = new Int32Array(n);
    const blobs: number[] = [];
    for (let e = 0; e < n; e++) {
      for (let i = 0; i < 36; i++) xs[e * 36 + i] = 0.1 * g.nextNormal();
      const bright = e % 2;
      const r = g.nextInt(0, 5);
      const col = g.nextInt(0, 5);
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) xs[e * 36 + (r + dy) * 6 + col + dx]! += bright ? 1 : -1;
      ys[e] = bright;
      blobs.push(r * 6 + col);
    }
    const X = new Tensor(xs, [n, 1, 6, 6]);
    const Y = new Tensor(ys, [n]);
    const build = (): Sequential => new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 2));
    manualSeed(12);
    const model = build();
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    for (let s = 0; s < 150; s++) {
      opt.zeroGrad();
      crossEntropy(model.forward(X), Y).backward();
      opt.step();
    }
    const trained = gradCam(model, X, { layer: model.at(1), target: ys, relu: true }).dataSync();
    // The map's peak falls inside the blob for most images (64 of 64 as written; rank correlation with random weights 0.15).
    let hits = 0;
    for (let e = 0; e < n; e++) {
      let best = 0;
      for (let i = 1; i < 36; i++) if (trained[e * 36 + i]! > trained[e * 36 + best]!) best = i;
      const b = blobs[e]!;
      if ([b, b + 1, b + 6, b + 7].includes(best)) hits++;
    }
    expect(hits / n).toBeGreaterThan(0.75);
    manualSeed(13);
    const random = build();
    const rho = spearman(trained, gradCam(random, X, { layer: random.at(1), target: ys, relu: true }).dataSync());
    expect(Math.abs(rho)).toBeLessThan(0.5);
  });
});

describe('gradCam errors', () => {
  const conv = new Conv2d(1, 2, 3);
  const model = new Sequential(conv, new ReLU(), new Flatten(), new Linear(8, 2));
  const x = new Tensor(new Float32Array(2 * 16).fill(0.5), [2, 1, 4, 4]);

  it('names a layer outside the model, one never called, one called twice, and a non-convolutional output', () => {
    expect(() => gradCam(model, x, { layer: new Conv2d(1, 2, 3), target: 0 })).toThrow(/not inside the model/);
    const unused = new Conv2d(1, 2, 3);
    expect(() => gradCam((v: Tensor) => model.forward(v), x, { layer: unused, target: 0 })).toThrow(/was not called/);
    const twice = (v: Tensor): Tensor => model.forward(v.add(conv.forward(v).mean().mul(0)));
    expect(() => gradCam(twice, x, { layer: conv, target: 0 })).toThrow(/called 2 times/);
    expect(() => gradCam(model, x, { layer: model.at(3), target: 0 })).toThrow(ShapeError);
    expect(() => gradCam(model, x, { layer: model.at(2), target: 0 })).toThrow(/\[N, C, H, W\]/);
    expect(() => gradCam(model, x, { layer: conv })).toThrow(/pass a target/);
    expect(() => gradCam(model, x, { layer: conv, target: 0, interpolateMode: 'cubic' as 'nearest' })).toThrow(ArgumentError);
    expect(() => interpolateAttribution(new Tensor(new Float32Array(4), [2, 2]), [4])).toThrow(ShapeError);
    expect(() => interpolateAttribution(new Tensor(new Float32Array(4), [1, 1, 2, 2]), [4])).toThrow(/2 positive integers/);
  });
});
