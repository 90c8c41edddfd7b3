/**
 * Large-CSV benchmark: writes a numeric CSV of about 1 GB to a temporary folder, then
 * streams it through the data layer in three ways, each in its own child process so that
 * peak RSS (VmHWM) is measured per phase:
 *
 * - `table`: `streamCsvFile` only (parse into typed column chunks);
 * - `batches`: `csvFileDataset` with a fitted `TablePipeline` (scaling, int32 labels),
 *   yielding tensors of 1024 rows, all discarded;
 * - `load`: the same batches kept in memory, i.e. the whole float32 feature matrix.
 *
 * Usage: `node --import tsx bench/csv-large.ts [--mb 1024] [--keep]`.
 * The CSV is deleted at the end unless `--keep` is given; nothing is committed.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvFileDataset, readCsvFile, streamCsvFile } from '../src/data/node/csv-file.js';
import { TablePipeline } from '../src/data/pipeline.js';
import { Generator } from '../src/tensor/random.js';

const FEATURES = 8;
const COLUMNS = FEATURES + 1; // plus an integer class label

/** Peak resident set size of this process in bytes (Linux VmHWM), or the current RSS elsewhere. */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Writes about `mb` megabytes of CSV: 8 float columns and a label 0..9. Returns the row count. */
function generate(path: string, mb: number): number {
  const g = new Generator(2026);
  const fd = openSync(path, 'w');
  const target = mb * 1024 * 1024;
  let written = 0;
  let rows = 0;
  const header = `${Array.from({ length: FEATURES }, (_, j) => `f${j + 1}`).join(',')},label\n`;
  written += writeSync(fd, header);
  while (written < target) {
    const lines: string[] = [];
    for (let r = 0; r < 20000; r++) {
      let line = '';
      for (let j = 0; j < FEATURES; j++) line += `${((g.nextFloat() - 0.5) * 200).toFixed(5)},`;
      lines.push(`${line}${g.nextInt(0, 10)}`);
    }
    written += writeSync(fd, `${lines.join('\n')}\n`);
    rows += lines.length;
  }
  closeSync(fd);
  return rows;
}

interface PhaseResult {
  phase: string;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  peakRss: number;
  retainedBytes: number;
}

async function runPhase(phase: string, path: string): Promise<PhaseResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  let retainedBytes = 0;
  if (phase === 'table') {
    for await (const chunk of streamCsvFile(path, { types: { label: 'categorical' } })) rows += chunk.rows;
  } else {
    // Fit the pipeline on a sample (the first 10000 rows), as a training run on a big file would.
    const sample = await readCsvFile(path, { target: 'label', types: { label: 'categorical' }, maxRows: 10000 });
    const pipeline = new TablePipeline({ target: 'label' }).fit(sample);
    const keep: unknown[] = [];
    for await (const batch of csvFileDataset(path, { pipeline, batchSize: 1024 })) {
      rows += batch.x.shape[0]!;
      if (phase === 'load') {
        keep.push(batch.x, batch.y);
        retainedBytes += batch.x.dataSync().byteLength + (batch.y?.dataSync().byteLength ?? 0);
      }
    }
    if (keep.length === 0 && phase === 'load') throw new Error('nothing loaded');
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { phase, rows, seconds: (performance.now() - t0) / 1000, cpuSeconds, peakRss: peakRss(), retainedBytes };
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childPhase = args[0] === '--phase' ? args[1] : undefined;
  if (childPhase !== undefined) {
    process.stdout.write(JSON.stringify(await runPhase(childPhase, args[2]!)));
    return;
  }
  const mbArg = args.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 1024;
  const dir = mkdtempSync(join(tmpdir(), 'cortex-csv-large-'));
  const path = join(dir, 'large.csv');
  try {
    const t0 = performance.now();
    const rows = generate(path, mb);
    const bytes = statSync(path).size;
    const numericBytes = rows * COLUMNS * 4;
    process.stdout.write(
      `generated ${path}: ${(bytes / MB).toFixed(0)} MB, ${rows} rows x ${COLUMNS} numeric columns ` +
        `in ${((performance.now() - t0) / 1000).toFixed(1)} s; numeric data as float32: ${(numericBytes / MB).toFixed(0)} MB\n`,
    );
    const self = fileURLToPath(import.meta.url);
    const results: PhaseResult[] = [];
    for (const phase of ['table', 'batches', 'load']) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--phase', phase, path], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const r = JSON.parse(out) as PhaseResult;
      if (r.rows !== rows) throw new Error(`${phase}: read ${r.rows} rows, wrote ${rows}`);
      results.push(r);
    }
    process.stdout.write('\n| phase | rows | wall s | CPU s | rows/s (wall) | MB/s (wall) | peak RSS (MB) | peak RSS / numeric data |\n|---|---|---|---|---|---|---|---|\n');
    for (const r of results) {
      process.stdout.write(
        `| ${r.phase} | ${r.rows} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${Math.round(r.rows / r.seconds).toLocaleString('en-US')} | ` +
          `${(bytes / MB / r.seconds).toFixed(1)} | ${(r.peakRss / MB).toFixed(0)} | ${(r.peakRss / numericBytes).toFixed(2)} |\n`,
      );
    }
    const load = results.find((r) => r.phase === 'load')!;
    process.stdout.write(`\n'load' kept ${(load.retainedBytes / MB).toFixed(0)} MB of float32 features and int32 labels in memory.\n`);
    process.stdout.write(`load average during the run: ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n`);
    const worst = Math.max(...results.map((r) => r.peakRss / numericBytes));
    process.stdout.write(`worst peak RSS / numeric data size: ${worst.toFixed(2)} (limit: well under 2)\n`);
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
