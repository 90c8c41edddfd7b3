/**
 * `npm run bench`: runs Cortex and its peers side by side, one child process per
 * peer and section, prints Markdown tables with ratios, and writes
 * `bench/results/<name>.json` (all figures) and `<name>.md` (the printed report). See BENCHMARKS.md and `npm run bench -- --help`.
 * @module
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasFashionMnist } from './lib/dataset.js';
import { cpuBusy, waitForIdle } from './lib/idle.js';
import { type Options, PEERS, type PeerDef, parseArgs, settingsFor, USAGE } from './lib/plan.js';
import type { Job, Section } from './lib/protocol.js';
import {
  accuracyReport,
  checkTargets,
  leakReport,
  loadReport,
  mlpReport,
  type RunRecord,
  rssReport,
  sgemmReport,
  summaryReport,
  targetsReport,
  tinyReport,
} from './lib/report.js';
import { cnnReport, cnnTargets } from './lib/report-cnn.js';
import { gptReport, gptTargets } from './lib/report-gpt.js';
import { OPENBLAS_VARS, pythonEnv, runCommand, runJob } from './lib/spawn.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Everything printed on stdout, also saved as bench/results/<name>.md. */
const transcript: string[] = [];
const log = (s = ''): void => {
  transcript.push(s);
  process.stdout.write(`${s}\n`);
};

/** What the Python side has installed, probed once. */
interface PythonInfo {
  python?: string;
  numpy?: string | null;
  torch?: string | null;
  /** BLAS as numpy sees it in the benchmark's environment (OPENBLAS_* removed). */
  blas?: string | null;
  /** BLAS as numpy sees it with the machine's OPENBLAS_* settings, when they are set. */
  blasMachineEnv?: string | null;
  error?: string;
}

async function probePython(python: string): Promise<PythonInfo> {
  const probe = async (env: NodeJS.ProcessEnv): Promise<PythonInfo> => {
    const r = await runCommand(python, ['bench/python/blas_info.py'], { cwd: ROOT, env, timeoutMs: 60000, echo: false });
    if (r.code !== 0) return { error: r.stderr.trim().split('\n').pop() ?? `exit ${r.code}` };
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as PythonInfo;
  };
  try {
    const info = await probe(pythonEnv());
    if (OPENBLAS_VARS.some((k) => process.env[k] !== undefined)) info.blasMachineEnv = (await probe(process.env)).blas ?? null;
    return info;
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** The commit the run measured, and the source files that differed from it (uncommitted work). */
async function provenance(): Promise<{ commit: string; uncommitted: string[] }> {
  const opts = { cwd: ROOT, env: process.env, timeoutMs: 20000, echo: false };
  const head = await runCommand('git', ['rev-parse', 'HEAD'], opts);
  // The results files themselves are not source: a rerun overwrites them.
  const status = await runCommand('git', ['status', '--porcelain', '--', 'src', 'asm', 'bench', ':!bench/results'], opts);
  return {
    commit: head.code === 0 ? head.stdout.trim() : 'unknown (not a git checkout)',
    uncommitted: status.code === 0 ? status.stdout.split('\n').filter((l) => l.trim() !== '') : [],
  };
}

function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCpus: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    os: `${process.platform} ${release()}`,
    openblasEnv: OPENBLAS_VARS.map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(' '),
  };
}

/** Why a peer cannot run at all in this section, without starting it. */
function precheck(peer: PeerDef, section: Section, py: PythonInfo, dataOk: boolean, o: Options, gptDir: string): string | null {
  if ((section === 'mlp' || section === 'leak' || section === 'cnn') && !dataOk) return `skipped: not installed (Fashion-MNIST not found in ${o.dataDir})`;
  if (section === 'gpt' && !existsSync(gptDir)) return `skipped: not installed (the fortunes corpus, ${gptDir}: apt-get install fortunes)`;
  if (peer.kind !== 'python') return null;
  if (py.error !== undefined) return `skipped: not installed (${o.python}: ${py.error})`;
  if (peer.id === 'numpy' && !py.numpy) return 'skipped: not installed (python3-numpy)';
  if (peer.id.startsWith('torch') && !py.torch) return 'skipped: not installed (python3-torch)';
  return null;
}

/** The job a peer gets in a section. */
function jobFor(section: Section, peer: PeerDef, s: ReturnType<typeof settingsFor>, cortexBackend: string): Job {
  const common = { variant: peer.cortex ? cortexBackend : peer.variant, threads: peer.threads };
  switch (section) {
    case 'sgemm':
      return { section, ...common, settings: s.sgemm };
    case 'mlp':
      return { section, ...common, settings: peer.id === 'brain' ? s.mlpBrain : s.mlp };
    case 'accuracy':
      // Replaced per seed by jobsFor; the peers only know the mlp job.
      return { section: 'mlp', ...common, settings: s.mlp };
    case 'tiny':
      return { section, ...common, settings: s.tiny };
    case 'leak':
      return { section, ...common, settings: s.leak };
    case 'cnn':
      return { section, ...common, settings: s.cnn };
    case 'gpt':
      return { section, ...common, settings: s.gpt };
  }
}

/**
 * Rounds of the tiny network: every peer runs once per round, round after
 * round. The machine has slow phases lasting seconds to minutes (Cortex's
 * tiny network then measures 0.07 ms per epoch instead of 0.04 in every
 * process started during the phase); interleaving the peers spreads such a
 * phase over all of them, and each row keeps its median round.
 */
const TINY_ROUNDS = 3;

/** One child process to run: a peer's job, with its seed in the accuracy section. */
interface Planned {
  peer: PeerDef;
  job: Job;
  seed?: number;
}

/** Rounds of a round-robin section (tiny, gpt); 1 for the others. */
function roundsOf(section: Section, s: ReturnType<typeof settingsFor>): number {
  return section === 'tiny' ? TINY_ROUNDS : section === 'gpt' ? s.gptRounds : 1;
}

/** The runs of a section in order: per peer (one job, or one per seed), or round-robin (tiny, gpt). */
function schedule(section: Section, peers: readonly PeerDef[], s: ReturnType<typeof settingsFor>, cortexBackend: string): Planned[] {
  if (section === 'tiny' || section === 'gpt') {
    return Array.from({ length: roundsOf(section, s) }, () => peers.map((peer) => ({ peer, job: jobFor(section, peer, s, cortexBackend) }))).flat();
  }
  return peers.flatMap((peer) => {
    const job = jobFor(section, peer, s, cortexBackend);
    if (section !== 'accuracy' || job.section !== 'mlp') return [{ peer, job }];
    return s.accuracy.seeds.map((seed) => ({ peer, job: { ...job, settings: { ...s.accuracy.mlp, seed } }, seed }));
  });
}

/** The figure a round-robin section ranks its rounds by: ms per epoch (tiny) or mean ms per step (gpt). */
function roundFigure(r: RunRecord): number {
  if (r.payload !== undefined && 'tiny' in r.payload) return r.payload.tiny.msPerEpoch;
  if (r.payload !== undefined && 'gpt' in r.payload) return r.payload.gpt.msPerStepMean;
  return Number.NaN;
}

/**
 * Replaces the records of a round-robin section (tiny, gpt) of `peers` with one per peer, in
 * peer order: the median round (the other rounds' figures go into its notes).
 */
function keepMedianRound(section: 'tiny' | 'gpt', records: RunRecord[], peers: readonly PeerDef[]): void {
  const unit = section === 'tiny' ? 'ms per epoch' : 'ms per step, means';
  const kept: RunRecord[] = [];
  for (const peer of peers) {
    const runs = records.filter((r) => r.section === section && r.peer === peer.id);
    const ok = runs.filter((r) => r.status === 'ok' && Number.isFinite(roundFigure(r))).sort((a, b) => roundFigure(a) - roundFigure(b));
    const keep = ok[(ok.length - 1) >> 1] ?? runs[0];
    if (keep === undefined) continue;
    const digits = section === 'tiny' ? 4 : 1;
    if (ok.length > 1) keep.notes = [...keep.notes, `${section}: median of ${ok.length} rounds (${ok.map((r) => roundFigure(r).toFixed(digits)).join(', ')} ${unit})`];
    kept.push(keep);
  }
  const rest = records.filter((r) => !(r.section === section && peers.some((p) => p.id === r.peer)));
  records.splice(0, records.length, ...rest, ...kept);
}

const TIMEOUT_MS: Record<Section, number> = { sgemm: 10 * 60000, mlp: 15 * 60000, accuracy: 15 * 60000, tiny: 5 * 60000, leak: 15 * 60000, cnn: 30 * 60000, gpt: 20 * 60000 };

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (o.help) {
    log(USAGE);
    return;
  }
  const started = new Date();
  const settings = settingsFor(o);
  const loadBefore = loadavg()[0] ?? 0;
  const py = await probePython(o.python);
  const dataOk = hasFashionMnist(o.dataDir);
  const mach = machine();
  const git = await provenance();
  const gptDir = settings.gpt.corpusDir;

  log(`# Cortex benchmark (${o.quick ? 'quick' : 'full'} run, ${started.toISOString()})`);
  log();
  log(`machine: ${mach.cpu}, ${mach.logicalCpus} logical CPUs, ${mach.memoryGB} GB; node ${mach.node}; ${mach.os}`);
  log(`python: ${py.error ? `not available (${py.error})` : `${o.python} ${py.python}, numpy ${py.numpy ?? 'not installed'}, torch ${py.torch ?? 'not installed'}`}`);
  if (py.blas) log(`numpy BLAS, as the Python peers run it (${OPENBLAS_VARS.join(' and ')} unset): ${py.blas}`);
  if (py.blasMachineEnv) log(`numpy BLAS with this machine's ${mach.openblasEnv}: ${py.blasMachineEnv}`);
  log(`Fashion-MNIST: ${dataOk ? o.dataDir : 'skipped: not installed'}`);
  log(`source: commit ${git.commit.slice(0, 12)}${git.uncommitted.length > 0 ? ` plus ${git.uncommitted.length} uncommitted change(s) in src/, asm/ or bench/ (listed in the JSON)` : ''}`);
  log(`load average before the run: ${loadBefore.toFixed(2)}${loadBefore > 0.5 ? ' (other processes are busy: figures will be noisy)' : ''}`);
  log();

  const peers = PEERS.filter((p) => o.peers.length === 0 || o.peers.includes(p.id));
  const records: RunRecord[] = [];
  let targets: ReturnType<typeof checkTargets> = [];
  /**
   * Writes bench/results/<name>.json and .md (each to a temporary file, then renamed). Called after
   * every section with `complete: false`, so a run stopped part way keeps the sections it finished.
   */
  const save = (complete: boolean): { file: string; md: string } => {
    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${o.name}.json`);
    const doc = {
      name: o.name,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      complete,
      mode: o.quick ? 'quick' : 'full',
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: mach,
      git,
      loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
      python: py,
      settings,
      records,
      targets,
    };
    const md = file.replace(/\.json$/, '.md');
    const atomically = (path: string, text: string): void => {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    };
    atomically(file, `${JSON.stringify(doc, null, 2)}\n`);
    atomically(md, `${transcript.join('\n')}\n${complete ? '' : '\n(partial: the run has not finished every section yet)\n'}`);
    return { file, md };
  };
  for (const section of o.sections) {
    const runnable: PeerDef[] = [];
    for (const peer of peers.filter((p) => p.sections.includes(section))) {
      const pre = precheck(peer, section, py, dataOk, o, gptDir);
      if (pre === null) {
        runnable.push(peer);
        continue;
      }
      records.push({ section, peer: peer.id, label: peer.label, cortex: peer.cortex, status: 'skipped', reason: pre, notes: [], maxRssMB: null, wallSeconds: 0 });
      process.stderr.write(`[${section}] ${peer.label}: ${pre}\n`);
    }
    for (const { peer, job, seed } of schedule(section, runnable, settings, o.cortexBackend)) {
      const base = { section, peer: peer.id, label: peer.label, cortex: peer.cortex };
      const busy = o.waitIdle > 0 ? await waitForIdle(0.15, o.waitIdle) : await cpuBusy();
      const what = seed === undefined ? peer.label : `${peer.label}, seed ${seed}`;
      process.stderr.write(`[${section}] ${what} (CPUs ${(100 * busy).toFixed(0)}% busy before) ... `);
      const out = await runJob(ROOT, peer, job, { timeoutMs: TIMEOUT_MS[section], verbose: o.verbose, python: o.python });
      process.stderr.write(`${out.status === 'ok' ? 'done' : out.status} in ${out.wallSeconds.toFixed(1)} s\n`);
      if (out.status === 'failed') process.stderr.write(`  ${what} failed: ${out.reason ?? ''}\n`);
      const rec: RunRecord = {
        ...base,
        label: out.result?.tag ? `${peer.label} (${out.result.tag})` : peer.label,
        status: out.status,
        notes: out.result?.notes ?? [],
        maxRssMB: out.result?.maxRssMB ?? null,
        wallSeconds: out.wallSeconds,
        cpuBusyBefore: busy,
      };
      if (seed !== undefined) rec.seed = seed;
      if (out.reason !== undefined) rec.reason = out.reason;
      if (out.result?.payload !== undefined) rec.payload = out.result.payload;
      records.push(rec);
    }
    if (section === 'tiny' || section === 'gpt') keepMedianRound(section, records, runnable);
    const text = {
      sgemm: () => sgemmReport(records),
      mlp: () => mlpReport(records, settings.mlp.epochs),
      accuracy: () => accuracyReport(records, settings.mlp.epochs),
      tiny: () => tinyReport(records),
      leak: () => leakReport(records),
      cnn: () => cnnReport(records),
      gpt: () => gptReport(records),
    }[section]();
    log(text);
    log();
    save(false);
  }

  const summary = summaryReport(records, peers);
  if (summary !== '') {
    log(summary);
    log();
  }
  log(rssReport(records, peers, o.sections));
  log();
  const loadText = loadReport(records, peers, o.sections);
  if (loadText !== '') {
    log(loadText);
    log();
  }
  targets = [...checkTargets(records, settings.mlp.epochs), ...cnnTargets(records), ...gptTargets(records)];
  const targetText = targetsReport(targets);
  if (targetText !== '') {
    log(targetText);
    log();
  }
  log('### Peers');
  log();
  for (const p of peers) {
    const notes = [...new Set(records.filter((r) => r.peer === p.id).flatMap((r) => r.notes))];
    if (notes.length > 0) log(`- ${p.label}: ${notes.join('; ')}`);
  }

  const { file, md } = save(true);
  log();
  log(`results written to ${relative(ROOT, file)} and ${relative(ROOT, md)}`);
}

await main();
