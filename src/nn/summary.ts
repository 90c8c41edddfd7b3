/**
 * A Keras-style table of a model's layers, output shapes and parameter counts.
 * @module
 */
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../autograd/tensor.js';
import type { RemovableHandle } from './hooks.js';
import type { AnyModule } from './module.js';

/** What {@link summary} describes: any module. */
export type SummaryTarget = AnyModule;

interface Row {
  name: string;
  type: string;
  shape: string;
  params: number;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The shape of an output for the table: a tensor's shape, or the shapes in a tuple output. */
function shapeOf(y: unknown): string {
  if (y instanceof Tensor) return `[${y.shape.join(', ')}]`;
  if (Array.isArray(y)) return y.map(shapeOf).join(', ');
  return '?';
}

/**
 * Describes `model` as a table. With `inputShape` (including the batch dimension) it runs
 * one forward pass on zeros of `dtype` (float32 by default; int32 for a model that takes
 * token ids, such as a GPT), in evaluation mode and without gradients, to record each
 * layer's output shape (with forward hooks, removed afterwards); the model's mode is
 * restored afterwards. The forward pass gives the model one tensor, so leave `inputShape`
 * out for models that take other inputs.
 *
 * @example
 * ```ts
 * console.log(summary(model, [1, 2]));
 * console.log(summary(gpt, [1, 64], 'int32'));
 * ```
 */
export function summary(model: SummaryTarget, inputShape?: readonly number[], dtype: 'float32' | 'int32' = 'float32'): string {
  const children = model.namedModules().filter(([name]) => name !== '');
  // A single layer (an LSTM saved on its own) is its own one row.
  const entries = children.length > 0 ? children : model.namedModules().slice(0, 1);
  const shapes = new Map<AnyModule, string>();
  if (inputShape) {
    const wasTraining = model.training;
    const handles: RemovableHandle[] = [];
    try {
      for (const m of model.modules()) {
        handles.push(
          m.registerForwardHook((mod, _inputs, y) => {
            shapes.set(mod, shapeOf(y));
          }),
        );
      }
      model.eval();
      const size = inputShape.reduce((a, b) => a * b, 1);
      const zeros = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
      noGrad(() => model.forward(new Tensor(zeros, [...inputShape])));
    } finally {
      for (const h of handles) h.remove();
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
  const body = rows.map((r) => [r.name === '' ? r.type : `${r.name} (${r.type})`, r.shape, count(r.params)]);
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
