/**
 * A Keras-style table of a model's layers, output shapes and parameter counts.
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { noGrad } from '../autograd/engine.js';

/** What {@link summary} needs from a module (structural, so this file does not import `Module`). */
export interface SummaryTarget {
  training: boolean;
  forward(x: Tensor): Tensor;
  namedModules(): [string, SummaryTarget][];
  namedParameters(): [string, { readonly size: number; requiresGrad: boolean }][];
  train(mode?: boolean): unknown;
  eval(): unknown;
}

interface Row {
  name: string;
  type: string;
  shape: string;
  params: number;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Describes `model` as a table. With `inputShape` (including the batch dimension) it runs
 * one forward pass on zeros, in evaluation mode and without gradients, to record each
 * layer's output shape; the model's mode is restored afterwards.
 *
 * @example
 * ```ts
 * console.log(summary(model, [1, 2]));
 * ```
 */
export function summary(model: SummaryTarget, inputShape?: readonly number[]): string {
  const entries = model.namedModules().filter(([name]) => name !== '');
  const shapes = new Map<SummaryTarget, string>();
  if (inputShape) {
    const wasTraining = model.training;
    const patched: SummaryTarget[] = [];
    try {
      for (const [, m] of [['', model] as const, ...entries]) {
        const original = m.forward;
        m.forward = (x: Tensor): Tensor => {
          const y = original.call(m, x);
          shapes.set(m, `[${y.shape.join(', ')}]`);
          return y;
        };
        patched.push(m);
      }
      model.eval();
      const size = inputShape.reduce((a, b) => a * b, 1);
      noGrad(() => model.forward(new Tensor(new Float32Array(size), [...inputShape])));
    } finally {
      // Remove the instance-level wrappers so the prototype's forward is used again.
      for (const m of patched) Reflect.deleteProperty(m, 'forward');
      model.train(wasTraining);
    }
  }
  const rows: Row[] = entries.map(([name, m]) => {
    const own = m.namedParameters().filter(([n]) => !n.includes('.'));
    return {
      name,
      type: m.constructor.name,
      shape: shapes.get(m) ?? '?',
      params: own.reduce((s, [, p]) => s + p.size, 0),
    };
  });
  const all = model.namedParameters().map(([, p]) => p);
  const total = all.reduce((s, p) => s + p.size, 0);
  const trainable = all.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0);
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const body = rows.map((r) => [`${r.name} (${r.type})`, r.shape, count(r.params)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)) + 2);
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('');
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const out = [
    `Model: ${model.constructor.name}`,
    rule('_'),
    line(head),
    rule('='),
    ...body.map(line),
    rule('='),
    `Total params: ${count(total)}`,
    `Trainable params: ${count(trainable)}`,
    `Non-trainable params: ${count(total - trainable)}`,
    rule('_'),
  ];
  if (inputShape) out.splice(1, 0, `Input shape: [${inputShape.join(', ')}]`);
  return out.join('\n');
}
