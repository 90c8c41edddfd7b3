/**
 * `cortex predict <model> <data.csv> [--out preds.csv] [--proba]`: streams the input in
 * chunks, so a CSV larger than memory works, and writes one output row per input row,
 * keeping the id column. With `--out`, the file is written to a temporary file in the
 * same folder and renamed into place at the end, so it is never seen half-written; on
 * stdout, the output is held in memory and printed once every row is predicted.
 * @module
 */
import { rename, unlink } from 'node:fs/promises';
import { streamCsvFile } from '../../data/node/csv-file.js';
import { dataError } from '../../data/where.js';
import { openTemp } from '../../io/node/atomic.js';
import { load } from '../../io/node/files.js';
import { UsageError } from '../errors.js';
import { argmaxRow } from '../metrics.js';
import { applicable, checkColumns, forward, readHeader, softmaxRows, unscale } from '../model-data.js';
import { delimiter } from '../options.js';
import type { Output } from '../style.js';
import { UnseenCategories } from '../tables.js';
import { CHUNK_ROWS } from '../train-core.js';

/** Options of `cortex predict`. */
export interface PredictFlags {
  out?: string;
  proba?: boolean;
  id?: string;
  delimiter: string;
}

/** Quotes a CSV field when it needs it. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function num(v: number): string {
  return String(Number(v.toPrecision(7)));
}

/** Decimals of a printed probability: fixed, so no value is shown in exponent notation. */
const PROBA_DECIMALS = 6;

/** A probability as fixed-point text (`0.000000` to `1.000000`). */
export function probaText(p: number): string {
  return p.toFixed(PROBA_DECIMALS);
}

/** A destination for text: a file written atomically, or stdout. */
interface Sink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function fileSink(path: string): Promise<Sink> {
  const { tmp, file: fh } = await openTemp(path);
  return {
    write: async (text) => {
      await fh.write(text);
    },
    commit: async () => {
      await fh.sync();
      await fh.close();
      await rename(tmp, path);
    },
    abort: async () => {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    },
  };
}

/**
 * Stdout, held back until every row is predicted: an error part-way (a bad cell in the
 * last chunk, say) then prints no partial output, not even the header line.
 */
function stdoutSink(): Sink {
  let parts: string[] = [];
  return {
    write: async (text) => {
      parts.push(text);
    },
    commit: async () => {
      for (const text of parts) {
        await new Promise<void>((resolve) => {
          if (process.stdout.write(text)) resolve();
          else process.stdout.once('drain', () => resolve());
        });
      }
      parts = [];
    },
    abort: async () => {
      parts = [];
    },
  };
}

/** Runs `cortex predict`. */
export async function predictCommand(modelPath: string, dataPath: string, flags: PredictFlags, out: Output): Promise<void> {
  const started = performance.now();
  const a = applicable(await load(modelPath), modelPath);
  const classification = a.schema.task === 'classification';
  if (flags.proba && !classification) throw new UsageError('--proba applies to classification models; this model does regression');
  const delim = delimiter('--delimiter', flags.delimiter);
  const header = await readHeader(dataPath, delim);
  const inputs = a.pipeline.inputColumns;
  checkColumns(dataPath, header, inputs, 'the input columns');
  let id: string | null = null;
  if (flags.id !== undefined) {
    if (!header.includes(flags.id)) {
      throw dataError({ file: dataPath, row: 1, column: flags.id, what: `there is no id column "${flags.id}" (the file has: ${header.join(', ')})`, fix: 'Pass a column name from the header to --id' });
    }
    id = flags.id;
  } else if (a.schema.idColumn && header.includes(a.schema.idColumn)) {
    id = a.schema.idColumn;
  }
  const types = a.pipeline.columnTypes();
  const readTypes = Object.fromEntries(inputs.map((n) => [n, types[n]!]));
  if (id !== null && !inputs.includes(id)) readTypes[id] = 'categorical';
  const columns = id !== null && !inputs.includes(id) ? [id, ...inputs] : inputs;
  const target = a.schema.target.name;
  const predName = target === id ? `predicted_${target}` : target;
  const toJsonLines = out.json && flags.out === undefined;
  const sink = flags.out === undefined ? stdoutSink() : await fileSink(flags.out);
  let rows = 0;
  const unseen = UnseenCategories.of(a.pipeline);
  try {
    if (!toJsonLines) {
      const head = [...(id !== null ? [id] : []), predName, ...(flags.proba ? a.classes.map((c) => `proba_${c}`) : [])];
      await sink.write(`${head.map(csvField).join(',')}\n`);
    }
    const k = a.classes.length;
    for await (const chunk of streamCsvFile(dataPath, { header: true, columns, types: readTypes, delimiter: delim, chunkRows: CHUNK_ROWS })) {
      unseen.check(chunk);
      const enc = a.pipeline.transform(chunk);
      const outData = forward(a.model, enc.x, enc.rows, enc.cols);
      const idCol = id === null ? null : chunk.columns.find((col) => col.name === id)!;
      const idOf = (i: number): string => {
        if (idCol === null) return '';
        const v = idCol.values[i];
        return v === null || v === undefined ? '' : String(v);
      };
      const probs = classification ? softmaxRows(outData, enc.rows, k) : null;
      const values = classification ? null : unscale(outData, a.targetScaling);
      const lines: string[] = [];
      for (let i = 0; i < enc.rows; i++) {
        const pred = classification ? a.classes[argmaxRow(outData, i * k, k)]! : num(values![i]!);
        if (toJsonLines) {
          const rec: Record<string, unknown> = {};
          if (id !== null) rec[id] = idOf(i);
          rec[predName] = classification ? pred : Number(pred);
          if (flags.proba) rec.proba = Object.fromEntries(a.classes.map((c, j) => [c, Number(probaText(probs![i * k + j]!))]));
          lines.push(JSON.stringify(rec));
        } else {
          const cells = id !== null ? [csvField(idOf(i)), csvField(pred)] : [csvField(pred)];
          if (flags.proba) for (let j = 0; j < k; j++) cells.push(probaText(probs![i * k + j]!));
          lines.push(cells.join(','));
        }
      }
      rows += enc.rows;
      await sink.write(`${lines.join('\n')}\n`);
    }
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const warning = unseen.warning();
  if (warning !== null) out.warn(`warning: ${warning}`);
  const seconds = (performance.now() - started) / 1000;
  if (out.json && flags.out !== undefined) {
    out.result({ command: 'predict', model: modelPath, data: dataPath, out: flags.out, rows, idColumn: id, seconds, warnings: warning === null ? [] : [warning] });
  } else if (flags.out !== undefined) {
    out.line(`${out.c.green('wrote')}   ${rows} predictions to ${flags.out} in ${seconds.toFixed(1)}s`);
  }
}
