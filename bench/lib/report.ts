/**
 * Turns peer outcomes into the printed tables (Markdown, so they can be pasted
 * into BENCHMARKS.md) and the target checks of issue 11.
 * @module
 */
import type { PeerDef } from './plan.js';
import type { GemmRow, MlpResult, Payload, Section, TinyResult } from './protocol.js';

/** One peer's outcome in one section, as stored in the results JSON. */
export interface RunRecord {
  section: Section;
  peer: string;
  label: string;
  cortex: boolean;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  notes: string[];
  maxRssMB: number | null;
  wallSeconds: number;
  /** Fraction of all CPUs other processes kept busy just before this peer started. */
  cpuBusyBefore?: number;
  /** The seed of this run (accuracy section). */
  seed?: number;
  payload?: Payload;
}

/** Formats a Markdown table with padded columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Short cell text for a peer that produced no figures. */
export function statusCell(r: RunRecord | undefined): string {
  if (r === undefined) return '—';
  if (r.status === 'failed') return 'failed';
  const why = r.reason ?? '';
  if (why.startsWith('pending')) return 'pending';
  if (why.includes('not installed')) return 'not installed';
  return 'skipped';
}

/** `x` with `d` decimals, or `n/a`. */
export const fix = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
/** A fraction as a percentage with one decimal. */
export const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);
/** A speed ratio: `×2.5` means Cortex is 2.5 times as fast as the peer. */
export const ratio = (x: number): string => (Number.isFinite(x) && x > 0 ? `×${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3)}` : '—');

function gemmOf(r: RunRecord | undefined): GemmRow[] | undefined {
  return r?.status === 'ok' && r.payload && 'gemm' in r.payload ? r.payload.gemm : undefined;
}
function mlpOf(r: RunRecord | undefined): MlpResult | undefined {
  return r?.status === 'ok' && r.payload && 'mlp' in r.payload ? r.payload.mlp : undefined;
}
function tinyOf(r: RunRecord | undefined): TinyResult | undefined {
  return r?.status === 'ok' && r.payload && 'tiny' in r.payload ? r.payload.tiny : undefined;
}

/** Records of one section, in peer order. */
function inSection(records: readonly RunRecord[], section: Section): RunRecord[] {
  return records.filter((r) => r.section === section);
}

/** Reasons behind the non-figure cells, one line per peer. */
export function footnotes(records: readonly RunRecord[]): string {
  const lines = records
    .filter((r) => r.status !== 'ok')
    .map((r) => `  ${r.label}: ${r.status === 'failed' ? 'FAILED: ' : ''}${(r.reason ?? '').split('\n').join('\n      ')}`);
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

/** The sgemm tables: GFLOP/s per shape and peer, then Cortex's best over each other peer. */
export function sgemmReport(records: readonly RunRecord[]): string {
  const recs = inSection(records, 'sgemm');
  if (recs.length === 0) return '';
  const labels = [...new Set(recs.flatMap((r) => gemmOf(r)?.map((g) => g.label) ?? []))];
  const gflops = (r: RunRecord, label: string): number => gemmOf(r)?.find((g) => g.label === label)?.gflops ?? Number.NaN;
  const rows = labels.map((l) => [l, ...recs.map((r) => (gemmOf(r) ? fix(gflops(r, l), 1) : statusCell(r)))]);
  let out = `### sgemm, GFLOP/s (float32, higher is better)\n\n${table(['shape', ...recs.map((r) => r.label)], rows)}`;
  const cortex = recs.filter((r) => r.cortex && gemmOf(r));
  const others = recs.filter((r) => !r.cortex);
  if (cortex.length > 0 && others.length > 0) {
    const ratioRows = labels.map((l) => {
      const best = Math.max(...cortex.map((c) => gflops(c, l)).filter(Number.isFinite));
      return [l, ...others.map((o) => (gemmOf(o) ? ratio(best / gflops(o, l)) : statusCell(o)))];
    });
    out += `\n\nCortex (best of its rows) vs each peer, GFLOP/s ratio (×2 = Cortex twice as fast):\n\n${table(
      ['shape', ...others.map((o) => `vs ${o.label}`)],
      ratioRows,
    )}`;
  }
  return out + footnotes(recs);
}

/** The MLP table: seconds per 60k-sample epoch, accuracies and Cortex's speed-up. */
export function mlpReport(records: readonly RunRecord[], epochs: number): string {
  const recs = inSection(records, 'mlp');
  if (recs.length === 0) return '';
  const cortex = mlpOf(recs.find((r) => r.cortex));
  const rows = recs.map((r) => {
    const m = mlpOf(r);
    if (!m) return [r.label, statusCell(r), ...new Array<string>(epochs > 1 ? 5 : 3).fill('')];
    const subset = m.trainSamples < 60000 ? `${m.trainSamples} (extrapolated)` : String(m.trainSamples);
    const speed = r.cortex ? '—' : cortex ? ratio(m.secondsPer60k / cortex.secondsPer60k) : 'pending';
    const best = m.testAccuracy.reduce((bi, a, i, all) => (a > (all[bi] ?? 0) ? i : bi), 0);
    const accs =
      epochs > 1
        ? [pct(m.testAccuracy[0]), pct(m.testAccuracy[epochs - 1]), `${pct(m.testAccuracy[best])} (ep ${best + 1})`]
        : [pct(m.testAccuracy[0])];
    return [r.label, fix(m.secondsPer60k, 2), ...accs, subset, speed];
  });
  const accHead = epochs > 1 ? ['test acc 1 ep', `test acc ${epochs} ep`, 'best test acc'] : ['test acc 1 ep'];
  const head = ['peer', 's / epoch (60k)', ...accHead, 'train samples / epoch', 'Cortex speed-up'];
  return `### MLP 784-128-10 on Fashion-MNIST, batch 64, SGD lr 0.1 (lower time is better)\n\n${table(head, rows)}${footnotes(recs)}`;
}

/** Mean, smallest and largest of `xs` (NaN when empty). */
function spread(xs: readonly number[]): { mean: number; min: number; max: number } {
  if (xs.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

/** Test accuracies after epoch `epoch` (1-based) of a peer's accuracy runs, one per seed. */
function seedAccuracies(records: readonly RunRecord[], peer: string, epoch: number): number[] {
  return inSection(records, 'accuracy')
    .filter((r) => r.peer === peer)
    .map((r) => mlpOf(r)?.testAccuracy[epoch - 1])
    .filter((a): a is number => a !== undefined);
}

/** The accuracy table: each peer's MLP test accuracy over several seeds, mean and range. */
export function accuracyReport(records: readonly RunRecord[], epochs: number): string {
  const recs = inSection(records, 'accuracy');
  if (recs.length === 0) return '';
  const peers = [...new Map(recs.map((r) => [r.peer, r])).values()];
  const cell = (xs: number[]): string => {
    const s = spread(xs);
    return xs.length === 0 ? '—' : `${pct(s.mean)} (${pct(s.min)}–${pct(s.max)})`;
  };
  const rows = peers.map((p) => {
    const ok = recs.filter((r) => r.peer === p.peer && r.status === 'ok');
    if (ok.length === 0) return [p.label, statusCell(p), '', ''];
    const best = ok.map((r) => Math.max(...(mlpOf(r)?.testAccuracy ?? [])));
    return [p.label, String(ok.length), cell(seedAccuracies(records, p.peer, 1)), cell(seedAccuracies(records, p.peer, epochs)), cell(best)];
  });
  const failed = recs.filter((r) => r.status !== 'ok');
  return `### MLP test accuracy over seeds (same settings; mean and range over the seeds)\n\n${table(
    ['peer', 'seeds', 'after 1 epoch', `after ${epochs} epochs`, 'best epoch'],
    rows,
  )}${footnotes(failed)}`;
}

/** The tiny-network table: ms per full-batch epoch and Cortex's speed-up. */
export function tinyReport(records: readonly RunRecord[]): string {
  const recs = inSection(records, 'tiny');
  if (recs.length === 0) return '';
  const cortex = tinyOf(recs.find((r) => r.cortex));
  const rows = recs.map((r) => {
    const t = tinyOf(r);
    if (!t) return [r.label, statusCell(r), '', ''];
    const speed = r.cortex ? '—' : cortex ? ratio(t.msPerEpoch / cortex.msPerEpoch) : 'pending';
    return [r.label, fix(t.msPerEpoch, 4), fix(t.finalLoss, 4), speed];
  });
  return `### Seed's tiny network (100×10 → 32 sigmoid → 1 sigmoid, MSE, full batch), ms per epoch\n\n${table(
    ['peer', 'ms / epoch', 'final loss', 'Cortex speed-up'],
    rows,
  )}${footnotes(recs)}`;
}

/** Peak RSS of every peer process, per section. */
export function rssReport(records: readonly RunRecord[], peers: readonly PeerDef[], sections: readonly Section[]): string {
  const rows = peers
    .filter((p) => records.some((r) => r.peer === p.id))
    .map((p) => [
      records.find((r) => r.peer === p.id && r.status === 'ok')?.label ?? p.label,
      ...sections.map((s) => {
        const r = records.find((x) => x.peer === p.id && x.section === s);
        if (r === undefined) return '—';
        return r.status === 'ok' && r.maxRssMB !== null ? fix(r.maxRssMB, 0) : statusCell(r);
      }),
    ]);
  return `### Peak RSS of each peer process, MB (includes the runtime and the loaded dataset)\n\n${table(['peer', ...sections], rows)}`;
}

/** One speed target of the current issue (11, "Core 2") and whether this run meets it. */
export interface TargetCheck {
  target: string;
  measured: string;
  verdict: 'met' | 'missed' | 'pending';
}

/** Checks the targets of issue 11 that this run has figures for ("no row gets slower" needs an earlier run: see BENCHMARKS.md). */
export function checkTargets(records: readonly RunRecord[], epochs: number): TargetCheck[] {
  const get = (section: Section, peer: string): RunRecord | undefined => records.find((r) => r.section === section && r.peer === peer);
  const out: TargetCheck[] = [];
  const at1024 = (peer: string): number => gemmOf(get('sgemm', peer))?.find((g) => g.label.startsWith('1024×'))?.gflops ?? Number.NaN;
  const c2 = at1024('cortex-2t');
  const tw = at1024('tfjs-wasm');
  const verdict = (ok: boolean, known: boolean): TargetCheck['verdict'] => (!known ? 'pending' : ok ? 'met' : 'missed');
  if (get('sgemm', 'cortex-2t')) {
    out.push({ target: 'sgemm 1024, 2 threads, without relaxed SIMD ≥ 100 GFLOP/s', measured: `${fix(c2, 1)} GFLOP/s (TF.js wasm ${fix(tw, 1)}, ${ratio(c2 / tw)})`, verdict: verdict(c2 >= 100, Number.isFinite(c2)) });
  }
  const cm = mlpOf(get('mlp', 'cortex'));
  const wm = mlpOf(get('mlp', 'tfjs-wasm'));
  const nm = mlpOf(get('mlp', 'numpy'));
  // The default Cortex row, then the relaxed-SIMD one when it ran.
  for (const [peer, suffix] of [['cortex', ''], ['cortex-fma', ', relaxed SIMD']] as const) {
    if (!get('mlp', peer)) continue;
    const m = mlpOf(get('mlp', peer));
    out.push({ target: `MLP epoch ≥ 12× faster than TF.js wasm${suffix}`, measured: m && wm ? ratio(wm.secondsPer60k / m.secondsPer60k) : '—', verdict: verdict(!!m && !!wm && wm.secondsPer60k >= 12 * m.secondsPer60k, !!m && !!wm) });
    out.push({ target: `MLP epoch ≤ 1.5× numpy hand-written${suffix}`, measured: m && nm ? `${fix(m.secondsPer60k / nm.secondsPer60k, 2)}× numpy's time` : '—', verdict: verdict(!!m && !!nm && m.secondsPer60k <= 1.5 * nm.secondsPer60k, !!m && !!nm) });
  }
  const seeded = seedAccuracies(records, 'cortex', epochs);
  if (epochs >= 5 && seeded.length > 0) {
    const c = spread(seeded);
    const t = spread(seedAccuracies(records, 'torch', epochs));
    out.push({
      target: `mean test accuracy over ${seeded.length} seeds ≥ 85% after ${epochs} epochs (torch: ${pct(t.mean)})`,
      measured: `${pct(c.mean)} (${pct(c.min)}–${pct(c.max)})`,
      verdict: verdict(c.mean >= 0.85, true),
    });
  } else if (epochs >= 5 && get('mlp', 'cortex')) {
    // Without the accuracy section, the single MLP run's accuracy.
    const acc = cm?.testAccuracy[epochs - 1];
    const tacc = mlpOf(get('mlp', 'torch'))?.testAccuracy[epochs - 1];
    out.push({ target: `test accuracy ≥ 85% after ${epochs} epochs (torch: ${pct(tacc)})`, measured: pct(acc), verdict: verdict(acc !== undefined && acc >= 0.85, acc !== undefined) });
  }
  if (get('tiny', 'cortex')) {
    const ct = tinyOf(get('tiny', 'cortex'));
    const tt = tinyOf(get('tiny', 'torch'));
    const nt = tinyOf(get('tiny', 'numpy'));
    out.push({ target: 'tiny network ≤ numpy per epoch', measured: ct && nt ? `${fix(ct.msPerEpoch, 4)} vs ${fix(nt.msPerEpoch, 4)} ms` : '—', verdict: verdict(!!ct && !!nt && ct.msPerEpoch <= nt.msPerEpoch, !!ct && !!nt) });
    out.push({ target: 'tiny network faster than torch autograd', measured: ct && tt ? `${fix(ct.msPerEpoch, 4)} vs ${fix(tt.msPerEpoch, 4)} ms` : '—', verdict: verdict(!!ct && !!tt && ct.msPerEpoch < tt.msPerEpoch, !!ct && !!tt) });
  }
  return out;
}

/** The target checks as a table. */
export function targetsReport(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  return `### Targets of issue 11 (and issue 12's CNN, issue 13's GPT)\n\n${table(['target', 'measured', 'verdict'], checks.map((c) => [c.target, c.measured, c.verdict]))}`;
}

/** RSS growth allowed between epoch 5 and the last epoch for the leak check to call RSS flat. */
export const FLAT_RSS_MB = 16;

/** RSS across many training epochs (the leak check). */
export function leakReport(records: readonly RunRecord[]): string {
  const recs = inSection(records, 'leak');
  if (recs.length === 0) return '';
  const rows = recs.map((r) => {
    const m = mlpOf(r);
    if (!m) return [r.label, statusCell(r), '', '', '', '', '', ''];
    const rss = m.rssAfterEpochMB;
    const ref = rss[Math.min(4, rss.length - 1)] ?? Number.NaN;
    const last = rss[rss.length - 1] ?? Number.NaN;
    const growth = last - ref;
    return [
      r.label,
      String(rss.length),
      String(m.trainSamples),
      fix(rss[0] ?? Number.NaN, 0),
      fix(ref, 0),
      fix(Math.max(...rss), 0),
      fix(last, 0),
      `${growth >= 0 ? '+' : ''}${fix(growth, 1)} MB (${Math.abs(growth) <= FLAT_RSS_MB ? 'flat' : 'GROWING'})`,
    ];
  });
  return `### Leak check: RSS after each MLP epoch (after a full GC), MB\n\n${table(
    ['peer', 'epochs', 'samples / epoch', 'after ep 1', 'after ep 5', 'max', 'last', 'ep 5 → last'],
    rows,
  )}${footnotes(recs)}`;
}

/** How busy other processes kept the CPUs just before each peer started, in percent. */
export function loadReport(records: readonly RunRecord[], peers: readonly PeerDef[], sections: readonly Section[]): string {
  const rows = peers
    .filter((p) => records.some((r) => r.peer === p.id && r.cpuBusyBefore !== undefined))
    .map((p) => [
      p.label,
      ...sections.map((s) => {
        const b = records.find((x) => x.peer === p.id && x.section === s)?.cpuBusyBefore;
        return b === undefined || !Number.isFinite(b) ? '—' : `${(100 * b).toFixed(0)}%`;
      }),
    ]);
  if (rows.length === 0) return '';
  return `### CPU load from other processes just before each peer started (0% = quiet machine)\n\n${table(['peer', ...sections], rows)}`;
}

/**
 * One line per peer with Cortex's speed relative to it in each section
 * (sgemm at the largest square size, the MLP epoch, the tiny network's epoch).
 */
export function summaryReport(records: readonly RunRecord[], peers: readonly PeerDef[]): string {
  const find = (section: Section, pred: (r: RunRecord) => boolean): RunRecord[] => records.filter((r) => r.section === section && pred(r));
  const squares = [...new Set(records.flatMap((r) => gemmOf(r)?.map((g) => g.label) ?? []))].filter((l) => /^\d+×/.test(l));
  const big = squares.sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10))[0];
  const gf = (r: RunRecord): number => gemmOf(r)?.find((g) => g.label === big)?.gflops ?? Number.NaN;
  const cortexGf = Math.max(...find('sgemm', (r) => r.cortex).map(gf).filter(Number.isFinite));
  const cortexMlp = mlpOf(find('mlp', (r) => r.cortex)[0])?.secondsPer60k ?? Number.NaN;
  const cortexTiny = tinyOf(find('tiny', (r) => r.cortex)[0])?.msPerEpoch ?? Number.NaN;
  const rows = peers
    .filter((p) => !p.cortex && records.some((r) => r.peer === p.id && (r.section === 'sgemm' || r.section === 'mlp' || r.section === 'tiny')))
    .map((p) => {
      const r = (s: Section): RunRecord | undefined => records.find((x) => x.peer === p.id && x.section === s);
      const g = r('sgemm');
      const m = r('mlp');
      const t = r('tiny');
      return [
        p.label,
        g === undefined ? '—' : gemmOf(g) ? ratio(cortexGf / gf(g)) : statusCell(g),
        m === undefined ? '—' : mlpOf(m) ? ratio(mlpOf(m)!.secondsPer60k / cortexMlp) : statusCell(m),
        t === undefined ? '—' : tinyOf(t) ? ratio(tinyOf(t)!.msPerEpoch / cortexTiny) : statusCell(t),
      ];
    });
  if (rows.length === 0) return '';
  return `### Summary: Cortex's speed relative to each peer (×2 = Cortex twice as fast)\n\n${table(
    ['peer', big === undefined ? 'sgemm' : `sgemm ${big.split('·')[0]} (best Cortex row)`, 'MLP epoch', 'tiny epoch'],
    rows,
  )}`;
}
