/**
 * `cortex info <model>`: the architecture summary, the parameter count, the schema, the
 * metrics, and the training configuration and seed of a model file.
 * @module
 */
import { stat } from 'node:fs/promises';
import type { JsonObject } from '../../io/registry.js';
import { decodeModelFile } from '../../io/model-file.js';
import { readModelBytes } from '../../io/node/files.js';
import type { Module } from '../../nn/module.js';
import { asMetrics, type Metrics, metricsTable } from '../metrics.js';
import type { Output } from '../style.js';

/** The input width of a model: the `inFeatures` of its first layer that has one. */
function inputWidth(model: Module): number | null {
  for (const [, m] of model.namedModules()) {
    if ('inFeatures' in m && typeof m.inFeatures === 'number') return m.inFeatures;
  }
  return null;
}

/** The columns `cortex train` left out, and why, when the model file records them. */
function droppedColumns(training: JsonObject | null): { column: string; reason: string }[] {
  const d = training?.droppedColumns;
  if (!Array.isArray(d)) return [];
  return d.flatMap((e) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return [];
    const { column, reason } = e as Record<string, unknown>;
    return typeof column === 'string' && typeof reason === 'string' ? [{ column, reason }] : [];
  });
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : v === null ? '-' : String(v);
}

/** Runs `cortex info`. */
export async function infoCommand(path: string, out: Output): Promise<void> {
  const { doc, model } = decodeModelFile(await readModelBytes(path), path);
  const saved = { ...doc, model };
  const epoch = doc.kind === 'checkpoint' && typeof doc.checkpoint?.epoch === 'number' ? doc.checkpoint.epoch : null;
  const bytes = (await stat(path)).size;
  const width = inputWidth(saved.model);
  const layers = saved.model.namedModules().filter(([n]) => n !== '').map(([n, m]) => ({ name: n, type: m.constructor.name, repr: m.extraRepr() }));
  const metrics = saved.metrics ?? {};
  if (out.json) {
    out.result({
      command: 'info',
      model: path,
      kind: doc.kind,
      checkpointEpoch: epoch,
      bytes,
      library: saved.library,
      formatVersion: saved.formatVersion,
      createdAt: saved.createdAt,
      parameters: saved.model.numParameters(),
      inputWidth: width,
      layers,
      schema: saved.schema,
      training: saved.training,
      metrics: saved.metrics,
    });
    return;
  }
  const c = out.c;
  out.line(`${c.bold('file')}      ${path} (${bytes.toLocaleString('en-US')} bytes), written by ${saved.library.name} ${saved.library.version} on ${saved.createdAt}, format ${saved.formatVersion}`);
  if (epoch !== null) out.line(`${c.bold('checkpoint')} after epoch ${epoch}; continue with cortex train ... --resume ${path}`);
  const s = saved.schema;
  if (s) {
    const classes = s.target.classes ? ` with classes ${s.target.classes.join(', ')}` : '';
    out.line(`${c.bold('task')}      ${s.task} of "${s.target.name}"${classes}`);
    out.line(`${c.bold('uses')}      ${s.features.map((f) => `${f.name} (${f.type}${f.categories ? `: ${f.categories.join('|')}` : ''})`).join(', ')}`);
    out.line(`${c.bold('id column')} ${s.idColumn ?? 'none'}`);
  }
  const dropped = droppedColumns(saved.training as JsonObject | null);
  if (dropped.length > 0) out.line(`${c.bold('left out')}  ${dropped.map((d) => `${d.column} (${d.reason})`).join(', ')}`);
  out.line();
  out.line(saved.model.summary(width === null ? undefined : [1, width]));
  const t = saved.training as JsonObject | null;
  if (t) {
    out.line();
    out.line(c.bold('training'));
    const keys = ['data', 'target', 'task', 'layers', 'activation', 'optimizer', 'lr', 'batchSize', 'epochs', 'epochsRun', 'valSplit', 'earlyStopping', 'clipGradNorm', 'seed', 'seconds'];
    const rest = Object.keys(t).filter((k) => !keys.includes(k) && k !== 'droppedColumns');
    for (const k of [...keys.filter((k) => k in t), ...rest]) out.line(`  ${k.padEnd(16)}${show(t[k])}`);
  }
  // One table per kind (classification or regression splits), then anything else as JSON
  // (metrics written by other tools, such as the playground's flat numbers).
  const splits: [string, Metrics][] = [];
  const other: [string, unknown][] = [];
  for (const [name, v] of Object.entries(metrics)) {
    const m = asMetrics(v);
    if (m !== null && (splits.length === 0 || 'accuracy' in m === 'accuracy' in splits[0]![1])) splits.push([name, m]);
    else other.push([name, v]);
  }
  if (splits.length > 0 || other.length > 0) {
    out.line();
    out.line(c.bold('metrics'));
    if (splits.length > 0) out.line(metricsTable(splits, c));
    for (const [name, v] of other) out.line(`  ${name.padEnd(16)}${JSON.stringify(v)}`);
  }
}
