/**
 * `cortex explain <model> <rows.csv>`: why the model predicts what it does for each row,
 * as attributions per original column (the one-hot features of a text column summed back
 * to the column), and a global importance chart (mean |attribution| per column).
 * @module
 */
import { Tensor } from '../../autograd/tensor.js';
import { readCsvFile } from '../../data/node/csv-file.js';
import { selectRows } from '../../data/table.js';
import { gradientShap, inputXGradient, integratedGradients } from '../../explain/gradient.js';
import { featureAblation } from '../../explain/perturbation.js';
import { load } from '../../io/node/files.js';
import { UsageError } from '../errors.js';
import { argmaxRow } from '../metrics.js';
import { type Applicable, applicable, checkColumns, forward, readHeader } from '../model-data.js';
import { delimiter, positiveInt } from '../options.js';
import type { Output } from '../style.js';
import { UnseenCategories } from '../tables.js';

/** Attribution methods `--method` accepts. */
export const EXPLAIN_METHODS = ['integrated-gradients', 'gradient-shap', 'ablation', 'input-x-gradient'] as const;
type Method = (typeof EXPLAIN_METHODS)[number];

/** The flags of `cortex explain`. */
export interface ExplainFlags {
  method: string;
  steps: string;
  rows?: string;
  delimiter: string;
}

/** One explained row. */
interface RowExplanation {
  /** The data row number in the file (the header is row 1). */
  row: number;
  /** The id column's value, when the model has one and the file too. */
  id?: string;
  /** The predicted class, or the predicted value. */
  prediction: string | number;
  /** Attribution per original column, in the model output's units (logit, or the target's units). */
  attributions: Record<string, number>;
}

/** Which original column each encoded feature belongs to. */
function featureColumns(a: Applicable): string[] {
  const s = a.pipeline.toJSON();
  const cats = s.encoder?.categories ?? [];
  return [...s.numeric, ...s.categorical.flatMap((name, j) => (cats[j] ?? []).map(() => name))];
}

/** Attributions [rows, width] of the explained output of every row, in encoded-feature space. */
function attribute(a: Applicable, method: Method, x: Tensor, target: Int32Array | undefined, steps: number): Float32Array {
  const opts = target === undefined ? {} : { target };
  const zero = new Tensor(new Float32Array(x.shape[1]!), [1, x.shape[1]!]);
  switch (method) {
    case 'integrated-gradients':
      return Float32Array.from(integratedGradients(a.model, x, { ...opts, nSteps: steps }).attributions.dataSync());
    case 'gradient-shap':
      return Float32Array.from(gradientShap(a.model, x, { ...opts, baselines: zero, nSamples: steps }).dataSync());
    case 'ablation':
      return Float32Array.from(featureAblation(a.model, x, opts).dataSync());
    case 'input-x-gradient':
      return Float32Array.from(inputXGradient(a.model, x, opts).dataSync());
  }
}

/** Runs `cortex explain`. */
export async function explainCommand(modelPath: string, dataPath: string, flags: ExplainFlags, out: Output): Promise<void> {
  const method = flags.method as Method;
  if (!EXPLAIN_METHODS.includes(method)) throw new UsageError(`--method must be one of ${EXPLAIN_METHODS.join(', ')}, got "${flags.method}"`);
  const steps = positiveInt('--steps', flags.steps);
  const limit = flags.rows === undefined ? 1000 : positiveInt('--rows', flags.rows);
  const a = applicable(await load(modelPath), modelPath);
  const delim = delimiter('--delimiter', flags.delimiter);
  const header = await readHeader(dataPath, delim);
  const inputs = a.pipeline.inputColumns;
  checkColumns(dataPath, header, inputs, 'the input columns');
  const id = a.schema.idColumn && header.includes(a.schema.idColumn) && !inputs.includes(a.schema.idColumn) ? a.schema.idColumn : null;
  const types = a.pipeline.columnTypes();
  const readTypes = Object.fromEntries(inputs.map((n) => [n, types[n]!]));
  if (id !== null) readTypes[id] = 'categorical';
  const table = await readCsvFile(dataPath, { header: true, columns: id === null ? inputs : [id, ...inputs], types: readTypes, delimiter: delim });
  const unseen = UnseenCategories.of(a.pipeline);
  unseen.check(table);
  const warning = unseen.warning();
  if (warning !== null) out.warn(`warning: ${warning}`);
  if (table.rows > limit) out.warn(`warning: explaining the first ${limit} of ${table.rows} rows (pass --rows to change)`);
  const n = Math.min(table.rows, limit);
  const enc = a.pipeline.transform(n < table.rows ? selectRows(table, Int32Array.from({ length: n }, (_, i) => i)) : table);
  const width = enc.cols;
  const x = new Tensor(enc.x, [n, width]);
  const raw = forward(a.model, enc.x, n, width);
  const classification = a.schema.task === 'classification';
  const k = a.classes.length;
  // Explain the predicted class of each row (classification), or the one output (regression).
  const target = classification ? Int32Array.from({ length: n }, (_, i) => argmaxRow(raw, i * k, k)) : undefined;
  const attr = attribute(a, method, x, target, steps);
  // Regression outputs are in standardised target units: scale attributions back to the target's.
  const unit = classification ? 1 : (a.targetScaling?.scale ?? 1);
  const owner = featureColumns(a);
  const columns = [...new Set(owner)];
  const idCol = id === null ? null : table.columns.find((c) => c.name === id);
  const rows: RowExplanation[] = [];
  const importance = new Map<string, number>(columns.map((c) => [c, 0]));
  for (let i = 0; i < n; i++) {
    const sums: Record<string, number> = Object.fromEntries(columns.map((c) => [c, 0]));
    for (let j = 0; j < width; j++) sums[owner[j]!]! += attr[i * width + j]! * unit;
    for (const c of columns) importance.set(c, importance.get(c)! + Math.abs(sums[c]!) / n);
    const prediction = classification ? a.classes[target![i]!]! : raw[i]! * unit + (a.targetScaling?.mean ?? 0);
    const r: RowExplanation = { row: table.rowNumbers[i]!, prediction, attributions: sums };
    const v = idCol?.values[i];
    if (v !== undefined && v !== null) r.id = String(v);
    rows.push(r);
  }
  const ranked = [...importance].sort((p, q) => q[1] - p[1]);
  const explained = classification ? 'the predicted class (its logit)' : `the predicted ${a.schema.target.name}`;
  if (out.json) {
    out.result({ command: 'explain', model: modelPath, data: dataPath, method, explained, rows, importance: Object.fromEntries(ranked), warnings: warning === null ? [] : [warning] });
    return;
  }
  const c = out.c;
  out.line(`${c.bold('explain')} ${explained} with ${method}${method === 'integrated-gradients' || method === 'gradient-shap' ? ` (${steps} ${method === 'gradient-shap' ? 'samples' : 'steps'})` : ''}, baseline: numeric columns at their training mean, no category in text columns`);
  out.line();
  const shown = Math.min(n, 20);
  for (const r of rows.slice(0, shown)) {
    const top = Object.entries(r.attributions).sort((p, q) => Math.abs(q[1]) - Math.abs(p[1]));
    const parts = top.slice(0, 6).map(([col, v]) => `${col} ${v >= 0 ? '+' : ''}${v.toPrecision(3)}`);
    if (top.length > 6) parts.push(`… ${top.length - 6} more`);
    const who = r.id === undefined ? `row ${r.row}` : `${id} ${r.id}`;
    const pred = typeof r.prediction === 'number' ? r.prediction.toPrecision(4) : r.prediction;
    out.line(`${who} → ${pred}: ${parts.join(', ')}`);
  }
  if (n > shown) out.line(`… ${n - shown} more rows (--json prints all)`);
  out.line();
  out.line(c.bold('global importance (mean |attribution| over the rows)'));
  const top = ranked[0]?.[1] ?? 0;
  const nameWidth = Math.max(...columns.map((col) => col.length));
  for (const [col, v] of ranked) {
    const bar = top > 0 ? '█'.repeat(Math.max(v > 0 ? 1 : 0, Math.round((v / top) * 40))) : '';
    out.line(`${col.padEnd(nameWidth)}  ${bar} ${v.toPrecision(3)}`);
  }
}
