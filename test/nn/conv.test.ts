import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam,
  ArgumentError,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  Generator,
  Linear,
  ModelFormatError,
  ReLU,
  Sequential,
  ShapeError,
  type Tensor,
  argmax,
  conv2d,
  crossEntropy,
  deserializeModel,
  noGrad,
  randn,
  serializeModel,
  tensor,
} from '../../src/index.js';
import { save } from '../../src/io/node/files.js';
import { buildModel, checkDeclaredTensors } from '../../src/io/registry.js';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const maxAbs = (t: Tensor): number => Math.max(...Array.from(t.dataSync(), Math.abs));

describe('convolution layers', () => {
  it('have PyTorch weight layouts, parameter names and extraRepr', () => {
    const c = new Conv2d(4, 8, [3, 2], { stride: 2, padding: 1, groups: 2 });
    expect(c.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['weight', [8, 2, 3, 2]],
      ['bias', [8]],
    ]);
    expect(c.toString()).toBe('Conv2d(4, 8, kernelSize=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)');
    const t = new ConvTranspose2d(4, 6, 3, { groups: 2, stride: 2, outputPadding: 1, bias: false });
    expect(t.weight.shape).toEqual([4, 3, 3, 3]);
    expect(t.bias).toBeNull();
    expect(t.toString()).toBe('ConvTranspose2d(4, 6, kernelSize=(3, 3), stride=(2, 2), outputPadding=(1, 1), groups=2, bias=false)');
    expect(new Conv1d(2, 3, 5, { padding: 'same', dilation: 2 }).toString()).toBe(
      "Conv1d(2, 3, kernelSize=(5,), stride=(1,), padding='same', dilation=(2,))",
    );
  });

  it('initialise like PyTorch: weight and bias in ±1/√fanIn, seeded by the generator', () => {
    const cases: [Conv1d | Conv2d | ConvTranspose2d, number][] = [
      [new Conv2d(6, 32, 3, { groups: 2, generator: new Generator(1) }), 3 * 9],
      [new Conv1d(5, 40, 4, { generator: new Generator(1) }), 5 * 4],
      [new ConvTranspose2d(30, 8, 3, { generator: new Generator(1) }), 8 * 9],
    ];
    for (const [layer, fanIn] of cases) {
      const bound = 1 / Math.sqrt(fanIn);
      expect(maxAbs(layer.weight)).toBeLessThanOrEqual(bound);
      expect(maxAbs(layer.weight)).toBeGreaterThan(0.9 * bound);
      expect(maxAbs(layer.bias!)).toBeLessThanOrEqual(bound);
    }
    const a = new Conv2d(3, 4, 3, { generator: new Generator(7) });
    const b = new Conv2d(3, 4, 3, { generator: new Generator(7) });
    expect(Array.from(a.weight.dataSync())).toEqual(Array.from(b.weight.dataSync()));
  });

  it('forward the functional op with their options', () => {
    const c = new Conv2d(3, 5, 3, { stride: 2, padding: 'valid', dilation: 1, generator: new Generator(2) });
    const x = randn([2, 3, 9, 7], { generator: new Generator(3) });
    expect(Array.from(c.forward(x).dataSync())).toEqual(Array.from(conv2d(x, c.weight, c.bias!, { stride: 2 }).dataSync()));
    expect(new Conv1d(3, 2, 4, { padding: 'same' }).forward(randn([1, 3, 10])).shape).toEqual([1, 2, 10]);
    expect(new ConvTranspose2d(3, 2, 2, { stride: 2 }).forward(randn([3, 4, 5])).shape).toEqual([2, 8, 10]);
    // A float64 input promotes the float32 weights; the weight gradient keeps the parameter's dtype.
    const x64 = randn([2, 3, 9, 7], { generator: new Generator(4), dtype: 'float64', requiresGrad: true });
    const y64 = c.forward(x64);
    expect(y64.dtype).toBe('float64');
    y64.sum().backward();
    expect([c.weight.grad?.dtype, x64.grad?.dtype]).toEqual(['float32', 'float64']);
  });

  it('reject a wrong input with a ShapeError naming the layer, the expected layout and the shape', () => {
    const c = new Conv2d(3, 8, 3);
    expect(() => c.forward(randn([2, 4, 9, 9]))).toThrow(
      new ShapeError('Conv2d(3, 8): expected input [N, 3, H, W] or [3, H, W], got [2, 4, 9, 9]'),
    );
    expect(() => c.forward(randn([2, 27]))).toThrow(/Conv2d\(3, 8\): expected input \[N, 3, H, W\]/);
    expect(() => new Conv1d(2, 4, 3).forward(randn([1, 3, 8]))).toThrow(/Conv1d\(2, 4\): expected input \[N, 2, L\] or \[2, L\], got \[1, 3, 8\]/);
    expect(() => new ConvTranspose2d(2, 4, 3).forward(randn([1, 3, 8, 8]))).toThrow(/ConvTranspose2d\(2, 4\)/);
  });

  it('reject bad constructor arguments with an ArgumentError naming the layer', () => {
    expect(() => new Conv2d(0, 8, 3)).toThrow(new ArgumentError('Conv2d: inChannels must be a positive integer, got 0'));
    expect(() => new Conv2d(3, 8, 3, { groups: 2 })).toThrow(/Conv2d: groups 2 must divide/);
    expect(() => new Conv2d(3, 8, [3, 3, 3])).toThrow(/Conv2d: kernelSize must be an integer or 2 integers/);
    expect(() => new Conv2d(3, 8, 3, { padding: 'same', stride: 2 })).toThrow(/Conv2d: padding 'same' needs stride 1/);
    expect(() => new ConvTranspose2d(3, 8, 3, { stride: 2, outputPadding: 2 })).toThrow(/ConvTranspose2d: outputPadding/);
  });

  it('save and load with bit-identical outputs, and print output shapes in the summary', async () => {
    const g = new Generator(5);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 'same', generator: g }),
      new ReLU(),
      new Conv2d(4, 4, 3, { stride: 2, padding: [1, 0], groups: 4, bias: false, generator: g }),
      new ConvTranspose2d(4, 2, 2, { stride: 2, outputPadding: [0, 1], dilation: [1, 1], generator: g }),
      new Flatten(),
      new Linear(2 * 8 * 7, 3, { generator: g }),
    );
    const saved = deserializeModel(serializeModel(model));
    expect(saved.model.toString()).toBe(model.toString());
    const x = randn([2, 1, 8, 8], { generator: g });
    expect(Array.from(saved.model.forward(x).dataSync())).toEqual(Array.from(model.forward(x).dataSync()));
    const text = saved.model.summary([1, 1, 8, 8]);
    expect(text).toMatch(/0 \(Conv2d\)\s+\[1, 4, 8, 8\]\s+40/);
    expect(text).toMatch(/2 \(Conv2d\)\s+\[1, 4, 4, 3\]\s+36/);
    expect(text).toMatch(/3 \(ConvTranspose2d\)\s+\[1, 2, 8, 7\]\s+34/);
    const c1 = deserializeModel(serializeModel(new Sequential(new Conv1d(2, 3, 3, { padding: 'valid' }))));
    expect(c1.model.toString()).toContain("padding='valid'");

    // cortex info prints the per-layer shapes from the recorded example shape.
    const path = join(dir, 'cnn.cortex');
    await save(model, path, { training: { inputShape: [1, 8, 8] } });
    const info = await cli(['info', path]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/3 \(ConvTranspose2d\)\s+\[1, 2, 8, 7\]/);
  });

  it('refuse a model file whose conv config or weights do not fit', () => {
    const config = { inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true };
    const spec = (patch: Record<string, unknown>): unknown => ({ type: 'Conv2d', config: { ...config, ...patch } });
    expect(buildModel(spec({})).toString()).toBe('Conv2d(2, 4, kernelSize=(3, 3), stride=(1, 1))');
    expect(() => buildModel(spec({ groups: 0 }))).toThrow(ModelFormatError);
    expect(() => buildModel(spec({ groups: 3 }))).toThrow(/groups/);
    expect(() => buildModel(spec({ kernelSize: [3] }))).toThrow(/config field 'kernelSize' must be a list of 2 integers/);
    expect(() => buildModel(spec({ padding: 'full' }))).toThrow(/config field 'padding'/);
    expect(() => buildModel({ type: 'ConvTranspose2d', config: { ...config, outputPadding: [0, 0], stride: [2, 2], padding: [1] } })).toThrow(
      /'padding' must be a list of 2 integers/,
    );
    const shapes: Record<string, number[]> = { weight: [4, 2, 3, 2], bias: [4] };
    expect(() => checkDeclaredTensors(spec({}), (n) => shapes[n])).toThrow(/weight 'weight' has shape \[4, 2, 3, 2\] but the architecture needs \[4, 2, 3, 3\]/);
  });

  it('a small CNN learns to tell horizontal from vertical bars (8×8) to 100% held-out accuracy', () => {
    const g = new Generator(42);
    const batch = (n: number): [Tensor, Tensor] => {
      const px = new Float32Array(n * 64);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const vertical = g.nextFloat() < 0.5;
        const line = Math.floor(g.nextFloat() * 8);
        for (let p = 0; p < 64; p++) {
          const [r, c] = [Math.floor(p / 8), p % 8];
          px[i * 64 + p] = ((vertical ? c : r) === line ? 1 : 0) + 0.3 * (g.nextFloat() - 0.5);
        }
        labels[i] = vertical ? 1 : 0;
      }
      return [tensor(px, { shape: [n, 1, 8, 8] }), tensor(labels, { dtype: 'int32' })];
    };
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, generator: g }),
      new ReLU(),
      new Conv2d(4, 4, 3, { stride: 2, padding: 1, generator: g }),
      new ReLU(),
      new Flatten(),
      new Linear(4 * 4 * 4, 2, { generator: g }),
    );
    const opt = new Adam(model.parameters(), { lr: 0.02 });
    for (let step = 0; step < 60; step++) {
      const [x, y] = batch(32);
      opt.zeroGrad();
      crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    const [x, y] = batch(200);
    const predicted = noGrad(() => argmax(model.eval().forward(x), 1)).dataSync();
    const labels = y.dataSync();
    const correct = labels.filter((l, i) => predicted[i] === l).length;
    expect(correct / 200).toBe(1);
  });
});
