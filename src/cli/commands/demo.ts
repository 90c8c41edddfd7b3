/**
 * `cortex demo [xor|spiral|iris|fashion-mnist|char-gpt]`: trains on built-in data and shows the
 * results within about half a minute, with no files to prepare. The 2-D sets end with a
 * map of the learned decision regions; every demo checks that the model survives a round
 * trip through the model-file format bit for bit.
 * @module
 */
import { Tensor } from '../../autograd/tensor.js';
import { loadIris } from '../../data/builtin/iris.js';
import { type ClassificationSet, spiral, xor } from '../../data/generators.js';
import { makeTable } from '../../data/table.js';
import { deserializeModel, serializeModel } from '../../io/model-file.js';
import { UsageError } from '../errors.js';
import { argmaxRow } from '../metrics.js';
import { forward } from '../model-data.js';
import type { Output } from '../style.js';
import { type TrainConfig, type Trained, trainOnTable } from '../train-core.js';
import { type FashionFlags, fashionDemo } from './demo-fashion.js';
// char-gpt
import { type CharGptFlags, charGptDemo } from './demo-char-gpt.js';
import { printTrained } from './train.js';

/** The demos. */
export const DEMOS = ['xor', 'spiral', 'iris', 'fashion-mnist', 'char-gpt'] as const;
/** A demo name. */
export type DemoName = (typeof DEMOS)[number];

const BASE: Omit<TrainConfig, 'target' | 'hidden' | 'epochs' | 'lr' | 'activation'> = {
  task: 'classification',
  batchSize: 32,
  optimizer: 'adam',
  valSplit: 0.2,
  seed: 42,
  earlyStopping: null,
  clipGradNorm: null,
};

function toTable(set: ClassificationSet, names: readonly string[], source: string) {
  const x1 = new Float64Array(set.n);
  const x2 = new Float64Array(set.n);
  for (let i = 0; i < set.n; i++) {
    x1[i] = set.x[2 * i]!;
    x2[i] = set.x[2 * i + 1]!;
  }
  return makeTable({ x1, x2, label: Array.from(set.y, (c) => names[c]!) }, { source, target: 'label' });
}

/** Draws the decision regions of a 2-D model as characters, with the training points on top. */
function decisionMap(t: Trained, set: ClassificationSet, out: Output): string[] {
  const W = 64;
  const H = 24;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < set.n; i++) {
    x0 = Math.min(x0, set.x[2 * i]!);
    x1 = Math.max(x1, set.x[2 * i]!);
    y0 = Math.min(y0, set.x[2 * i + 1]!);
    y1 = Math.max(y1, set.x[2 * i + 1]!);
  }
  const cells = new Float64Array(W * H * 2);
  for (let r = 0; r < H; r++) {
    for (let col = 0; col < W; col++) {
      cells[2 * (r * W + col)] = x0 + ((col + 0.5) / W) * (x1 - x0);
      cells[2 * (r * W + col) + 1] = y1 - ((r + 0.5) / H) * (y1 - y0);
    }
  }
  const grid = makeTable({ x1: cells.filter((_, i) => i % 2 === 0), x2: cells.filter((_, i) => i % 2 === 1) });
  const enc = t.pipeline.transform(grid);
  const logits = forward(t.model, enc.x, enc.rows, enc.cols);
  const k = t.classes.length;
  const region = ['·', '-', '~', ':'];
  const point = ['o', 'x', '+', '#'];
  const paint = [out.c.cyan, out.c.yellow, out.c.green, out.c.red];
  const chars: string[][] = Array.from({ length: H }, (_, r) =>
    Array.from({ length: W }, (_, col) => {
      const c = argmaxRow(logits, (r * W + col) * k, k);
      return paint[c % 4]!(out.c.dim(region[c % 4]!));
    }),
  );
  for (let i = 0; i < set.n; i++) {
    const col = Math.min(W - 1, Math.floor(((set.x[2 * i]! - x0) / (x1 - x0)) * W));
    const r = Math.min(H - 1, Math.floor(((y1 - set.x[2 * i + 1]!) / (y1 - y0)) * H));
    const c = set.y[i]!;
    chars[r]![col] = paint[c % 4]!(out.c.bold(point[c % 4]!));
  }
  const legend = t.classes.map((name, c) => `${point[c % 4]} ${name}`).join('   ');
  return [`decision regions (${legend}):`, ...chars.map((row) => `  ${row.join('')}`)];
}

/** Checks that the model survives serialisation unchanged. */
function roundTrip(t: Trained): string {
  const bytes = serializeModel(t.model, { schema: t.schema, preprocessing: t.preprocessing });
  const again = deserializeModel(bytes, 'demo').model;
  const x = new Tensor(new Float32Array(8 * t.pipeline.width).map((_, i) => Math.sin(i)), [8, t.pipeline.width]);
  const a = forward(t.model, x.dataSync() as Float32Array, 8, t.pipeline.width);
  const b = forward(again, x.dataSync() as Float32Array, 8, t.pipeline.width);
  const same = a.every((v, i) => v === b[i]);
  return `model file: ${bytes.length.toLocaleString('en-US')} bytes; reloaded, outputs ${same ? 'bit-identical' : 'DIFFERENT'}`;
}

/** Runs `cortex demo`. */
export async function demoCommand(name: string, out: Output, opts: FashionFlags & CharGptFlags = {}): Promise<void> {
  if (!(DEMOS as readonly string[]).includes(name)) throw new UsageError(`unknown demo "${name}"; choose one of ${DEMOS.join(', ')}`);
  const demo = name as DemoName;
  // char-gpt: --iters is its own; --data-dir and --out it shares with fashion-mnist.
  const fashionOnly = (['model', 'full', 'epochs'] as const).find((k) => opts[k] !== undefined);
  if (demo === 'char-gpt' && fashionOnly !== undefined) throw new UsageError(`--${fashionOnly} applies to the fashion-mnist demo only, not to char-gpt`);
  if (demo === 'char-gpt') return charGptDemo(out, { iters: opts.iters, dataDir: opts.dataDir, out: opts.out });
  if (opts.iters !== undefined) throw new UsageError(`--iters applies to the char-gpt demo only, not to ${demo}`);
  if (demo === 'fashion-mnist') return fashionDemo(out, opts);
  const only = (['model', 'full', 'epochs', 'out', 'dataDir'] as const).filter((k) => opts[k] !== undefined);
  if (only.length > 0) {
    const flag = only[0]!.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
    throw new UsageError(`--${flag} applies to the fashion-mnist demo only, not to ${demo}`);
  }
  let cfg: TrainConfig;
  let set: ClassificationSet | null = null;
  let table: ReturnType<typeof makeTable>;
  if (demo === 'iris') {
    table = loadIris();
    cfg = { ...BASE, target: 'species', hidden: [16], activation: 'relu', epochs: 100, lr: 0.01 };
  } else if (demo === 'xor') {
    set = xor({ n: 400, noise: 0.05, seed: 1 });
    table = toTable(set, ['same sign', 'different sign'], 'xor (generated)');
    cfg = { ...BASE, target: 'label', hidden: [16, 16], activation: 'tanh', epochs: 150, lr: 0.01 };
  } else {
    set = spiral({ n: 450, classes: 3, noise: 0.2, seed: 1 });
    table = toTable(set, ['arm 1', 'arm 2', 'arm 3'], 'spiral (generated)');
    cfg = { ...BASE, target: 'label', hidden: [64, 64], activation: 'relu', epochs: 300, lr: 0.01 };
  }
  out.note(`${out.c.bold('data')}    ${table.source}: ${table.rows} rows, target "${cfg.target}"`);
  const t = await trainOnTable(table, cfg, out);
  const check = roundTrip(t);
  if (out.json) {
    out.result({ command: 'demo', demo, task: t.task, classes: t.classes, epochsRun: t.epochsRun, metrics: Object.fromEntries(t.metrics), history: t.history.toJSON(), roundTrip: check });
    return;
  }
  printTrained(out, t, cfg);
  if (set) {
    out.line();
    for (const l of decisionMap(t, set, out)) out.line(l);
  }
  out.line();
  out.line(check);
  out.line(`next: cortex train data/iris.csv --target species   (any CSV works the same way)`);
}
